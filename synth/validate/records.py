"""File framing: the records of a file, whatever its layout, each with its line and byte offset.

A file is read as JSON Lines (one post a line), a JSON array written one element a line (as
``synth generate --format json`` writes it), or, failing both, one whole JSON document (an
object or an array) of at most ``max_document_bytes``. Lines are read with a bound, so memory
stays flat whatever the file's size; ``.gz``/``.zst`` are decompressed on the fly by
:func:`synth.io.open_input`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import orjson

from synth.validate.options import Options

__all__ = ["Record", "records"]


@dataclass(frozen=True, slots=True)
class Record:
    """A line (or a decoded element of a whole document) and where it starts."""

    line: int
    offset: int
    data: bytes | None
    obj: Any = None
    last: bool = False
    prefix: tuple[str | int, ...] = ()
    issue: str | None = None  # P005 or P009: the record was too large to read


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


def _array_lines(records: Iterator[Record]) -> Iterator[Record]:
    """Elements of a JSON array written one a line: drop the bracket lines and trailing commas."""
    for record in records:
        data = record.data
        if data is not None:
            stripped = data.strip()
            if (record.line == 1 and stripped == b"[") or stripped == b"]":
                continue
            data = stripped.removesuffix(b",")
        yield Record(record.line, record.offset, data, issue=record.issue)


def _parses(data: bytes) -> bool:
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    return True


def _layout(head: bytes) -> str:
    """``jsonl``, ``array`` (one element a line) or ``document`` (one JSON value, any layout)."""
    lines = head.split(b"\n", 2)
    first = lines[0].strip()
    if first == b"[":
        second = lines[1].strip().removesuffix(b",") if len(lines) > 1 else b""
        return "array" if second == b"]" or _parses(second) else "document"
    if first.startswith((b"{", b"[")) and not _parses(first):
        return "document"
    return "jsonl"


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
    if isinstance(value, list):
        for k, element in enumerate(value):
            yield Record(1, 0, None, obj=element, prefix=(k,))
    else:
        yield Record(1, 0, None, obj=value)


def records(stream: BinaryIO, options: Options, *, document: bool = False) -> Iterator[Record]:
    """The records of a stream, whatever its layout (decided from its first two lines).

    ``document``: the file is named as one JSON document (``.json``), so emptiness is an error.
    """
    head = _read_head(stream, 2 * options.max_line_bytes + 2)
    if document and not head.strip():
        yield Record(1, 0, None, issue="P001")
        return
    layout = _layout(head)
    buffered: Any = io.BufferedReader(_Prefixed(head, stream), buffer_size=1 << 16)
    if layout == "document":
        yield from _document(buffered, options)
    elif layout == "array":
        yield from _array_lines(_lines(buffered, options.max_line_bytes))
    else:
        yield from _lines(buffered, options.max_line_bytes)
