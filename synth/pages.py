"""Read rendered pages back into posts: the text page and the HTML page of :mod:`synth.render`.

:func:`parse_text` and :func:`parse_html` return a dict in the JSON shape of
:class:`synth.model.Post`, keys in schema order. What a page does not show verbatim is derived
from what it does: ``schema_version`` is 1, ``id`` is ``meta.payload.source_id``, a section
with bullets is a checklist section, JSON keys are the labels with spaces as underscores,
flags ``1``/``0`` are booleans and the numeric fields are integers. The result is not
validated: :func:`synth.validate.validate_post` does that.

A page that does not follow the layout raises :class:`~synth.errors.InputError` naming the
source, the 1-based line and what was expected, e.g.
``page.txt:37: expected the meta label 'topic', found 'topik...'``. Nothing on the page is
ever dropped silently: every line (text) or element (HTML, within ``<article>``) must be
accounted for.

Text pages are read as :func:`synth.render.render_text` writes them; a leading byte-order
mark, CRLF line ends and one final newline are accepted. HTML pages are read with the
standard library's :class:`html.parser.HTMLParser` into a small element tree; elements outside
``<article>`` (the site's navigation, the head) are ignored.
"""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from typing import Any, Final

from synth._constants import SCHEMA_VERSION
from synth._layout import (
    BULLET,
    IMAGE_SOURCE,
    META_FIELDS,
    META_HEADING,
    OBJECT_BULLET,
    SIMILAR_HEADING,
    MetaField,
)
from synth.errors import InputError

__all__ = ["MAX_PAGE_BYTES", "parse_file", "parse_html", "parse_text"]

_SHOWN: Final = 40
_LABELS: Final = {f.label: i for i, f in enumerate(META_FIELDS)}
_HINT: Final = "pages are read in the layout synth.render writes; compare the page with one it rendered"


def _shown(text: str) -> str:
    """A piece of a page as error messages quote it: in quotes, cut to 40 characters."""
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")


def _label_found(field: MetaField, found: str) -> str:
    """The end of a message for a meta label that is not ``field``'s: unknown, or out of order."""
    known = max((label for label in _LABELS if found.startswith(label)), key=len, default=None)
    if known is None:
        return f"expected the meta label {field.label!r}, found {_shown(found)}"
    place = "comes later" if _LABELS[known] > _LABELS[field.label] else "came earlier"
    return (
        f"expected the meta label {field.label!r}, found the label {known!r}, which {place} "
        f"(meta labels come in page order; {field.label!r} is missing or out of place)"
    )


def _convert(value: str, kind: str, label: str) -> str | int | bool:
    """A scalar from its page text; raises ValueError with the expectation when it is malformed."""
    if kind == "flag":
        if value not in ("1", "0"):
            raise ValueError(f"expected 1 or 0 for {label!r}, found {_shown(value)}")
        return value == "1"
    if kind == "int":
        if not (value.isascii() and value.isdigit()):
            raise ValueError(f"expected a whole number for {label!r}, found {_shown(value)}")
        return int(value)
    return value


def _post(
    head: tuple[str, str],
    images: list[dict[str, str]],
    sections: list[dict[str, Any]],
    meta: dict[str, Any],
    similar: list[str],
) -> dict[str, Any]:
    """The post dict, keys in schema order, with what the page does not show derived."""
    payload = meta.get("payload")
    pid = payload.get("source_id") if isinstance(payload, dict) else None
    title, intro = head
    return {
        "schema_version": SCHEMA_VERSION,
        "id": pid,
        "title": title,
        "intro": intro,
        "images": images,
        "sections": sections,
        "meta": meta,
        "similar_posts": similar,
    }


# ---- text ----


class _Lines:
    """The lines of a text page and a cursor; errors name the 1-based line."""

    def __init__(self, text: str, source: str) -> None:
        text = text.removeprefix("\ufeff").replace("\r\n", "\n")
        self.lines = text.removesuffix("\n").split("\n")
        self.at = 0
        self.source = source

    def peek(self, ahead: int = 0) -> str | None:
        """The line ``ahead`` lines from the cursor, or None past the end."""
        at = self.at + ahead
        return self.lines[at] if at < len(self.lines) else None

    def error(self, expected: str, *, found: str | None = None) -> InputError:
        """An error at the cursor: ``expected ..., found <what is there>``."""
        line = self.peek()
        if found is None:
            found = "the end of the page" if line is None else "a blank line" if line == "" else _shown(line)
        number = min(self.at, len(self.lines) - 1) + 1
        return InputError(f"{self.source}:{number}: expected {expected}, found {found}", hint=_HINT)

    def fail(self, message: str) -> InputError:
        """An error at the cursor with a message of its own."""
        return InputError(f"{self.source}:{self.at + 1}: {message}", hint=_HINT)

    def take(self, expected: str) -> str:
        """The current line, which must hold text (not blank, not a bullet)."""
        line = self.peek()
        if not line or line.startswith(BULLET):
            raise self.error(expected)
        self.at += 1
        return line

    def exact(self, line: str) -> None:
        """Take a line that must be exactly ``line``."""
        if self.peek() != line:
            raise self.error(repr(line))
        self.at += 1

    def blank(self) -> None:
        """Take a blank line."""
        if self.peek() != "":
            raise self.error("a blank line")
        self.at += 1

    def bullets(self, prefix: str = BULLET) -> list[str]:
        """The values of the bullet lines from here on."""
        items = []
        while (line := self.peek()) is not None and line.startswith(prefix):
            items.append(line[len(prefix) :])
            self.at += 1
        return items

    def last(self, line: str) -> int:
        """Index of the last line equal to ``line``."""
        for at in range(len(self.lines) - 1, self.at - 1, -1):
            if self.lines[at] == line:
                return at
        raise InputError(f"{self.source}:{len(self.lines)}: expected a line {line!r}, found none", hint=_HINT)


def parse_text(text: str, *, source: str = "<page>") -> dict[str, Any]:
    """The post a text page shows (the layout of :func:`synth.render.render_text`)."""
    lines = _Lines(text, source)
    title = lines.take("the title")
    lines.blank()
    intro = lines.take("the intro paragraph")
    lines.blank()
    meta_at = lines.last(META_HEADING)
    images = _text_images(lines)
    sections = _text_sections(lines, meta_at)
    lines.exact(META_HEADING)
    lines.blank()
    meta = {f.key: _text_meta_field(lines, f) for f in META_FIELDS}
    lines.blank()
    lines.exact(SIMILAR_HEADING)
    similar = _text_similar(lines)
    return _post((title, intro), images, sections, meta, similar)


def _text_images(lines: _Lines) -> list[dict[str, str]]:
    """The image blocks: a caption line, then ``<caption>. image source: <source>``, then a blank line."""
    images = []
    while (caption := lines.peek()) and (second := lines.peek(1)) and second.startswith(caption + IMAGE_SOURCE):
        images.append({"caption": caption, "source": second[len(caption) + len(IMAGE_SOURCE) :]})
        lines.at += 2
        lines.blank()
    return images


def _text_sections(lines: _Lines, meta_at: int) -> list[dict[str, Any]]:
    """The body sections up to the meta heading at ``meta_at``."""
    sections: list[dict[str, Any]] = []
    while lines.at < meta_at:
        heading = lines.take("a section heading")
        lines.blank()
        if (lines.peek() or "").startswith(BULLET):
            sections.append({"kind": "checklist", "heading": heading, "items": lines.bullets()})
            lines.blank()
        else:
            sections.append({"kind": "paragraphs", "heading": heading, "paragraphs": _text_paragraphs(lines, meta_at)})
    return sections


def _text_paragraphs(lines: _Lines, meta_at: int) -> list[str]:
    """Paragraphs, each followed by a blank line, up to the meta heading or a checklist's heading."""
    paragraphs = [lines.take("a paragraph")]
    lines.blank()
    while lines.at < meta_at and not (lines.peek(1) == "" and (lines.peek(2) or "").startswith(BULLET)):
        paragraphs.append(lines.take("a paragraph"))
        lines.blank()
    return paragraphs


def _text_meta_field(lines: _Lines, field: MetaField) -> Any:
    """The value of one meta field, its lines consumed."""
    line = lines.peek()
    if not line:
        raise lines.error(f"the meta label {field.label!r}")
    if not line.startswith(field.label):
        raise lines.fail(_label_found(field, line))
    if field.kind in ("text", "int", "flag"):
        value = _text_scalar(lines, line[len(field.label) :], field.kind, field.label)
        lines.at += 1
        return value
    if line != field.label:
        raise lines.fail(f"expected the meta label {field.label!r} alone on its line, found {_shown(line)}")
    lines.at += 1
    if field.kind == "list":
        return lines.bullets()
    if field.kind == "object":
        return _text_object(lines, field, BULLET)
    objects = []
    while (lines.peek() or "").startswith(OBJECT_BULLET):
        objects.append(_text_object(lines, field, OBJECT_BULLET))
    return objects


def _text_object(lines: _Lines, field: MetaField, bullet: str) -> dict[str, Any]:
    """One object of the meta box: a ``<bullet><label>: <value>`` line per member, in order."""
    value = {}
    for key, label, kind in field.fields:
        prefix = f"{bullet}{label}: "
        line = lines.peek()
        if line is None or not line.startswith(prefix):
            raise lines.error(f"the line {prefix + '...'!r} of {field.label!r}")
        value[key] = _text_scalar(lines, line[len(prefix) :], kind, label)
        lines.at += 1
    return value


def _text_scalar(lines: _Lines, text: str, kind: str, label: str) -> Any:
    """A scalar from its text, or an InputError at the current line."""
    try:
        return _convert(text, kind, label)
    except ValueError as exc:
        raise lines.fail(str(exc)) from None


def _text_similar(lines: _Lines) -> list[str]:
    """The ids after ``Similar Posts``: none, or a blank line and one ``  • <id>`` line each; then the end."""
    if lines.peek() is None:
        return []
    lines.blank()
    ids = lines.bullets()
    if not ids or lines.peek() is not None:
        raise lines.error(f"a similar post line {BULLET + 'alphanode-000123'!r}" if not ids else "the end of the page")
    return ids


# ---- HTML ----

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
            raise InputError(f"{self.source}:{self.getpos()[0]}: expected {expected}, found </{tag}>", hint=_HINT)
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
                hint=_HINT,
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
            line, found = item.line, f"<{item.tag}>" if isinstance(item, _Node) else f"text {_shown(item.text)}"
        return InputError(f"{self.source}:{line}: expected {expected}, found {found}", hint=_HINT)

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
                f"{source}:{child.line}: expected only text in <{node.tag}>, found <{child.tag}>", hint=_HINT
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
        raise InputError(f"{source}:1: expected an <article> element, found none", hint=_HINT)
    kids = _Kids(article, source)
    title = _text_of(kids.take("h1", "the title in <h1>"), source)
    intro = _text_of(kids.take("p", "the intro in <p>"), source)
    images = []
    while kids.peek("figure"):
        images.append(_html_image(kids.take("figure", "<figure>"), source))
    sections = []
    while kids.peek("section"):
        sections.append(_html_section(kids.take("section", "<section>"), source))
    meta = _html_meta(kids.take("section", '<section class="meta">', "meta"), source)
    similar = _html_similar(kids.take("section", '<section class="similar">', "similar"), source)
    kids.end()
    return _post((title, intro), images, sections, meta, similar)


def _html_image(figure: _Node, source: str) -> dict[str, str]:
    """``<figure><img alt=caption><figcaption><caption>. image source: <source></figcaption></figure>``."""
    kids = _Kids(figure, source)
    img = kids.take("img", "<img>")
    caption_node = kids.take("figcaption", "<figcaption>")
    kids.end()
    if "alt" not in img.attrs:
        raise InputError(
            f"{source}:{img.line}: expected an alt attribute (the caption) on <img>, found none", hint=_HINT
        )
    caption, text = img.attrs["alt"], _text_of(caption_node, source)
    if not text.startswith(caption + IMAGE_SOURCE):
        expected = _shown(caption + IMAGE_SOURCE + "...")
        raise InputError(f"{source}:{caption_node.line}: expected {expected}, found {_shown(text)}", hint=_HINT)
    return {"caption": caption, "source": text[len(caption) + len(IMAGE_SOURCE) :]}


def _html_section(section: _Node, source: str) -> dict[str, Any]:
    """A body section: ``<h2>``, then ``<p>`` paragraphs or one ``<ul>`` checklist."""
    kids = _Kids(section, source)
    heading = _text_of(kids.take("h2", "the section heading in <h2>"), source)
    if kids.peek("ul"):
        items = _html_items(kids.take("ul", "<ul>"), source)
        kids.end()
        return {"kind": "checklist", "heading": heading, "items": items}
    paragraphs = [_text_of(kids.take("p", "a paragraph <p> or a checklist <ul>"), source)]
    while kids.peek("p"):
        paragraphs.append(_text_of(kids.take("p", "<p>"), source))
    kids.end()
    return {"kind": "paragraphs", "heading": heading, "paragraphs": paragraphs}


def _html_items(ul: _Node, source: str) -> list[str]:
    """The texts of the ``<li>`` items of a ``<ul>``."""
    return [_text_of(li, source) for li in _Kids(ul, source).every("li", "<li>")]


def _html_heading(kids: _Kids, heading: str, source: str) -> None:
    """Take the ``<h2>``, which must read ``heading``."""
    h2 = kids.take("h2", f"<h2>{heading}</h2>")
    if (text := _text_of(h2, source)) != heading:
        raise InputError(f"{source}:{h2.line}: expected the heading {heading!r}, found {_shown(text)}", hint=_HINT)


def _html_meta(section: _Node, source: str) -> dict[str, Any]:
    """The meta box: ``<dl>`` with a ``<dt>label</dt><dd>value</dd>`` pair per field, in page order."""
    kids = _Kids(section, source)
    _html_heading(kids, META_HEADING, source)
    dl = _Kids(kids.take("dl", "the meta box <dl>"), source)
    kids.end()
    meta = {}
    for f in META_FIELDS:
        dt = dl.take("dt", f"<dt>{f.label}</dt>")
        if (label := _text_of(dt, source)) != f.label:
            raise InputError(f"{source}:{dt.line}: {_label_found(f, label)}", hint=_HINT)
        meta[f.key] = _html_meta_value(f, dl.take("dd", f"the <dd> of {f.label!r}"), source)
    dl.end()
    return meta


def _html_meta_value(f: MetaField, dd: _Node, source: str) -> Any:
    """The value of a meta field from its ``<dd>``."""
    if f.kind in ("text", "int", "flag"):
        return _html_scalar(dd, _text_of(dd, source), f.kind, f.label, source)
    kids = _Kids(dd, source)
    ul = kids.take("ul", f"a <ul> list for {f.label!r}")
    kids.end()
    if f.kind == "list":
        return _html_items(ul, source)
    if f.kind == "object":
        return _html_object(ul, f, source)
    objects = []
    for li in _Kids(ul, source).every("li", "<li>"):
        item = _Kids(li, source)
        objects.append(_html_object(item.take("ul", f"a <ul> of the members of an item of {f.label!r}"), f, source))
        item.end()
    return objects


def _html_object(ul: _Node, f: MetaField, source: str) -> dict[str, Any]:
    """An object: a ``<li><label>: <value></li>`` per member, in order."""
    kids = _Kids(ul, source)
    value = {}
    for key, label, kind in f.fields:
        li = kids.take("li", f"<li>{label}: ...</li> of {f.label!r}")
        text = _text_of(li, source)
        if not text.startswith(f"{label}: "):
            raise InputError(
                f"{source}:{li.line}: expected '{label}: ...' of {f.label!r}, found {_shown(text)}", hint=_HINT
            )
        value[key] = _html_scalar(li, text[len(label) + 2 :], kind, label, source)
    kids.end()
    return value


def _html_scalar(node: _Node, text: str, kind: str, label: str, source: str) -> Any:
    """A scalar from the text of ``node``, or an InputError at its line."""
    try:
        return _convert(text, kind, label)
    except ValueError as exc:
        raise InputError(f"{source}:{node.line}: {exc}", hint=_HINT) from None


def _html_similar(section: _Node, source: str) -> list[str]:
    """``Similar Posts``: a ``<li>`` per id, holding the id or a link whose text is the id."""
    kids = _Kids(section, source)
    _html_heading(kids, SIMILAR_HEADING, source)
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


MAX_PAGE_BYTES: Final = 16 << 20


def parse_file(path: str, fmt: str | None = None) -> dict[str, Any]:
    """Parse a rendered page file (``-`` is stdin); ``fmt`` text or html, guessed from the content when None."""
    from synth.io import open_input  # noqa: PLC0415

    with open_input(path) as stream:
        data = stream.read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        raise InputError(f"{path}: larger than {MAX_PAGE_BYTES:,} bytes", hint="pass one page at a time")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: byte {exc.start} is not UTF-8", hint="save the page as UTF-8") from None
    guess = "html" if text.lstrip("\ufeff \t\r\n").startswith("<") else "text"
    return (parse_html if (fmt or guess) == "html" else parse_text)(text, source=path)
