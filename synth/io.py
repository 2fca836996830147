"""Opening inputs and outputs: ``-`` for stdin/stdout, compression chosen by file extension.

Paths with a scheme (``s3://``, ``gcs://``, ``memory://`` ...) go through fsspec, which the
``dask`` extra brings; plain paths are local files.

``.gz`` uses gzip with a zero timestamp (so the same content gives the same bytes) and
``.zst`` uses Zstandard; anything else is plain. Every OS error becomes an
:class:`~synth.errors.InputError` or :class:`~synth.errors.OutputError` naming the path.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

import zstandard

from synth.errors import InputError, OutputError

__all__ = ["STDIO", "compression_of", "file_digest", "is_url", "join_path", "make_folder", "open_input", "open_output"]

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


def is_url(path: str) -> bool:
    """Whether ``path`` names an fsspec location (``scheme://...``) rather than a local file."""
    return "://" in path


def join_path(folder: str, name: str) -> str:
    """``name`` inside ``folder``, for local folders and URLs alike."""
    return f"{folder.rstrip('/')}/{name}" if is_url(folder) else str(Path(folder) / name)


def make_folder(folder: str | Path) -> Path:
    """Create ``folder`` (and its parents) when missing; returns it resolved. Errors name the folder."""
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the folder {folder}: {exc.strerror or exc}", hint="choose a writable folder"
        ) from None
    return path.resolve()


def file_digest(path: str) -> tuple[int, str]:
    """Size and sha256 (hex) of a file as stored (compressed files are not decompressed)."""
    digest, size = hashlib.sha256(), 0
    with open_input(path, stored=True) as stored:
        while block := stored.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _raw_open(path: str, mode: str) -> Any:
    if not is_url(path):
        return Path(path).open(mode)
    try:
        import fsspec  # noqa: PLC0415 - only URLs need it
    except ImportError as exc:
        raise InputError(f"{path}: URLs need fsspec", hint="pip install 'alphanode-synth[dask]'") from exc
    return fsspec.open(path, mode).open()


@contextlib.contextmanager
def open_output(path: str) -> Iterator[BinaryIO]:
    """Open ``path`` for writing bytes (``-`` is stdout), compressing by extension."""
    if path == STDIO:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    try:
        raw = _raw_open(path, "wb")
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
def open_input(path: str, *, stored: bool = False) -> Iterator[BinaryIO]:
    """Open ``path`` for reading bytes (``-`` is stdin), decompressing by extension.

    Decompression is streamed: readers take bounded lines or documents from it, so a small
    compressed bomb costs time, never unbounded memory. ``stored`` skips decompression.
    """
    if path == STDIO:
        yield sys.stdin.buffer
        return
    try:
        raw = _raw_open(path, "rb")
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc.strerror or exc}", hint="check the path and its permissions"
        ) from exc
    with raw:
        kind = None if stored else compression_of(path)
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
