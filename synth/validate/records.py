"""File framing: the records of a file, whatever its layout, each with its line and byte offset.

A file is read as one of:

- JSON Lines: one record a line;
- a JSON array, in any layout (one line, pretty-printed, one element a line as ``synth generate
  --format json`` writes it): each element is a record, streamed (:mod:`synth.validate.elements`),
  so an array of any size costs the memory of one element; an element longer than
  ``max_line_bytes`` is skipped and reported (P005), as a line is;
- one whole JSON document that is not an array (an object), of at most ``max_document_bytes``.

The layout is decided from the first lines, not the first alone: a file whose first line is
broken but whose next lines are records is JSON Lines, so one bad line never turns a JSON
Lines file into a document. Lines are read with a bound, so memory stays flat whatever the
file's size; ``.gz``/``.zst`` are decompressed on the fly by :func:`synth.io.open_input`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

import orjson

from synth.validate.elements import Element, elements
from synth.validate.options import Options

__all__ = ["RAW_KEPT", "Record", "kept_raw", "records", "slimmed"]

SAMPLE_LINES: Final = 100  # lines after the first that decide the layout
RAW_KEPT: Final = 4096  # bytes of a rejected record's raw text that rejects keep


@dataclass(slots=True)
class Record:
    """A line (or an element of an array, or a decoded whole document) and where it starts.

    Treated as immutable (changed copies come from ``dataclasses.replace``) but not frozen: a
    frozen dataclass sets each field through ``object.__setattr__``, which made building one
    4.5x slower (1.6 against 0.35 us), a cost every line of every file pays.
    """

    line: int
    offset: int
    data: bytes | None
    obj: Any = None
    last: bool = False
    prefix: tuple[str | int, ...] = ()
    issue: str | None = None  # P001, P004, P005 or P009: a problem of the framing, not of a record's JSON
    detail: str | None = None  # the message of ``issue``, when it is not the usual one
    raw: str | None = None  # what :func:`kept_raw` keeps, once ``data`` is dropped (:func:`slimmed`)


def kept_raw(record: Record) -> str | None:
    """The raw text of a record as rejects keep it: all of it up to :data:`RAW_KEPT` bytes, else the
    first :data:`RAW_KEPT` bytes and a note of the full size and sha256. None when nothing was read."""
    if record.raw is not None:
        return record.raw
    data = record.data
    if data is None and record.obj is not None:
        try:
            data = orjson.dumps(record.obj)
        except orjson.JSONEncodeError:
            data = json.dumps(record.obj, ensure_ascii=True, default=repr).encode()
    if data is None:
        return None
    if len(data) <= RAW_KEPT:
        return data.decode("utf-8", "backslashreplace")
    cut = RAW_KEPT
    while cut > RAW_KEPT - 3 and data[cut] & 0xC0 == 0x80:  # not inside a UTF-8 sequence
        cut -= 1
    note = f" ... [cut: {len(data):,} bytes in all, sha256 {hashlib.sha256(data).hexdigest()}]"
    return data[:cut].decode("utf-8", "backslashreplace") + note


def slimmed(record: Record) -> Record:
    """``record`` without its bytes when they are longer than rejects keep (they hold :func:`kept_raw`)."""
    if record.data is None or len(record.data) <= RAW_KEPT:
        return record
    return dataclasses.replace(record, data=None, raw=kept_raw(record))


def _lines(stream: BinaryIO, max_line_bytes: int) -> Iterator[Record]:
    """Lines with 1-based numbers and byte offsets; a line over the bound is skipped, flagged."""
    offset, number = 0, 0
    while True:
        chunk = stream.readline(max_line_bytes + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > max_line_bytes and not chunk.endswith(b"\n"):
            size = len(chunk)
            while chunk and not chunk.endswith(b"\n"):
                chunk = stream.readline(1 << 20)
                size += len(chunk)
            yield Record(number, offset, None, issue="P005")
            offset += size
            continue
        ends = chunk.endswith(b"\n")
        yield Record(number, offset, chunk[:-1] if ends else chunk, last=not ends)
        offset += len(chunk)


_WHITESPACE: Final = b" \t\r\n"


def _element_text(data: bytes, first: bool) -> tuple[bytes, int, bool]:
    """The element on a line of a one-element-a-line array: (bytes, where they start, whether ] follows)."""
    text = data.lstrip(_WHITESPACE)
    if first:
        text = text.removeprefix(b"[").lstrip(_WHITESPACE)
    start = len(data) - len(text)
    text = text.rstrip(_WHITESPACE)
    closes = text.endswith(b"]") and not _parses(text.removesuffix(b","))
    if closes:
        text = text[:-1].rstrip(_WHITESPACE)
    return text.removesuffix(b",").rstrip(_WHITESPACE), start, closes


def _array_lines(lines: Iterator[Record]) -> Iterator[Record]:
    """Elements of a JSON array written one a line: the brackets and trailing commas are not part of them.

    Each line is framed on its own, so a broken element costs that element only.
    """
    k, first, closed, cut, record = 0, True, False, False, None
    for record in lines:
        if closed:
            if record.data is None or record.data.strip(_WHITESPACE):
                yield _problem(record, "trailing")
                return
            continue
        if record.data is None:  # too long
            yield dataclasses.replace(record, prefix=(k,))
            k += 1
            continue
        text, start, closed = _element_text(record.data, first)
        first = first and not record.data.strip(_WHITESPACE)
        if text:
            cut = record.last and not closed and not _parses(text)
            yield Record(record.line, record.offset + start, text, last=cut, prefix=(k,))
            k += 1
    if record is not None and not closed and not cut:
        yield _problem(record, "unclosed")


def _problem(record: Record, problem: str) -> Record:
    code, message = _PROBLEMS[problem]
    return Record(record.line, record.offset, None, issue=code, detail=message)


_PROBLEMS: Final = {
    "missing": ("P001", "invalid JSON: an array element is missing (two commas, or a comma before ])"),
    "unclosed": ("P004", "the file ends before the array's closing ]"),
    "trailing": ("P001", "data after the array's closing ]"),
}


def _array(stream: BinaryIO, options: Options) -> Iterator[Record]:
    """The elements of a top-level array in any layout, streamed."""
    too_long = f"array element longer than {options.max_line_bytes:,} bytes (--max-line-bytes); skipped"
    for element in elements(stream, options.max_line_bytes):
        yield _element_record(element, too_long)


def _element_record(element: Element, too_long: str) -> Record:
    prefix = () if element.k is None else (element.k,)
    if element.problem is not None:
        code, message = _PROBLEMS[element.problem]
        return Record(element.line, element.offset, None, prefix=prefix, issue=code, detail=message)
    if element.data is None:
        return Record(element.line, element.offset, None, prefix=prefix, issue="P005", detail=too_long)
    return Record(element.line, element.offset, element.data, last=element.last, prefix=prefix)


def _parses(data: bytes) -> bool:
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    return True


def _majority(lines: list[bytes], test: Any) -> bool:
    return 2 * sum(1 for line in lines if test(line)) > len(lines)


def _is_element_line(line: bytes) -> bool:
    text = line.removesuffix(b",")
    return text.startswith(b"{") and (_parses(text) or _parses(text.removesuffix(b"]")))


def _sample(head: bytes, whole: bool, count: int) -> list[bytes]:
    """The first ``count`` non-blank lines of ``head``, stripped (its last line only when it is the file's)."""
    lines: list[bytes] = []
    start = 0
    while len(lines) < count and start < len(head):
        end = head.find(b"\n", start)
        if end < 0 and not whole:
            break  # the head may cut this line
        end = len(head) if end < 0 else end
        if stripped := head[start:end].strip(_WHITESPACE):
            lines.append(stripped)
        start = end + 1
    return lines


def _layout(head: bytes, whole: bool) -> str:
    """``jsonl``, ``array`` (any layout), ``array-lines`` (one element a line) or ``document`` (an object).

    ``head`` is the start of the file, ``whole`` whether it is all of it.
    """
    start = head.lstrip(_WHITESPACE)[:1]
    if start not in (b"[", b"{"):
        return "jsonl"
    lines = _sample(head, whole, SAMPLE_LINES + 1)
    first, rest = (lines[0], lines[1:]) if lines else (None, [])
    if first is None:  # the first line is longer than the head: too long a line, or a long one-line array
        return "array" if start == b"[" else "jsonl"
    if _parses(first):
        return "array" if start == b"[" and whole and not rest else "jsonl"
    if rest and _majority(rest, _parses):
        return "jsonl"  # a broken first line, then records
    if start == b"{":
        return "document"
    return "array-lines" if rest and _majority(rest, _is_element_line) else "array"


class _Prefixed(io.RawIOBase):
    """A stream that serves ``head`` first, then the rest of ``tail``."""

    def __init__(self, head: bytes, tail: BinaryIO) -> None:
        self._head, self._tail = memoryview(head), tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._tail.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_head(stream: BinaryIO, size: int) -> bytes:
    parts, got = [], 0
    while got < size:
        part = stream.read(size - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _document(stream: BinaryIO, options: Options) -> Iterator[Record]:
    data = stream.read(options.max_document_bytes + 1)
    if len(data) > options.max_document_bytes:
        yield Record(1, 0, None, issue="P009")
        return
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        yield from _lines(io.BytesIO(data), options.max_line_bytes)
        return
    yield Record(1, 0, None, obj=value)


def records(stream: BinaryIO, options: Options, *, document: bool = False) -> Iterator[Record]:
    """The records of a stream, whatever its layout (decided from its first lines).

    ``document``: the file is named as one JSON document (``.json``), so emptiness is an error.
    """
    size = 2 * options.max_line_bytes + 2
    head = _read_head(stream, size)
    if document and not head.strip():
        yield Record(1, 0, None, issue="P001")
        return
    layout = _layout(head, len(head) < size)
    buffered: Any = io.BufferedReader(_Prefixed(head, stream), buffer_size=1 << 16)
    if layout == "document":
        yield from _document(buffered, options)
    elif layout == "array":
        yield from _array(buffered, options)
    elif layout == "array-lines":
        yield from _array_lines(_lines(buffered, options.max_line_bytes))
    else:
        yield from _lines(buffered, options.max_line_bytes)
