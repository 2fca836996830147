"""Opening inputs and outputs: ``-`` for stdin/stdout, compression chosen by file extension.

Paths with a scheme (``s3://``, ``gcs://``, ``memory://`` ...) go through fsspec, which the
``dask`` extra brings; plain paths are local files.

``.gz`` uses gzip with a zero timestamp (so the same content gives the same bytes) and
``.zst`` uses Zstandard; anything else is plain. Every OS error becomes an
:class:`~synth.errors.InputError` or :class:`~synth.errors.OutputError` naming the path.

Local output files are written atomically (a temporary file renamed over the target at the end,
:func:`open_output`): an interrupted or failed write leaves the previous file, or none.

Reading checks that a compressed file is whole: it must end where its last gzip member or
zstd frame ends (an error names the byte where it does not).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Final, cast

from synth.decompress import HINT, Decoder, decoder
from synth.errors import InputError, OutputError

__all__ = [
    "STDIO",
    "compression_of",
    "file_digest",
    "is_url",
    "join_path",
    "make_folder",
    "open_input",
    "open_output",
    "remove_pending_outputs",
    "stdout_error",
]

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
    """``name`` inside ``folder``, for local folders and URLs alike (one ``/`` between them, never two)."""
    if not is_url(folder):
        return str(Path(folder) / name)
    scheme, _, rest = folder.partition("://")
    rest = rest.rstrip("/")
    return f"{scheme}://{rest}/{name}" if rest else f"{scheme}://{name}"


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
    import hashlib  # noqa: PLC0415 - the compression and digest modules load when used: short start-up

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
def open_output(path: str, *, atomic: bool = True, follow_links: bool = True) -> Iterator[BinaryIO]:
    """Open ``path`` for writing bytes (``-`` is stdout), compressing by extension.

    A local file is written atomically (``atomic``, the default): into a temporary file in the
    same folder (``.NAME.XXXXXXXX.tmp``), renamed over ``path`` once the block ends without an
    error. ``path`` so holds its previous content or the whole new one, never a partial file; the
    temporary file is removed on an error, an interrupt, or SIGTERM of a worker process (only a
    kill -9 can leave it). A replaced file keeps its permission bits. A symbolic link is
    followed (the file it names is replaced) unless ``follow_links`` is False, when the link
    itself is replaced, as is any other directory entry: nothing is ever written through a link.
    Special files (``/dev/null``, a FIFO, a terminal) and URLs are written directly, and so is an
    existing writable file in a folder that takes no new file (the one case left non-atomic).
    """
    if path == STDIO:
        stdout = _Stdout()
        yield cast(BinaryIO, stdout)
        stdout.flush()
        return
    target = None if is_url(path) else _atomic_target(path, atomic=atomic, follow_links=follow_links)
    temporary = None if target is None else _temporary(path, target)
    if target is None or temporary is None:
        with _direct(path) as stream:
            yield stream
        return
    with _replacing(path, target, *temporary) as stream:
        yield stream


def _write_error(path: str, exc: OSError) -> OutputError:
    hint = "check the free disk space" if exc.errno in _FULL else "check the folder exists and is writable"
    return OutputError(f"cannot write {path}: {exc.strerror or exc}", hint=hint)


_FULL: Final = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def _atomic_target(path: str, *, atomic: bool, follow_links: bool) -> Path | None:
    """Where the temporary file of ``path`` is renamed to, or None to write ``path`` directly."""
    if not atomic:
        return None
    try:
        entry = Path(path).stat(follow_symlinks=follow_links)
    except FileNotFoundError:
        return Path(os.path.realpath(path)) if follow_links else Path(path)  # created (a dangling link: its file)
    except OSError as exc:
        raise _write_error(path, exc) from None
    if stat.S_ISDIR(entry.st_mode):
        raise OutputError(f"cannot write {path}: it is a folder", hint="name a file, not a folder")
    if not follow_links:
        return Path(path)  # the entry itself (file, link or anything) is replaced
    if not stat.S_ISREG(entry.st_mode):
        return None  # /dev/null, /dev/stdout, a FIFO...: nothing to replace
    if not os.access(path, os.W_OK):
        raise OutputError(f"cannot write {path}: Permission denied", hint="make the file writable or choose another")
    return Path(os.path.realpath(path))


@contextlib.contextmanager
def _direct(path: str) -> Iterator[BinaryIO]:
    try:
        raw = _raw_open(path, "wb")
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        with raw, _compressor(raw, compression_of(path)) as stream:
            yield stream
    except OSError as exc:
        raise _write_error(path, exc) from exc


_PENDING: dict[Path, int] = {}  # temporary files being written -> the process writing them (a fork inherits this)


def remove_pending_outputs() -> None:
    """Remove the temporary files of this process's atomic writes in progress (for a signal handler that exits)."""
    for temp, pid in list(_PENDING.items()):
        if pid == os.getpid():
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)


@contextlib.contextmanager
def _replacing(path: str, target: Path, temp: Path, fd: int) -> Iterator[BinaryIO]:
    """Write into the new temporary file ``temp`` beside ``target``; rename it over ``target`` at the end."""
    try:
        try:
            with os.fdopen(fd, "wb") as raw, _compressor(raw, compression_of(path)) as stream:
                yield stream
            _keep_mode(target, temp)
            temp.replace(target)
        except OSError as exc:
            raise _write_error(path, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise
    finally:
        _PENDING.pop(temp, None)


def _temporary(path: str, target: Path) -> tuple[Path, int] | None:
    """A new file ``.NAME.XXXXXXXX.tmp`` beside ``target``, created with the usual permissions (umask).

    None when the folder takes no new file but ``target`` is a file this user may write: it is
    then written in place, as the only way left (not atomically).
    """
    while True:
        temp = target.with_name(f".{target.name[:200]}.{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        except FileExistsError:
            continue
        except PermissionError as exc:
            if target.is_file() and os.access(target, os.W_OK):
                return None
            raise _write_error(path, exc) from None
        except OSError as exc:
            raise _write_error(path, exc) from None
        _PENDING[temp] = os.getpid()
        return temp, fd


def _keep_mode(target: Path, temp: Path) -> None:
    """Give the new file the permission bits of the file it replaces (a private file stays private)."""
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return
    if stat.S_ISREG(mode):
        temp.chmod(stat.S_IMODE(mode))


class _Stdout(io.BufferedIOBase):
    """Standard output for bytes: a full disk or a closed terminal becomes an :class:`OutputError`.

    A closed pipe (``| head``) stays a :class:`BrokenPipeError`: the CLI ends quietly on it.
    """

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        try:
            return sys.stdout.buffer.write(data)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise stdout_error(exc) from None

    def flush(self) -> None:
        try:
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise stdout_error(exc) from None


def stdout_error(exc: OSError) -> OutputError:
    """The error of a failed write to standard output (not a closed pipe)."""
    return OutputError(
        f"cannot write to standard output: {exc.strerror or exc}",
        hint="check the free disk space where it goes, or send it elsewhere",
    )


@functools.cache
def _zstandard() -> Any:
    """The zstandard module, imported on first use."""
    import zstandard  # noqa: PLC0415

    return zstandard


@contextlib.contextmanager
def _compressor(raw: BinaryIO, kind: str | None) -> Iterator[BinaryIO]:
    if kind == "gzip":
        import gzip  # noqa: PLC0415

        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0, filename="") as gz:
            yield gz  # type: ignore[misc]
    elif kind == "zstd":
        with _zstandard().ZstdCompressor(level=ZSTD_LEVEL).stream_writer(raw, closefd=False) as zst:
            yield zst
    else:
        yield raw


@contextlib.contextmanager
def _stdin() -> Iterator[BinaryIO]:
    """Standard input as an unbuffered reader of its own over its file descriptor (not
    ``sys.stdin.buffer``), when it has one. A thread blocked reading it (the importer's reader
    thread, when a signal ends the command) then holds no lock: not the one the interpreter takes
    to close ``sys.stdin`` at exit, nor one a forked worker would inherit, nor one closing it needs."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):  # a stream without one (tests)
        yield sys.stdin.buffer
        return
    with open(fd, "rb", buffering=0, closefd=False) as stdin:
        yield cast(BinaryIO, stdin)


@contextlib.contextmanager
def open_input(path: str, *, stored: bool = False) -> Iterator[BinaryIO]:
    """Open ``path`` for reading bytes (``-`` is stdin), decompressing by extension.

    Decompression is streamed: readers take bounded lines or documents from it, so a small
    compressed bomb costs time, never unbounded memory. A compressed stream must end where a
    gzip member or zstd frame ends: one cut short, empty, or followed by other bytes is an
    :class:`InputError` naming the byte offset (several members or frames, as ``cat`` makes
    them, are read one after another). ``stored`` skips decompression.
    """
    if path == STDIO:
        with _stdin() as stdin:
            yield cast(BinaryIO, _Reported(decoder(stdin, compression_of(path), path), path))
        return
    try:
        raw = _raw_open(path, "rb")
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc.strerror or exc}", hint="check the path and its permissions"
        ) from exc
    with raw:
        yield cast(BinaryIO, _Reported(decoder(raw, None if stored else compression_of(path), path), path))


class _Reported(io.RawIOBase):
    """A reader whose OS and decompression errors become :class:`InputError` naming the file and byte."""

    def __init__(self, inner: Decoder, path: str) -> None:
        self._inner, self._path = inner, path

    @property
    def position(self) -> int:
        """Bytes of the file read so far, before decompression (what a progress bar over its size shows)."""
        return self._inner.position

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._inner.read(len(buffer))
        except (OSError, _zstandard().ZstdError) as exc:
            raise InputError(
                f"cannot read {self._path}: {exc} (before byte {self._inner.position:,})", hint=HINT
            ) from exc
        buffer[: len(data)] = data
        return len(data)
