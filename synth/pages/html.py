"""The HTML page: an HTML5 ``<article>`` whose text reads like the text page, and read back.

An HTML5 page whose text reads like the text page; every value
is escaped (``html.escape`` with ``quote=True``; a carriage return as ``&#13;`` so parsers do
not fold it into a newline; NUL, which no HTML parser keeps, as U+FFFD); only http(s) URLs
matching the model's URL pattern go into ``src``, and similar-post links are built from ids
matching the post-id pattern, anything else is shown as text.

:func:`parse_html` reads the ``<article>`` back with the standard library's
:class:`html.parser.HTMLParser` into a small element tree; elements outside it (the site's
navigation, the head) are ignored, and every element inside must be accounted for.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from typing import Any, Final

from synth.errors import InputError, UsageError
from synth.pages.layout import (
    IMAGE_SOURCE,
    META_FIELDS,
    META_HEADING,
    POST_ID,
    SIMILAR_HEADING,
    URL,
    MetaField,
    PostLike,
    members,
    rendered,
    scalar,
)
from synth.pages.reading import HINT, convert, label_found, post_of, shown

__all__ = ["Linked", "document", "escape", "parse_html", "post_page", "render_html"]

Linked = Callable[[str], bool]
_LANG: Final = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*", re.ASCII)


def escape(value: object) -> str:
    """Text or an attribute value, escaped so that it can never become markup."""
    text = html.escape(str(value), quote=True)
    if "\r" in text or "\0" in text:
        text = text.replace("\r", "&#13;").replace("\0", "\ufffd")
    return text


def render_html(post: PostLike, *, lang: str = "en") -> str:
    """The post as a standalone HTML5 page; similar posts link to ``<id>.html`` beside it."""
    if not _LANG.fullmatch(lang):
        raise UsageError(f"language tag {lang!r} is not valid", hint="use a tag such as 'en' or 'pt-BR'")
    return rendered(lambda data: post_page(data, lang=lang, linked=_always, nav=""), post)


def _always(_pid: str) -> bool:
    """Link every well-formed similar-post id (a standalone page does not know its neighbours)."""
    return True


def document(title: str, lang: str, body: str) -> str:
    """A whole HTML5 document around ``body``."""
    return (
        f'<!doctype html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def post_page(post: dict[str, Any], *, lang: str, linked: Linked, nav: str) -> str:
    """The HTML page of a post; ``linked`` tells which similar posts get links, ``nav`` follows the article."""
    parts = [f"<article>\n<h1>{escape(post['title'])}</h1>\n<p>{escape(post['intro'])}</p>\n"]
    urls = [source.get("url") for source in post["meta"]["image_sources"]]
    for i, image in enumerate(post["images"]):
        parts.append(_html_figure(image, urls[i] if i < len(urls) else None))
    parts += [_html_section(section) for section in post["sections"]]
    parts.append(_html_meta(post["meta"]))
    parts.append(_html_similar(post["similar_posts"], linked))
    parts.append(f"</article>\n{nav}")
    return document(post["title"], lang, "".join(parts))


def _html_figure(image: dict[str, Any], url: Any) -> str:
    """An image block; ``url`` goes into ``src`` only when it is an http(s) URL of the model's pattern."""
    src = f' src="{escape(url)}"' if isinstance(url, str) and URL.fullmatch(url) else ""
    caption = image["caption"]
    return (
        f'<figure><img{src} alt="{escape(caption)}">'
        f"<figcaption>{escape(caption)}{IMAGE_SOURCE}{escape(image['source'])}</figcaption></figure>\n"
    )


def _html_section(section: dict[str, Any]) -> str:
    """A body section: ``<h2>`` heading, then ``<p>`` paragraphs or a ``<ul>`` checklist."""
    head = f"<section>\n<h2>{escape(section['heading'])}</h2>\n"
    if section["kind"] == "checklist":
        return f"{head}{_html_list(section['items'])}</section>\n"
    if section["kind"] != "paragraphs":
        raise InputError(f"unknown section kind {section['kind']!r}", hint="use 'paragraphs' or 'checklist'")
    return head + "".join(f"<p>{escape(p)}</p>\n" for p in section["paragraphs"]) + "</section>\n"


def _html_list(items: Iterable[object]) -> str:
    """A ``<ul>`` of escaped items."""
    return "<ul>\n" + "".join(f"<li>{escape(item)}</li>\n" for item in items) + "</ul>\n"


def _html_meta(meta: dict[str, Any]) -> str:
    """The meta box: a ``<dl>`` with a ``<dt>label</dt><dd>value</dd>`` pair per field."""
    rows = "".join(
        f"<dt>{field.label}</dt><dd>{_html_meta_value(field, meta[field.key])}</dd>\n" for field in META_FIELDS
    )
    return f'<section class="meta">\n<h2>{META_HEADING}</h2>\n<dl>\n{rows}</dl>\n</section>\n'


def _html_meta_value(field: MetaField, value: Any) -> str:
    """The ``<dd>`` content of a meta field: escaped text, or a (nested) ``<ul>``."""
    if field.kind == "list":
        return _html_list(value)
    if field.kind == "object":
        return _html_list(members(field, value))
    if field.kind == "objects":
        return "<ul>\n" + "".join(f"<li>{_html_list(members(field, item))}</li>\n" for item in value) + "</ul>\n"
    return escape(scalar(value, field.kind))


def _html_similar(ids: list[Any], linked: Linked) -> str:
    """The ``Similar Posts`` section; without similar posts, the heading alone."""
    items = "".join(f"<li>{_html_similar_item(pid, linked)}</li>\n" for pid in ids)
    listing = f"<ul>\n{items}</ul>\n" if ids else ""
    return f'<section class="similar">\n<h2>{SIMILAR_HEADING}</h2>\n{listing}</section>\n'


def _html_similar_item(pid: Any, linked: Linked) -> str:
    """A link to ``<id>.html`` for a well-formed id that ``linked`` accepts; the escaped text otherwise."""
    if isinstance(pid, str) and POST_ID.fullmatch(pid) and linked(pid):
        return f'<a href="{pid}.html">{pid}</a>'
    return escape(pid)


# ---- reading ----

_VOID: Final = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_SPACE: Final = " \t\n\r\f"  # HTML's inter-element white space


@dataclasses.dataclass(slots=True)
class _Node:
    """An element of the page: tag, attributes, the line it starts on, and its children."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node | _Text] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(slots=True)
class _Text:
    """Text between tags (character references decoded) and the line it starts on."""

    text: str
    line: int


class _TreeBuilder(HTMLParser):
    """Builds a :class:`_Node` tree from :class:`html.parser.HTMLParser` events (character references decoded)."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.root = _Node("#document", {}, 1)
        self.stack = [self.root]

    def _append(self, tag: str, attrs: list[tuple[str, str | None]]) -> _Node:
        """Add an element to the open element."""
        node = _Node(tag, {name: value or "" for name, value in attrs}, self.getpos()[0])
        self.stack[-1].children.append(node)
        return node

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an element (void elements are not left open)."""
        node = self._append(tag, attrs)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closing tag: an element with no children."""
        self._append(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        """Close the open element, which must be ``tag``."""
        if tag in _VOID:
            return
        top = self.stack[-1]
        if len(self.stack) == 1 or top.tag != tag:
            expected = "no end tag" if len(self.stack) == 1 else f"</{top.tag}> (opened on line {top.line})"
            raise InputError(f"{self.source}:{self.getpos()[0]}: expected {expected}, found </{tag}>", hint=HINT)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        """Text, joined to the text before it."""
        children = self.stack[-1].children
        if children and isinstance(children[-1], _Text):
            children[-1].text += data
        else:
            children.append(_Text(data, self.getpos()[0]))

    def tree(self, html: str) -> _Node:
        """The element tree of a whole page."""
        try:
            self.feed(html)
            self.close()
        except AssertionError as exc:  # how html.parser reports markup it cannot read, such as '<![x'
            line = self.getpos()[0]
            raise InputError(f"{self.source}:{line}: expected HTML, found markup that cannot be read ({exc})") from None
        if len(self.stack) > 1:
            top = self.stack[-1]
            raise InputError(
                f"{self.source}:{self.getpos()[0]}: expected </{top.tag}> (opened on line {top.line}), "
                "found the end of the page",
                hint=HINT,
            )
        return self.root


class _Kids:
    """The children of an element, white space between elements skipped, with a cursor."""

    def __init__(self, node: _Node, source: str) -> None:
        self.node = node
        self.source = source
        self.items = [c for c in node.children if not (isinstance(c, _Text) and not c.text.strip(_SPACE))]
        self.at = 0

    def peek(self, tag: str, cls: str | None = None) -> bool:
        """Whether the next child is a ``<tag>`` element (with class ``cls``, or none when ``cls`` is None)."""
        item = self.items[self.at] if self.at < len(self.items) else None
        return isinstance(item, _Node) and item.tag == tag and item.attrs.get("class") == cls

    def error(self, expected: str) -> InputError:
        """An error at the cursor: ``expected ..., found <what is there>``."""
        if self.at >= len(self.items):
            line, found = self.node.line, f"the end of <{self.node.tag}>"
        else:
            item = self.items[self.at]
            line, found = item.line, f"<{item.tag}>" if isinstance(item, _Node) else f"text {shown(item.text)}"
        return InputError(f"{self.source}:{line}: expected {expected}, found {found}", hint=HINT)

    def take(self, tag: str, expected: str, cls: str | None = None) -> _Node:
        """Take the next child, which must be a ``<tag>`` element (of class ``cls``)."""
        if not self.peek(tag, cls):
            raise self.error(expected)
        self.at += 1
        node = self.items[self.at - 1]
        assert isinstance(node, _Node)  # noqa: S101 - peek checked it
        return node

    def every(self, tag: str, expected: str) -> list[_Node]:
        """All the remaining children, each a ``<tag>``."""
        nodes = []
        while self.at < len(self.items):
            nodes.append(self.take(tag, expected))
        return nodes

    def end(self) -> None:
        """Check that no child is left."""
        if self.at < len(self.items):
            raise self.error(f"the end of <{self.node.tag}>")


def _text_of(node: _Node, source: str) -> str:
    """The text of an element that must hold only text."""
    for child in node.children:
        if isinstance(child, _Node):
            raise InputError(
                f"{source}:{child.line}: expected only text in <{node.tag}>, found <{child.tag}>", hint=HINT
            )
    return "".join(child.text for child in node.children if isinstance(child, _Text))


def _find(node: _Node, tag: str) -> _Node | None:
    """The first ``<tag>`` element in document order."""
    for child in node.children:
        if isinstance(child, _Node):
            found = child if child.tag == tag else _find(child, tag)
            if found is not None:
                return found
    return None


def parse_html(html: str, *, source: str = "<page>") -> dict[str, Any]:
    """The post an HTML page shows (the ``<article>`` of :func:`synth.render.render_html`)."""
    article = _find(_TreeBuilder(source).tree(html), "article")
    if article is None:
        raise InputError(f"{source}:1: expected an <article> element, found none", hint=HINT)
    kids = _Kids(article, source)
    title = _text_of(kids.take("h1", "the title in <h1>"), source)
    intro = _text_of(kids.take("p", "the intro in <p>"), source)
    images = []
    while kids.peek("figure"):
        images.append(_read_image(kids.take("figure", "<figure>"), source))
    sections = []
    while kids.peek("section"):
        sections.append(_read_section(kids.take("section", "<section>"), source))
    meta = _read_meta(kids.take("section", '<section class="meta">', "meta"), source)
    similar = _read_similar(kids.take("section", '<section class="similar">', "similar"), source)
    kids.end()
    return post_of((title, intro), images, sections, meta, similar)


def _read_image(figure: _Node, source: str) -> dict[str, str]:
    """``<figure><img alt=caption><figcaption><caption>. image source: <source></figcaption></figure>``."""
    kids = _Kids(figure, source)
    img = kids.take("img", "<img>")
    caption_node = kids.take("figcaption", "<figcaption>")
    kids.end()
    if "alt" not in img.attrs:
        raise InputError(
            f"{source}:{img.line}: expected an alt attribute (the caption) on <img>, found none", hint=HINT
        )
    caption, text = img.attrs["alt"], _text_of(caption_node, source)
    if not text.startswith(caption + IMAGE_SOURCE):
        expected = shown(caption + IMAGE_SOURCE + "...")
        raise InputError(f"{source}:{caption_node.line}: expected {expected}, found {shown(text)}", hint=HINT)
    return {"caption": caption, "source": text[len(caption) + len(IMAGE_SOURCE) :]}


def _read_section(section: _Node, source: str) -> dict[str, Any]:
    """A body section: ``<h2>``, then ``<p>`` paragraphs or one ``<ul>`` checklist."""
    kids = _Kids(section, source)
    heading = _text_of(kids.take("h2", "the section heading in <h2>"), source)
    if kids.peek("ul"):
        items = _read_items(kids.take("ul", "<ul>"), source)
        kids.end()
        return {"kind": "checklist", "heading": heading, "items": items}
    paragraphs = [_text_of(kids.take("p", "a paragraph <p> or a checklist <ul>"), source)]
    while kids.peek("p"):
        paragraphs.append(_text_of(kids.take("p", "<p>"), source))
    kids.end()
    return {"kind": "paragraphs", "heading": heading, "paragraphs": paragraphs}


def _read_items(ul: _Node, source: str) -> list[str]:
    """The texts of the ``<li>`` items of a ``<ul>``."""
    return [_text_of(li, source) for li in _Kids(ul, source).every("li", "<li>")]


def _read_heading(kids: _Kids, heading: str, source: str) -> None:
    """Take the ``<h2>``, which must read ``heading``."""
    h2 = kids.take("h2", f"<h2>{heading}</h2>")
    if (text := _text_of(h2, source)) != heading:
        raise InputError(f"{source}:{h2.line}: expected the heading {heading!r}, found {shown(text)}", hint=HINT)


def _read_meta(section: _Node, source: str) -> dict[str, Any]:
    """The meta box: ``<dl>`` with a ``<dt>label</dt><dd>value</dd>`` pair per field, in page order."""
    kids = _Kids(section, source)
    _read_heading(kids, META_HEADING, source)
    dl = _Kids(kids.take("dl", "the meta box <dl>"), source)
    kids.end()
    meta = {}
    for f in META_FIELDS:
        dt = dl.take("dt", f"<dt>{f.label}</dt>")
        if (label := _text_of(dt, source)) != f.label:
            raise InputError(f"{source}:{dt.line}: {label_found(f, label)}", hint=HINT)
        meta[f.key] = _read_meta_value(f, dl.take("dd", f"the <dd> of {f.label!r}"), source)
    dl.end()
    return meta


def _read_meta_value(f: MetaField, dd: _Node, source: str) -> Any:
    """The value of a meta field from its ``<dd>``."""
    if f.kind in ("text", "int", "flag"):
        return _htmlscalar(dd, _text_of(dd, source), f.kind, f.label, source)
    kids = _Kids(dd, source)
    ul = kids.take("ul", f"a <ul> list for {f.label!r}")
    kids.end()
    if f.kind == "list":
        return _read_items(ul, source)
    if f.kind == "object":
        return _read_object(ul, f, source)
    objects = []
    for li in _Kids(ul, source).every("li", "<li>"):
        item = _Kids(li, source)
        objects.append(_read_object(item.take("ul", f"a <ul> of the members of an item of {f.label!r}"), f, source))
        item.end()
    return objects


def _read_object(ul: _Node, f: MetaField, source: str) -> dict[str, Any]:
    """An object: a ``<li><label>: <value></li>`` per member, in order."""
    kids = _Kids(ul, source)
    value = {}
    for key, label, kind in f.fields:
        li = kids.take("li", f"<li>{label}: ...</li> of {f.label!r}")
        text = _text_of(li, source)
        if not text.startswith(f"{label}: "):
            raise InputError(
                f"{source}:{li.line}: expected '{label}: ...' of {f.label!r}, found {shown(text)}", hint=HINT
            )
        value[key] = _htmlscalar(li, text[len(label) + 2 :], kind, label, source)
    kids.end()
    return value


def _htmlscalar(node: _Node, text: str, kind: str, label: str, source: str) -> Any:
    """A scalar from the text of ``node``, or an InputError at its line."""
    try:
        return convert(text, kind, label)
    except ValueError as exc:
        raise InputError(f"{source}:{node.line}: {exc}", hint=HINT) from None


def _read_similar(section: _Node, source: str) -> list[str]:
    """``Similar Posts``: a ``<li>`` per id, holding the id or a link whose text is the id."""
    kids = _Kids(section, source)
    _read_heading(kids, SIMILAR_HEADING, source)
    if not kids.peek("ul"):
        kids.end()
        return []
    ids = []
    for li in _Kids(kids.take("ul", "<ul>"), source).every("li", "<li>"):
        inner = _Kids(li, source)
        if not inner.peek("a"):
            ids.append(_text_of(li, source))
            continue
        ids.append(_text_of(inner.take("a", "<a>"), source))
        inner.end()
    kids.end()
    return ids
