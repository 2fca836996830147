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
from typing import Any, BinaryIO, cast

import zstandard

from synth.errors import InputError, OutputError

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
def open_input(path: str) -> Iterator[BinaryIO]:
    """Open ``path`` for reading bytes (``-`` is stdin), decompressing by extension.

    Decompression is streamed: readers take bounded lines or documents from it, so a small
    compressed bomb costs time, never unbounded memory.
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
        inner: Any = raw
        if kind == "gzip":
            inner = gzip.GzipFile(fileobj=raw, mode="rb")
        elif kind == "zstd":
            inner = zstandard.ZstdDecompressor().stream_reader(raw, closefd=False)
        yield cast(BinaryIO, _Reported(inner, path))


class _Reported(io.RawIOBase):
    """A reader whose OS and decompression errors become :class:`InputError` naming the file."""

    def __init__(self, inner: BinaryIO, path: str) -> None:
        self._inner, self._path = inner, path

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._inner.read(len(buffer))
        except (OSError, EOFError, zstandard.ZstdError) as exc:
            raise InputError(
                f"cannot read {self._path}: {exc}", hint="check the file is complete and compressed as its name says"
            ) from exc
        buffer[: len(data)] = data
        return len(data)
