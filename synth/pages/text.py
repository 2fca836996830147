"""The text page: laid out like the sample page (``alphanode-008320.txt``), and read back.

The text page is the layout of the sample page ``alphanode-008320.txt``,
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
    <meta box, see synth.pages.layout>
                                                (blank line)
    Similar Posts
                                                (blank line, only when there are similar posts)
      • alphanode-000123                        (one line per similar post id)

The page shows text exactly as it is in the post (the title's case included). What the text
page cannot show is refused with :class:`~synth.errors.InputError` rather than rendered
ambiguously: a line break inside a value, an empty title, intro, caption, heading or paragraph
(or one starting with the bullet ``"  • "``), and two paragraph sections in a row (nothing on
the page would tell where one ends). HTML and Markdown have none of these limits.

:func:`parse_text` reads a page back into a post dict; a page that does not follow the layout
raises :class:`~synth.errors.InputError` naming the source, the 1-based line and what was
expected. A leading byte-order mark, CRLF line ends and one final newline are accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from synth.errors import InputError
from synth.pages.layout import (
    BULLET,
    IMAGE_SOURCE,
    META_FIELDS,
    META_HEADING,
    OBJECT_BULLET,
    SIMILAR_HEADING,
    MetaField,
    PostLike,
    post_name,
    rendered,
    scalar,
)
from synth.pages.reading import HINT, convert, label_found, post_of, shown

__all__ = ["parse_text", "render_text"]


def render_text(post: PostLike) -> str:
    """The post as a text page laid out like the sample page (see the module docstring)."""
    return rendered(_text_page, post)


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
    """The lines of the meta box, field by field (layout in :mod:`synth.pages.layout`)."""
    for field in META_FIELDS:
        value = meta[field.key]
        if field.kind == "list":
            yield field.label
            yield from (f"{BULLET}{item}" for item in value)
        elif field.kind == "object":
            yield field.label
            yield from (f"{BULLET}{label}: {scalar(value[key], kind)}" for key, label, kind in field.fields)
        elif field.kind == "objects":
            yield field.label
            for item in value:
                yield from (f"{OBJECT_BULLET}{label}: {scalar(item[key], kind)}" for key, label, kind in field.fields)
        else:
            yield field.label + scalar(value, field.kind)


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


# ---- reading ----


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
            found = "the end of the page" if line is None else "a blank line" if line == "" else shown(line)
        number = min(self.at, len(self.lines) - 1) + 1
        return InputError(f"{self.source}:{number}: expected {expected}, found {found}", hint=HINT)

    def fail(self, message: str) -> InputError:
        """An error at the cursor with a message of its own."""
        return InputError(f"{self.source}:{self.at + 1}: {message}", hint=HINT)

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
        raise InputError(f"{self.source}:{len(self.lines)}: expected a line {line!r}, found none", hint=HINT)


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
    return post_of((title, intro), images, sections, meta, similar)


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
        raise lines.fail(label_found(field, line))
    if field.kind in ("text", "int", "flag"):
        value = _textscalar(lines, line[len(field.label) :], field.kind, field.label)
        lines.at += 1
        return value
    if line != field.label:
        raise lines.fail(f"expected the meta label {field.label!r} alone on its line, found {shown(line)}")
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
        value[key] = _textscalar(lines, line[len(prefix) :], kind, label)
        lines.at += 1
    return value


def _textscalar(lines: _Lines, text: str, kind: str, label: str) -> Any:
    """A scalar from its text, or an InputError at the current line."""
    try:
        return convert(text, kind, label)
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
