"""The Markdown page: the same page for docs and wikis, content escaped so that it stays text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import quote

from synth.errors import InputError
from synth.pages.layout import (
    IMAGE_SOURCE,
    META_FIELDS,
    META_HEADING,
    POST_ID,
    SIMILAR_HEADING,
    URL,
    PostLike,
    members,
    rendered,
    scalar,
)

__all__ = ["render_markdown"]

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
    return rendered(_md_page, post)


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
            yield from (f"  - {_md(line)}" for line in members(field, value))
        elif field.kind == "objects":
            yield f"- **{field.label}:**"
            yield from (f"  - {'; '.join(_md(line) for line in members(field, item))}" for item in value)
        else:
            yield f"- **{field.label}:** {_md(scalar(value, field.kind))}"


def _md_similar(ids: list[Any]) -> str:
    """``## Similar Posts`` and a ``- [id](id.md)`` line per similar post (plain text for a bad id)."""
    lines = [f"## {SIMILAR_HEADING}"]
    for pid in ids:
        valid = isinstance(pid, str) and POST_ID.fullmatch(pid)
        lines.append(f"- [{pid}]({pid}.md)" if valid else f"- {_md(pid)}")
    return "\n\n".join([lines[0], "\n".join(lines[1:])]) if ids else lines[0]
