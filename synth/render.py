"""Render posts as pages: text laid out like the sample page, HTML5, Markdown, and a static site.

Every renderer takes a :class:`synth.model.Post` or a dict in the model's JSON shape and is
deterministic: the same post gives the same page, byte for byte.

**Text** (:func:`render_text`) is the layout of the sample page ``alphanode-008320.txt``,
lines joined by ``\\n``, no newline after the last line::

    <title>
                                                (blank line)
    <intro>
                                                (blank line)
    <caption>                                   } one block per image,
    <caption>. image source: <source>           } each followed by a blank line
                                                (blank line)
    <heading>                                   } one block per section: its heading, a blank
                                                } line, then each paragraph followed by a blank
    <paragraph>                                 } line, or the checklist's ``  • item`` lines
                                                } followed by one blank line
    alphanode post meta
                                                (blank line)
    <meta box, see synth._layout>
                                                (blank line)
    Similar Posts
                                                (blank line, only when there are similar posts)
      • alphanode-000123                        (one line per similar post id)

The page shows text exactly as it is in the post (the title's case included). What the text
page cannot show is refused with :class:`~synth.errors.InputError` rather than rendered
ambiguously: a line break inside a value, an empty title, intro, caption, heading or paragraph
(or one starting with the bullet ``"  • "``), and two paragraph sections in a row (nothing on
the page would tell where one ends). HTML and Markdown have none of these limits.

**HTML** (:func:`render_html`): an HTML5 page whose text reads like the text page; every value
is escaped (``html.escape`` with ``quote=True``; a carriage return as ``&#13;`` so parsers do
not fold it into a newline; NUL, which no HTML parser keeps, as U+FFFD); only http(s) URLs
matching the model's URL pattern go into ``src``, and similar-post links are built from ids
matching the post-id pattern, anything else is shown as text.

**Markdown** (:func:`render_markdown`): the same page for docs and wikis; content is escaped so
it stays text (see :func:`_md`); similar posts link to ``<id>.md``.

**Site** (:func:`write_site`): one ``<id>.html`` page per post and paginated index pages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import orjson

from synth._layout import (
    BULLET,
    IMAGE_SOURCE,
    META_FIELDS,
    META_HEADING,
    OBJECT_BULLET,
    POST_ID,
    SIMILAR_HEADING,
    URL,
    MetaField,
    post_name,
)
from synth.errors import InputError, OutputError, UsageError
from synth.model import Post

__all__ = [
    "SiteSummary",
    "index_page_name",
    "read_posts",
    "render_file",
    "render_html",
    "render_markdown",
    "render_text",
    "write_site",
]

PostLike = Post | dict[str, Any]
Linked = Callable[[str], bool]

_LANG: Final = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*", re.ASCII)
_SHAPE_ERRORS: Final = (KeyError, TypeError, AttributeError, IndexError, ValueError)


def _as_dict(post: PostLike) -> dict[str, Any]:
    """The post as a dict in the model's JSON shape."""
    if isinstance(post, Post):
        return post.model_dump(mode="json")
    if isinstance(post, dict):
        return post
    raise InputError(
        f"cannot render a {type(post).__name__} as a post", hint="pass a synth.Post or a dict in the model's shape"
    )


def _render(make: Callable[[dict[str, Any]], str], post: PostLike) -> str:
    """``make(post)``, with a post that is not in the model's shape reported as an InputError."""
    data = _as_dict(post)
    try:
        return make(data)
    except _SHAPE_ERRORS as exc:
        raise InputError(
            f"post {post_name(data)} is not in the model's shape ({type(exc).__name__}: {exc})",
            hint="check it with synth.validate_post",
        ) from None


# ---- text ----


def render_text(post: PostLike) -> str:
    """The post as a text page laid out like the sample page (see the module docstring)."""
    return _render(_text_page, post)


def _text_page(post: dict[str, Any]) -> str:
    """The text page of a post dict, or InputError when the layout cannot show it."""
    _check_text_body(post)
    lines = [post["title"], "", post["intro"], ""]
    for image in post["images"]:
        lines += [image["caption"], f"{image['caption']}{IMAGE_SOURCE}{image['source']}", ""]
    for section in post["sections"]:
        lines += _text_section(section)
    lines += [META_HEADING, "", *_text_meta(post["meta"]), "", SIMILAR_HEADING]
    if post["similar_posts"]:
        lines += ["", *(BULLET + pid for pid in post["similar_posts"])]
    page = "\n".join(lines)
    if "\r" in page or page.count("\n") != len(lines) - 1:
        raise _text_refusal(post, "a value has a line break, which a text page cannot show")
    return page


def _text_section(section: dict[str, Any]) -> list[str]:
    """The lines of a body section: heading, blank line, paragraphs or bullets, blank line(s)."""
    if section["kind"] == "checklist":
        return [section["heading"], "", *(BULLET + item for item in section["items"]), ""]
    if section["kind"] != "paragraphs":
        raise InputError(f"unknown section kind {section['kind']!r}", hint="use 'paragraphs' or 'checklist'")
    lines = [section["heading"], ""]
    for paragraph in section["paragraphs"]:
        lines += [paragraph, ""]
    return lines


def _text_meta(meta: dict[str, Any]) -> Iterator[str]:
    """The lines of the meta box, field by field (layout in :mod:`synth._layout`)."""
    for field in META_FIELDS:
        value = meta[field.key]
        if field.kind == "list":
            yield field.label
            yield from (f"{BULLET}{item}" for item in value)
        elif field.kind == "object":
            yield field.label
            yield from (f"{BULLET}{label}: {_scalar(value[key], kind)}" for key, label, kind in field.fields)
        elif field.kind == "objects":
            yield field.label
            for item in value:
                yield from (f"{OBJECT_BULLET}{label}: {_scalar(item[key], kind)}" for key, label, kind in field.fields)
        else:
            yield field.label + _scalar(value, field.kind)


def _scalar(value: Any, kind: str) -> str:
    """A scalar as the page shows it: flags as 1/0, numbers in decimal, text as is."""
    if kind == "flag":
        return "1" if value else "0"
    return str(value)


def _check_text_body(post: dict[str, Any]) -> None:
    """Refuse a post whose body the text layout cannot show unambiguously."""
    lines = [("title", post["title"]), ("intro", post["intro"])]
    lines += [(f"images[{i}].caption", image["caption"]) for i, image in enumerate(post["images"])]
    for i, section in enumerate(post["sections"]):
        lines.append((f"sections[{i}].heading", section["heading"]))
        lines += [(f"sections[{i}].paragraphs[{j}]", p) for j, p in enumerate(section.get("paragraphs", ()))]
        if not section.get("paragraphs", section.get("items")):
            raise _text_refusal(post, f"sections[{i}] is empty, and a heading alone reads as a paragraph")
    for where, text in lines:
        if not isinstance(text, str) or not text or text.startswith(BULLET):
            raise _text_refusal(
                post, f"{where} is {text!r}: a text page needs a non-empty line not starting {BULLET!r}"
            )
    kinds = [section["kind"] for section in post["sections"]]
    for i in range(1, len(kinds)):
        if kinds[i - 1] == kinds[i] == "paragraphs":
            raise _text_refusal(
                post, f"sections {i - 1} and {i} are both paragraph sections, whose border no line shows"
            )


def _text_refusal(post: dict[str, Any], why: str) -> InputError:
    """The error for a post the text layout cannot show, with the reason."""
    return InputError(
        f"post {post_name(post)} cannot be rendered as a text page: {why}",
        hint="render it with render_html or render_markdown, which have no such limit",
    )


# ---- HTML ----


def _esc(value: object) -> str:
    """Text or an attribute value, escaped so that it can never become markup."""
    text = html.escape(str(value), quote=True)
    if "\r" in text or "\0" in text:
        text = text.replace("\r", "&#13;").replace("\0", "\ufffd")
    return text


def render_html(post: PostLike, *, lang: str = "en") -> str:
    """The post as a standalone HTML5 page; similar posts link to ``<id>.html`` beside it."""
    if not _LANG.fullmatch(lang):
        raise UsageError(f"language tag {lang!r} is not valid", hint="use a tag such as 'en' or 'pt-BR'")
    return _render(lambda data: _html_post_page(data, lang=lang, linked=_always, nav=""), post)


def _always(_pid: str) -> bool:
    """Link every well-formed similar-post id (a standalone page does not know its neighbours)."""
    return True


def _html_document(title: str, lang: str, body: str) -> str:
    """A whole HTML5 document around ``body``."""
    return (
        f'<!doctype html>\n<html lang="{_esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _html_post_page(post: dict[str, Any], *, lang: str, linked: Linked, nav: str) -> str:
    """The HTML page of a post; ``linked`` tells which similar posts get links, ``nav`` follows the article."""
    parts = [f"<article>\n<h1>{_esc(post['title'])}</h1>\n<p>{_esc(post['intro'])}</p>\n"]
    urls = [source.get("url") for source in post["meta"]["image_sources"]]
    for i, image in enumerate(post["images"]):
        parts.append(_html_figure(image, urls[i] if i < len(urls) else None))
    parts += [_html_section(section) for section in post["sections"]]
    parts.append(_html_meta(post["meta"]))
    parts.append(_html_similar(post["similar_posts"], linked))
    parts.append(f"</article>\n{nav}")
    return _html_document(post["title"], lang, "".join(parts))


def _html_figure(image: dict[str, Any], url: Any) -> str:
    """An image block; ``url`` goes into ``src`` only when it is an http(s) URL of the model's pattern."""
    src = f' src="{_esc(url)}"' if isinstance(url, str) and URL.fullmatch(url) else ""
    caption = image["caption"]
    return (
        f'<figure><img{src} alt="{_esc(caption)}">'
        f"<figcaption>{_esc(caption)}{IMAGE_SOURCE}{_esc(image['source'])}</figcaption></figure>\n"
    )


def _html_section(section: dict[str, Any]) -> str:
    """A body section: ``<h2>`` heading, then ``<p>`` paragraphs or a ``<ul>`` checklist."""
    head = f"<section>\n<h2>{_esc(section['heading'])}</h2>\n"
    if section["kind"] == "checklist":
        return f"{head}{_html_list(section['items'])}</section>\n"
    if section["kind"] != "paragraphs":
        raise InputError(f"unknown section kind {section['kind']!r}", hint="use 'paragraphs' or 'checklist'")
    return head + "".join(f"<p>{_esc(p)}</p>\n" for p in section["paragraphs"]) + "</section>\n"


def _html_list(items: Iterable[object]) -> str:
    """A ``<ul>`` of escaped items."""
    return "<ul>\n" + "".join(f"<li>{_esc(item)}</li>\n" for item in items) + "</ul>\n"


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
        return _html_list(_members(field, value))
    if field.kind == "objects":
        return "<ul>\n" + "".join(f"<li>{_html_list(_members(field, item))}</li>\n" for item in value) + "</ul>\n"
    return _esc(_scalar(value, field.kind))


def _members(field: MetaField, value: dict[str, Any]) -> list[str]:
    """The ``key: value`` lines of an object of the meta box."""
    return [f"{label}: {_scalar(value[key], kind)}" for key, label, kind in field.fields]


def _html_similar(ids: list[Any], linked: Linked) -> str:
    """The ``Similar Posts`` section; without similar posts, the heading alone."""
    items = "".join(f"<li>{_html_similar_item(pid, linked)}</li>\n" for pid in ids)
    listing = f"<ul>\n{items}</ul>\n" if ids else ""
    return f'<section class="similar">\n<h2>{SIMILAR_HEADING}</h2>\n{listing}</section>\n'


def _html_similar_item(pid: Any, linked: Linked) -> str:
    """A link to ``<id>.html`` for a well-formed id that ``linked`` accepts; the escaped text otherwise."""
    if isinstance(pid, str) and POST_ID.fullmatch(pid) and linked(pid):
        return f'<a href="{pid}.html">{pid}</a>'
    return _esc(pid)


# ---- Markdown ----

_MD_SPECIAL: Final = re.compile(r"[\\`*_{}\[\]<>#|~&$]")
_MD_BREAK: Final = re.compile(r"\r\n|[\r\n]")
_MD_ORDERED: Final = re.compile(r"\d+(?=[.)])", re.ASCII)
_MD_LINE_START: Final = frozenset("-+=0123456789")
# White space that renderers strip from the ends of a paragraph, written as character references
# there; C0 and C1 controls (U+000B, U+001C-U+001F, U+0085) are left as they are, because
# CommonMark renderers do not decode references to them.
_MD_NO_REFS: Final = frozenset("\x0b\x1c\x1d\x1e\x1f\x85")
_MD_URL_SAFE: Final = "/:?#@!$&'*+,;=%-._~"


def _md(value: object) -> str:
    """Content as Markdown that renders as the same text and never as markup.

    Line breaks become spaces (a Markdown block has no way to hold them); the characters that
    start emphasis, code, links, HTML, entities, tables, strikethrough or math are
    backslash-escaped everywhere, a leading ``-``, ``+``, ``=`` or ``1.`` is escaped so no
    list, rule or heading starts, and leading and trailing white space is written as character
    references so it is neither stripped nor read as an indented code block.
    """
    text = str(value)
    if "\r" in text or "\n" in text:
        text = _MD_BREAK.sub(" ", text)
    if _MD_SPECIAL.search(text):
        text = _MD_SPECIAL.sub(r"\\\g<0>", text)
    if text[:1] in _MD_LINE_START or text[:1].isspace() or text[-1:].isspace():
        text = _md_line_start(text)
    return text


def _md_line_start(text: str) -> str:
    """``text`` (already escaped) with its start made inert and its outer white space as references."""
    if text[:1] in ("-", "+", "="):
        text = "\\" + text
    elif match := _MD_ORDERED.match(text):
        text = f"{match.group()}\\{text[match.end() :]}"
    body = text.strip()
    if not body:
        return _md_refs(text)
    lead = len(text) - len(text.lstrip())
    return _md_refs(text[:lead]) + body + _md_refs(text[lead + len(body) :])


def _md_refs(spaces: str) -> str:
    """White space as numeric character references, but for the controls renderers do not decode."""
    return "".join(c if c in _MD_NO_REFS else f"&#{ord(c)};" for c in spaces)


def render_markdown(post: PostLike) -> str:
    """The post as a Markdown page (CommonMark; similar posts link to ``<id>.md``)."""
    return _render(_md_page, post)


def _md_page(post: dict[str, Any]) -> str:
    """The Markdown page of a post dict."""
    parts = [f"# {_md(post['title'])}", _md(post["intro"])]
    urls = [source.get("url") for source in post["meta"]["image_sources"]]
    for i, image in enumerate(post["images"]):
        parts.append(_md_figure(image, urls[i] if i < len(urls) else None))
    parts += [_md_section(section) for section in post["sections"]]
    parts.append(f"## {META_HEADING}\n\n" + "\n".join(_md_meta(post["meta"])))
    parts.append(_md_similar(post["similar_posts"]))
    return "\n\n".join(parts) + "\n"


def _md_figure(image: dict[str, Any], url: Any) -> str:
    """An image (when the URL is an http(s) URL) and its ``<caption>. image source: <source>`` line."""
    caption = _md(image["caption"])
    line = _md(f"{image['caption']}{IMAGE_SOURCE}{image['source']}")
    if isinstance(url, str) and URL.fullmatch(url):
        return f"![{caption}]({quote(url, safe=_MD_URL_SAFE)})\n\n{line}"
    return line


def _md_section(section: dict[str, Any]) -> str:
    """A body section: ``##`` heading, then paragraphs or ``- item`` lines."""
    head = f"## {_md(section['heading'])}\n\n"
    if section["kind"] == "checklist":
        return head + "\n".join(f"- {_md(item)}" for item in section["items"])
    if section["kind"] != "paragraphs":
        raise InputError(f"unknown section kind {section['kind']!r}", hint="use 'paragraphs' or 'checklist'")
    return head + "\n\n".join(_md(p) for p in section["paragraphs"])


def _md_meta(meta: dict[str, Any]) -> Iterator[str]:
    """The meta box as a bullet list: ``- **label:** value``, lists and objects nested below."""
    for field in META_FIELDS:
        value = meta[field.key]
        if field.kind == "list":
            yield f"- **{field.label}:**"
            yield from (f"  - {_md(item)}" for item in value)
        elif field.kind == "object":
            yield f"- **{field.label}:**"
            yield from (f"  - {_md(line)}" for line in _members(field, value))
        elif field.kind == "objects":
            yield f"- **{field.label}:**"
            yield from (f"  - {'; '.join(_md(line) for line in _members(field, item))}" for item in value)
        else:
            yield f"- **{field.label}:** {_md(_scalar(value, field.kind))}"


def _md_similar(ids: list[Any]) -> str:
    """``## Similar Posts`` and a ``- [id](id.md)`` line per similar post (plain text for a bad id)."""
    lines = [f"## {SIMILAR_HEADING}"]
    for pid in ids:
        valid = isinstance(pid, str) and POST_ID.fullmatch(pid)
        lines.append(f"- [{pid}]({pid}.md)" if valid else f"- {_md(pid)}")
    return "\n\n".join([lines[0], "\n".join(lines[1:])]) if ids else lines[0]


# ---- site ----


@dataclass(frozen=True, slots=True)
class SiteSummary:
    """What :func:`write_site` wrote.

    ``links`` counts the similar-post links written; ``unlinked`` the similar posts shown as
    plain text because they are not in the site (or their id is not a post id).
    """

    folder: Path
    posts: int
    index_pages: int
    links: int
    unlinked: int
    bytes: int


def index_page_name(page: int) -> str:
    """File name of index page ``page`` (0-based): ``index.html``, then ``page-2.html``, ..."""
    return "index.html" if page == 0 else f"page-{page + 1}.html"


@dataclass(slots=True)
class _Site:
    """What a site write keeps while it streams: ids and titles for the index, and counters."""

    folder: Path
    per_page: int
    entries: list[tuple[str, str]]
    positions: dict[str, int]
    forward: dict[str, list[str]]
    links: int = 0
    unlinked: int = 0
    bytes: int = 0

    def path(self, name: str) -> Path:
        """The path of file ``name`` in the folder; refused unless it resolves to a file directly in it."""
        path = (self.folder / name).resolve()
        if path.parent != self.folder:
            raise OutputError(f"{self.folder / name} resolves to {path}, outside {self.folder}", hint="remove the link")
        return path

    def write(self, name: str, page: str) -> None:
        """Write ``page`` as UTF-8 to file ``name`` of the folder."""
        try:
            data = page.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(f"{name}: the post holds {exc.object[exc.start : exc.end]!r}, not valid Unicode") from None
        try:
            self.path(name).write_bytes(data)
        except OSError as exc:
            raise OutputError(f"cannot write {self.folder / name}: {exc.strerror}", hint="check the folder") from None
        self.bytes += len(data)


def write_site(posts: Iterable[PostLike], folder: Path, *, per_page: int = 100) -> SiteSummary:
    """Write a static site of ``posts`` into ``folder``: one ``<id>.html`` page each, and index pages.

    Index pages ``index.html``, ``page-2.html``, ... list ``per_page`` posts each, in input
    order, with previous/next links; each post page links to its index page. Similar posts
    link to their pages when they are in the site and are plain text otherwise (a post linking
    to a later post has that link added once the later post has been seen). File names are
    made only from post ids matching the id pattern, and every path is checked to resolve
    directly inside ``folder``. Posts are streamed: only ids and titles are kept.

    Raises :class:`InputError` for a post whose id is not a post id or repeats an earlier one,
    :class:`UsageError` for ``per_page`` < 1 and :class:`OutputError` when a file cannot be written.
    """
    if per_page < 1:
        raise UsageError(f"per_page {per_page} is below 1", hint="list at least one post per index page")
    site = _Site(_site_folder(folder), per_page, [], {}, {})
    for post in posts:
        _write_post_page(site, _as_dict(post))
    _add_forward_links(site)
    pages = _write_index_pages(site)
    return SiteSummary(site.folder, len(site.entries), pages, site.links, site.unlinked, site.bytes)


def _site_folder(folder: Path) -> Path:
    """The output folder, created when missing, resolved (symlinks followed) once."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the folder {folder}: {exc.strerror}", hint="choose a writable folder"
        ) from None
    return folder.resolve()


def _site_id(site: _Site, post: dict[str, Any]) -> str:
    """The post's id, refused unless it is a post id not seen before in this site."""
    pid = post.get("id")
    number = len(site.entries) + 1
    if not isinstance(pid, str) or not POST_ID.fullmatch(pid):
        raise InputError(
            f"post {number}: {pid!r} is not a post id, and page file names are made from ids only",
            hint="give every post an id such as alphanode-000123 ('alphanode-' and six or more digits)",
        )
    if pid in site.positions:
        raise InputError(f"post {number}: id {pid} repeats post {site.positions[pid] + 1}", hint="make ids unique")
    return pid


def _write_post_page(site: _Site, post: dict[str, Any]) -> None:
    """Write the page of the next post and note its id and title for the index."""
    pid = _site_id(site, post)
    position = len(site.entries)
    site.positions[pid] = position
    title = post.get("title")
    site.entries.append((pid, title if isinstance(title, str) else ""))
    similar = post.get("similar_posts")
    ids = [s for s in similar if isinstance(s, str) and POST_ID.fullmatch(s)] if isinstance(similar, list) else []
    later = [s for s in ids if s not in site.positions]
    if later:
        site.forward[pid] = later
    site.links += len(ids) - len(later)
    site.unlinked += (len(similar) if isinstance(similar, list) else 0) - len(ids)
    nav = f'<nav><a href="{index_page_name(position // site.per_page)}">all posts</a></nav>\n'
    page = _render(lambda data: _html_post_page(data, lang="en", linked=site.positions.__contains__, nav=nav), post)
    site.write(f"{pid}.html", page)


def _add_forward_links(site: _Site) -> None:
    """Link the similar posts that were not yet seen when their page was written, now that all are known."""
    for pid, later in site.forward.items():
        found = [s for s in later if s in site.positions]
        site.links += len(found)
        site.unlinked += len(later) - len(found)
        if found:
            path = site.path(f"{pid}.html")
            site.bytes -= path.stat().st_size
            site.write(path.name, _relink(path.read_text(encoding="utf-8"), found))


def _relink(page: str, ids: list[str]) -> str:
    """The page with the plain-text similar posts ``ids`` turned into links.

    Only the similar-posts section, the last of the page and made from validated ids alone, is
    touched: content is escaped, so nothing before it can hold these tags.
    """
    head, marker, tail = page.rpartition('<section class="similar">')
    for pid in ids:
        tail = tail.replace(f"<li>{pid}</li>", f'<li><a href="{pid}.html">{pid}</a></li>')
    return head + marker + tail


def _write_index_pages(site: _Site) -> int:
    """Write the index pages (at least one); returns how many."""
    count = max(1, -(-len(site.entries) // site.per_page))
    for page in range(count):
        chunk = site.entries[page * site.per_page : (page + 1) * site.per_page]
        first = page * site.per_page + 1
        site.write(index_page_name(page), _index_page(chunk, page, count, (first, len(site.entries))))
    return count


def _index_page(entries: list[tuple[str, str]], page: int, count: int, span: tuple[int, int]) -> str:
    """Index page ``page`` of ``count``; ``span`` is (number of its first post, number of posts)."""
    first, total = span
    items = "".join(f'<li><a href="{pid}.html">{_esc(title)}</a></li>\n' for pid, title in entries)
    links = []
    if page > 0:
        links.append(f'<a href="{index_page_name(page - 1)}" rel="prev">previous</a>')
    if page + 1 < count:
        links.append(f'<a href="{index_page_name(page + 1)}" rel="next">next</a>')
    nav = f"<nav>{' '.join(links)}</nav>\n" if links else ""
    shown = f"posts {first:,} to {first + len(entries) - 1:,} of {total:,}" if entries else "no posts"
    body = (
        f"<main>\n<h1>alphanode posts</h1>\n<p>page {page + 1} of {count}: {shown}</p>\n"
        f"<ul>\n{items}</ul>\n{nav}</main>\n"
    )
    return _html_document(f"alphanode posts, page {page + 1} of {count}", "en", body)


_EXTENSIONS: Final = {"text": "txt", "html": "html", "markdown": "md"}
_RENDERERS: Final[dict[str, Callable[[PostLike], str]]] = {
    "text": render_text,
    "html": render_html,
    "markdown": render_markdown,
}


def read_posts(path: str) -> Iterator[dict[str, Any]]:
    """The posts of a corpus file, each checked against the model (an invalid one stops with its line)."""
    from pydantic import ValidationError  # noqa: PLC0415

    from synth.io import open_input  # noqa: PLC0415
    from synth.model import Post, error_path, format_path  # noqa: PLC0415
    from synth.validate import make_options, records  # noqa: PLC0415

    with open_input(path) as stream:
        for record in records(stream, make_options()):
            try:
                obj = record.obj if record.data is None else orjson.loads(record.data)
                yield Post.model_validate(obj).model_dump(mode="json")
            except (orjson.JSONDecodeError, ValidationError) as exc:
                where = ""
                if isinstance(exc, ValidationError):
                    first = exc.errors()[0]
                    where = f" at {format_path(error_path(first['loc']))}: {first['msg']}"
                raise InputError(
                    f"{path}:{record.line}: not a valid post{where or ': ' + str(exc)}",
                    hint=f"check it with `synth validate {path}`",
                ) from None


def render_file(path: str, fmt: str, output: str, *, per_page: int = 100) -> str:
    """Render the posts of ``path``: one page to ``output``, a page per post into a folder, or a site."""
    posts = read_posts(path)
    if fmt == "site":
        summary = write_site(posts, Path(output), per_page=per_page)
        return f"{summary.posts:,} post pages and {summary.index_pages:,} index pages in {summary.folder}"
    render = _RENDERERS[fmt]
    if output.endswith("/") or Path(output).is_dir():
        return _pages_into(posts, Path(output), render, _EXTENSIONS[fmt])
    first = next(posts, None)
    if first is None or next(posts, None) is not None:
        raise UsageError(f"{path} does not hold exactly one post", hint="pass --output DIR/ to render a page per post")
    from synth.io import open_output  # noqa: PLC0415

    with open_output(output) as stream:
        stream.write(render(first).encode())
    return f"1 page in {output}"


def _pages_into(posts: Iterable[dict[str, Any]], folder: Path, render: Callable[[PostLike], str], ext: str) -> str:
    root = _site_folder(folder)
    count = 0
    for post in posts:
        target = (root / f"{post['id']}.{ext}").resolve()
        if target.parent != root:
            raise OutputError(f"{target} is outside {root}", hint="post ids must be alphanode-NNNNNN")
        target.write_text(render(post), encoding="utf-8")
        count += 1
    return f"{count:,} pages in {root}"
