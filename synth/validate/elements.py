"""The elements of a top-level JSON array, streamed: each element's bytes, line and offset.

This finds where elements begin and end, not what they hold: a small scanner follows string,
escape and bracket state (regular expressions skip over the bytes in between), and orjson
parses each element afterwards. Memory stays bounded by the longest element kept
(``max_bytes``; a longer one is skipped and reported), whatever the size of the array.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO, Final, NamedTuple

__all__ = ["Element", "elements"]

CHUNK: Final = 1 << 16
_QUOTE, _COMMA, _CLOSE_OBJECT = ord('"'), ord(","), ord("}")
_OPEN: Final = frozenset(b"[{")
_STRING_BODY = rb'"(?:[^"\\]++|\\[\s\S])*+"'
_TOP = re.compile(rb'(?:[^"\[\]{},]++|' + _STRING_BODY + rb")*+")  # up to a comma, a bracket or an open string
_INNER = re.compile(rb'(?:[^"\[\]{}]++|' + _STRING_BODY + rb")*+")  # inside an element: commas do not count
_BLANK = re.compile(rb"[ \t\r\n]*+")


class Element(NamedTuple):
    """One element (``k`` from 0) or a problem of the array itself (``k`` None)."""

    k: int | None
    line: int
    offset: int
    data: bytes | None  # None: longer than max_bytes, skipped
    problem: str | None = None  # "missing" (an empty element), "unclosed" (no closing ]), "trailing" (data after ])
    last: bool = False  # the file ends inside this element


def _skip(pattern: re.Pattern[bytes], buf: bytes, i: int) -> int:
    match = pattern.match(buf, i)
    return match.end() if match else i


class _Scanner:
    """A window on the stream: ``buf`` holds the bytes from offset ``base`` on; ``pos`` is where scanning is."""

    def __init__(self, stream: BinaryIO, chunk: int) -> None:
        self.stream, self.chunk, self.buf, self.base, self.pos, self.eof = stream, chunk, b"", 0, 0, False
        self.depth, self.in_string, self.escaped = 0, False, False
        self._line, self._counted = 1, 0  # the line number at buf[_counted]

    def line_at(self, i: int) -> int:
        self._line += self.buf.count(b"\n", self._counted, i)
        self._counted = i
        return self._line

    def fill(self, keep: int) -> bool:
        """Drop the bytes before ``keep`` and read more; False at the end of the stream."""
        self.line_at(keep)
        chunk = b"" if self.eof else self.stream.read(self.chunk)
        self.buf, self.base = self.buf[keep:] + chunk, self.base + keep
        self.pos, self._counted = self.pos - keep, self._counted - keep
        self.eof = not chunk
        return not self.eof

    def skip_blank(self) -> bool:
        """Move past whitespace; False when the stream ends first."""
        while True:
            self.pos = _skip(_BLANK, self.buf, self.pos)
            if self.pos < len(self.buf):
                return True
            if not self.fill(self.pos):
                return False

    def advance(self) -> int | None:
        """Scan on to a comma or closing bracket of the array itself; its index, or None at the end of ``buf``."""
        buf, i, n = self.buf, self.pos, len(self.buf)
        while i < n:
            if self.in_string:
                i = self._in_string(buf, i)
                continue
            i = _skip(_INNER if self.depth else _TOP, buf, i)
            if i == n:
                break
            byte = buf[i]
            if byte == _QUOTE:
                self.in_string = True
            elif byte in _OPEN:
                self.depth += 1
            elif self.depth:
                self.depth -= 1
            elif byte != _CLOSE_OBJECT:  # a comma or the closing bracket of the array (a stray } stays in the element)
                self.pos = i
                return i
            i += 1
        self.pos = i
        return None

    def _in_string(self, buf: bytes, i: int) -> int:
        """Continue a string too long for one window (or cut by its end), with ``find``: memchr speed."""
        n = len(buf)
        if self.escaped:
            self.escaped, i = False, i + 1
        while i < n:
            quote = buf.find(b'"', i)
            escape = buf.find(b"\\", i, n if quote < 0 else quote)
            if escape >= 0:  # an escape comes first: skip it and the byte it escapes
                self.escaped, i = escape == n - 1, escape + 2
            elif quote >= 0:
                self.in_string = False
                return quote + 1
            else:
                return n
        return min(i, n)


def elements(stream: BinaryIO, max_bytes: int, *, chunk: int = CHUNK) -> Iterator[Element]:
    """The elements of the array that ``stream`` holds (its first non-blank byte is ``[``), read by ``chunk``."""
    scan = _Scanner(stream, chunk)
    scan.skip_blank()
    scan.pos += 1  # the opening bracket
    index = 0
    while True:
        if not scan.skip_blank():
            yield Element(None, scan.line_at(scan.pos), scan.base + scan.pos, None, "unclosed")
            return
        if index == 0 and scan.buf[scan.pos] == ord("]"):
            scan.pos += 1
            break
        element, closing = _element(scan, index, max_bytes)
        yield element
        if closing is None:
            if not element.last:
                yield Element(None, scan.line_at(scan.pos), scan.base + scan.pos, None, "unclosed")
            return
        scan.pos += 1
        index += 1
        if closing != _COMMA:
            break
    if scan.skip_blank():  # anything but whitespace after the closing bracket
        yield Element(None, scan.line_at(scan.pos), scan.base + scan.pos, None, "trailing")


def _element(scan: _Scanner, index: int, max_bytes: int) -> tuple[Element, int | None]:
    """The element that starts at ``scan.pos`` and the byte that ends it (None: the stream ended)."""
    start, line, offset = scan.pos, scan.line_at(scan.pos), scan.base + scan.pos
    kept = True
    while (end := scan.advance()) is None:
        if kept and scan.pos - start > max_bytes:
            kept = False  # too long: scan on without keeping it
        more = scan.fill(start if kept else scan.pos)
        start = 0
        if not more:
            break
    if not kept or (end is not None and end - start > max_bytes):
        return Element(index, line, offset, None), _closing(scan, end)
    stop = end if end is not None else len(scan.buf)
    data = scan.buf[start:stop].rstrip(b" \t\r\n")
    if not data:
        return Element(index, line, offset, data, "missing"), _closing(scan, end)
    cut = end is None and (scan.depth > 0 or scan.in_string)
    return Element(index, line, offset, data, last=cut), _closing(scan, end)


def _closing(scan: _Scanner, end: int | None) -> int | None:
    return None if end is None else scan.buf[end]
