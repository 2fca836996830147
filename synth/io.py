"""Opening inputs and outputs: ``-`` for stdin/stdout, compression chosen by file extension.

``.gz`` uses gzip with a zero timestamp (so the same content gives the same bytes) and
``.zst`` uses Zstandard; anything else is plain. Every OS error becomes an
:class:`~synth.errors.InputError` or :class:`~synth.errors.OutputError` naming the path.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import zstandard

from synth.errors import InputError, LimitExceededError, OutputError

__all__ = ["STDIO", "compression_of", "open_input", "open_output"]

STDIO = "-"
GZIP_LEVEL = 6
ZSTD_LEVEL = 3


def compression_of(path: str) -> str | None:
    """``"gzip"``, ``"zstd"`` or ``None`` for a plain file, from the path's extension."""
    lowered = path.lower()
    if lowered.endswith(".gz"):
        return "gzip"
    if lowered.endswith(".zst"):
        return "zstd"
    return None


@contextlib.contextmanager
def open_output(path: str) -> Iterator[BinaryIO]:
    """Open ``path`` for writing bytes (``-`` is stdout), compressing by extension."""
    if path == STDIO:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    try:
        raw = Path(path).open("wb")  # noqa: SIM115 - closed below, after the compressor
    except OSError as exc:
        raise OutputError(
            f"cannot write {path}: {exc.strerror}", hint="check the folder exists and is writable"
        ) from exc
    try:
        with raw, _compressor(raw, compression_of(path)) as stream:
            yield stream
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}", hint="check the free disk space") from exc


@contextlib.contextmanager
def _compressor(raw: BinaryIO, kind: str | None) -> Iterator[BinaryIO]:
    if kind == "gzip":
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0, filename="") as gz:
            yield gz  # type: ignore[misc]
    elif kind == "zstd":
        with zstandard.ZstdCompressor(level=ZSTD_LEVEL).stream_writer(raw, closefd=False) as zst:
            yield zst
    else:
        yield raw


@contextlib.contextmanager
def open_input(path: str, *, max_bytes: int | None = None) -> Iterator[BinaryIO]:
    """Open ``path`` for reading bytes (``-`` is stdin), decompressing by extension.

    ``max_bytes`` bounds the decompressed size: reading past it raises
    :class:`~synth.errors.LimitExceededError`, so a small compressed bomb cannot exhaust memory.
    """
    if path == STDIO:
        yield sys.stdin.buffer
        return
    try:
        raw = Path(path).open("rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", hint="check the path and its permissions") from exc
    with raw:
        kind = compression_of(path)
        stream: BinaryIO
        if kind == "gzip":
            stream = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
        elif kind == "zstd":
            stream = zstandard.ZstdDecompressor().stream_reader(raw, closefd=False)
        else:
            stream = raw
        yield stream if max_bytes is None else _Bounded(stream, max_bytes, path)  # type: ignore[misc]


class _Bounded(io.RawIOBase):
    """A reader that refuses to deliver more than ``limit`` bytes."""

    def __init__(self, inner: BinaryIO, limit: int, path: str) -> None:
        self._inner, self._left, self._path = inner, limit, path
        self._limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise LimitExceededError(
                f"{self._path}: more than {self._limit} bytes after decompression",
                hint="raise the limit if the file is genuine, or check it is not a decompression bomb",
            )
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)
