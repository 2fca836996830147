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
import gzip
import hashlib
import io
import os
import secrets
import stat
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Final, Protocol, cast

import zstandard

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
        temp = target.with_name(f".{target.name[:200]}.{secrets.token_hex(4)}.tmp")
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
    compressed bomb costs time, never unbounded memory. A compressed stream must end where a
    gzip member or zstd frame ends: one cut short, empty, or followed by other bytes is an
    :class:`InputError` naming the byte offset (several members or frames, as ``cat`` makes
    them, are read one after another). ``stored`` skips decompression.
    """
    if path == STDIO:
        yield cast(BinaryIO, _Reported(_decoder(sys.stdin.buffer, compression_of(path), path), path))
        return
    try:
        raw = _raw_open(path, "rb")
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc.strerror or exc}", hint="check the path and its permissions"
        ) from exc
    with raw:
        yield cast(BinaryIO, _Reported(_decoder(raw, None if stored else compression_of(path), path), path))


_HINT: Final = "check the file is complete and compressed as its name says"
_ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"


class _Decoder(Protocol):
    @property
    def position(self) -> int: ...  # compressed bytes handed to the decompressor so far

    def read(self, size: int, /) -> bytes: ...


class _Plain:
    def __init__(self, raw: BinaryIO) -> None:
        self._raw, self.position = raw, 0

    def read(self, size: int) -> bytes:
        data = self._raw.read(size)
        self.position += len(data)
        return data


def _decoder(raw: BinaryIO, kind: str | None, path: str) -> _Decoder:
    if kind == "gzip":
        return _Gunzip(raw, path)
    if kind == "zstd":
        return _Unzstd(raw, path)
    return _Plain(raw)


class _Gunzip:
    """Gzip members one after another; zlib checks each member's header, CRC and length."""

    def __init__(self, raw: BinaryIO, path: str) -> None:
        self._raw, self._path = raw, path
        self._inflate = zlib.decompressobj(wbits=31)
        self._pending = b""  # compressed bytes read but not yet decompressed
        self.position = self._member = 0  # bytes decompressed; where the current member begins
        self._members = 0

    def read(self, size: int) -> bytes:
        while True:
            if not self._pending:
                self._pending = self._raw.read(1 << 16)
                if not self._pending:
                    return self._finish()
            out = self._inflated(lambda: self._inflate.decompress(self._pending, max(size, 1)))
            if out:
                return out

    def _inflated(self, step: Callable[[], bytes]) -> bytes:
        try:
            out = step()
        except zlib.error as exc:
            raise InputError(f"cannot read {self._path}: {self._corrupt(exc)}", hint=_HINT) from None
        inflate = self._inflate
        rest = inflate.unused_data if inflate.eof else inflate.unconsumed_tail
        self.position += len(self._pending) - len(rest)
        self._pending = rest
        if inflate.eof:
            self._inflate, self._member, self._members = zlib.decompressobj(wbits=31), self.position, self._members + 1
        return out

    def _corrupt(self, exc: zlib.error) -> str:
        if self._members and self.position == self._member and "header" in str(exc):
            return f"byte {self._member:,} starts no gzip member (other bytes follow the compressed data)"
        return f"corrupt gzip data in the member that begins at byte {self._member:,} ({exc})"

    def _finish(self) -> bytes:
        """At the end of the file: what zlib still holds of the member; an error when the member is cut off."""
        if self.position > self._member:
            members = self._members
            out = self._inflated(self._inflate.flush)
            if out or self._members > members:
                return out
            raise _cut_off(self._path, "gzip", self.position, f"inside the member that begins at byte {self._member:,}")
        if not self._members:
            raise _cut_off(self._path, "gzip", self.position, "before the first member")
        return b""


class _Unzstd:
    """Zstandard frames one after another (``read_across_frames``), their bytes checked by :class:`_ZstdSource`."""

    def __init__(self, raw: BinaryIO, path: str) -> None:
        self._source = _ZstdSource(raw, path)
        self._reader = zstandard.ZstdDecompressor().stream_reader(
            cast(BinaryIO, self._source), read_across_frames=True, closefd=False
        )

    @property
    def position(self) -> int:
        return self._source.position

    def read(self, size: int) -> bytes:
        return self._reader.read(size)


class _ZstdSource:
    """The compressed bytes as the decompressor reads them: up to the end of the last whole frame."""

    def __init__(self, raw: BinaryIO, path: str) -> None:
        self._raw, self._path, self._frames = raw, path, _ZstdFrames()
        self._error: InputError | None = None
        self.position = 0

    def read(self, size: int) -> bytes:
        if self._error is not None:
            raise self._error
        data = self._raw.read(size)
        if not data:
            self._finish()
            return b""
        start = self._frames.offset
        bad = self._frames.scan(data)
        if bad is not None:  # hand over what precedes it; the next read raises
            self._error = InputError(
                f"cannot read {self._path}: byte {bad:,} starts no zstd frame (other bytes follow the compressed data)",
                hint=_HINT,
            )
            data = data[: max(bad - start, 0)]
            if not data:
                raise self._error
        self.position += len(data)
        return data

    def _finish(self) -> None:
        frames = self._frames
        if not frames.between_frames:
            raise _cut_off(self._path, "zstd", frames.offset, f"inside the frame that begins at byte {frames.start:,}")
        if not frames.frames:
            raise _cut_off(self._path, "zstd", frames.offset, "before the first frame")


def _cut_off(path: str, kind: str, offset: int, where: str) -> InputError:
    return InputError(f"cannot read {path}: the {kind} data ends early, at byte {offset:,}, {where}", hint=_HINT)


def _magic_prefix(head: bytes) -> bool:
    """Whether ``head`` can begin a zstd frame or a skippable frame (magic numbers are little-endian)."""
    return _ZSTD_MAGIC.startswith(head) or (
        head[:1] >= b"\x50" and head[:1] <= b"\x5f" and b"\x2a\x4d\x18".startswith(head[1:])
    )


class _ZstdFrames:
    """Where the frames of a Zstandard stream end, from frame headers and block sizes only (RFC 8878).

    The decompressor checks what the blocks hold; this tells whether the bytes so far end on a
    frame boundary, so that a stream cut short, or followed by other bytes, is not read as a shorter file.
    """

    def __init__(self) -> None:
        self.offset = self.start = self.frames = 0  # bytes scanned; where the current frame begins; whole frames
        self._head, self._want, self._skip, self._checksum = b"", 4, 0, False
        self._step: Callable[[bytes], bool] = self._magic

    @property
    def between_frames(self) -> bool:
        return self._step == self._magic and not self._head and not self._skip

    def scan(self, data: bytes) -> int | None:
        """Follow ``data``; the offset of a frame that starts with no zstd magic number, else None."""
        i, n = 0, len(data)
        while i < n:
            if self._skip:
                taken = min(self._skip, n - i)
                self._skip -= taken
            else:
                taken = min(self._want - len(self._head), n - i)
                self._head += data[i : i + taken]
            i += taken
            self.offset += taken
            if self._step == self._magic and not _magic_prefix(self._head):
                return self.start  # the decompressor refuses such bytes at once: so does this
            if len(self._head) == self._want:
                head, self._head = self._head, b""
                if not self._step(head):
                    return self.start
        return None

    def _expect(self, size: int, step: Callable[[bytes], bool]) -> bool:
        self._want, self._step = size, step
        return True

    def _magic(self, head: bytes) -> bool:
        if head == _ZSTD_MAGIC:
            return self._expect(1, self._descriptor)
        return self._expect(4, self._skippable)  # :func:`_magic_prefix` let only these two through

    def _descriptor(self, head: bytes) -> bool:
        flags = head[0]
        single = flags >> 5 & 1
        self._skip = (1 - single) + (0, 1, 2, 4)[flags & 3] + (single, 2, 4, 8)[flags >> 6]
        self._checksum = bool(flags >> 2 & 1)
        return self._expect(3, self._block)

    def _block(self, head: bytes) -> bool:
        value = int.from_bytes(head, "little")
        self._skip = 1 if value >> 1 & 3 == 1 else value >> 3  # an RLE block stores one byte
        if not value & 1:
            return self._expect(3, self._block)
        self._skip += 4 * self._checksum
        return self._next_frame()

    def _skippable(self, head: bytes) -> bool:
        self._skip = int.from_bytes(head, "little")
        return self._next_frame()

    def _next_frame(self) -> bool:
        self.frames += 1
        self.start = self.offset + self._skip  # where the next frame begins, once this one's bytes are passed
        return self._expect(4, self._magic)


class _Reported(io.RawIOBase):
    """A reader whose OS and decompression errors become :class:`InputError` naming the file and byte."""

    def __init__(self, inner: _Decoder, path: str) -> None:
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
        except (OSError, zstandard.ZstdError) as exc:
            raise InputError(
                f"cannot read {self._path}: {exc} (before byte {self._inner.position:,})", hint=_HINT
            ) from exc
        buffer[: len(data)] = data
        return len(data)
