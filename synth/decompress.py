"""Decompressing input that must be whole: gzip members and zstd frames, each read to its end.

A compressed file must end exactly where its last gzip member or zstd frame ends: a stream cut
short, an empty file, or other bytes after the compressed data are an :class:`InputError` naming
the byte (the offset in the compressed file). Members and frames one after another
(``cat a.gz b.gz``) are read in full; zstd skippable frames are skipped. gzip is read with zlib
directly, so offsets are exact; zstd through zstandard's stream reader (``read_across_frames``),
with a small scanner of the frame headers and block sizes telling where each frame ends.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import BinaryIO, Final, Protocol, cast

from synth.errors import InputError

__all__ = ["HINT", "Decoder", "decoder"]

HINT: Final = "check the file is complete and compressed as its name says"

_ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"


class Decoder(Protocol):
    @property
    def position(self) -> int: ...  # compressed bytes handed to the decompressor so far

    def read(self, size: int, /) -> bytes: ...


class Plain:
    def __init__(self, raw: BinaryIO) -> None:
        self._raw, self.position = raw, 0

    def read(self, size: int) -> bytes:
        data = self._raw.read(size)
        self.position += len(data)
        return data


def decoder(raw: BinaryIO, kind: str | None, path: str) -> Decoder:
    if kind == "gzip":
        return Gunzip(raw, path)
    if kind == "zstd":
        return Unzstd(raw, path)
    return Plain(raw)


class Gunzip:
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
            raise InputError(f"cannot read {self._path}: {self._corrupt(exc)}", hint=HINT) from None
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


class Unzstd:
    """Zstandard frames one after another (``read_across_frames``), their bytes checked by :class:`ZstdSource`."""

    def __init__(self, raw: BinaryIO, path: str) -> None:
        self._source = ZstdSource(raw, path)
        import zstandard  # noqa: PLC0415 (imported on first use: start-up)

        self._reader = zstandard.ZstdDecompressor().stream_reader(
            cast(BinaryIO, self._source), read_across_frames=True, closefd=False
        )

    @property
    def position(self) -> int:
        return self._source.position

    def read(self, size: int) -> bytes:
        return self._reader.read(size)


class ZstdSource:
    """The compressed bytes as the decompressor reads them: up to the end of the last whole frame."""

    def __init__(self, raw: BinaryIO, path: str) -> None:
        self._raw, self._path, self._frames = raw, path, ZstdFrames()
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
                hint=HINT,
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
    return InputError(f"cannot read {path}: the {kind} data ends early, at byte {offset:,}, {where}", hint=HINT)


def _magic_prefix(head: bytes) -> bool:
    """Whether ``head`` can begin a zstd frame or a skippable frame (magic numbers are little-endian)."""
    return _ZSTD_MAGIC.startswith(head) or (
        head[:1] >= b"\x50" and head[:1] <= b"\x5f" and b"\x2a\x4d\x18".startswith(head[1:])
    )


class ZstdFrames:
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
