"""Writing corpora: ranges of posts to JSONL or a JSON array, in order, on one or many cores.

The bytes depend only on (seed, range, locale, format): chunks are made by workers and written
in index order, so ``workers``, the engine and the chunk size never change them, and shards
(:func:`shard_range`) concatenated in order equal the unsharded output. What makes a chunk is a
:class:`ChunkMaker` (plain posts here; the labelled invalid corpus brings its own), so this
module knows nothing of defects or editions.

A chunk is a thousand posts (:data:`CHUNK`, about 4.5 MB), written with one ``write``. Workers are
threads when the chunk maker says its work runs without the GIL (``threaded``: plain posts of
the native engine), else processes (:func:`synth.workers.process_pool`).
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO, Final, Literal, Protocol, TypeAlias

import orjson

from synth.errors import UsageError
from synth.generation import engines
from synth.wording import plural
from synth.workers import process_pool, resolve_workers

__all__ = [
    "CHUNK",
    "ChunkMaker",
    "Format",
    "PlainChunks",
    "ProgressFn",
    "Summary",
    "Truth",
    "resolve_workers",
    "shard_range",
    "write_chunks",
]

CHUNK: Final = 1000  # posts a chunk (one write of about 4.5 MB; larger chunks fall out of the CPU cache)
Format = Literal["jsonl", "json"]
ProgressFn: TypeAlias = Callable[[int], None]
Truth: TypeAlias = list[tuple[int, str, str]]  # (0-based line within the chunk, code, kind)


@dataclass(frozen=True, slots=True)
class Summary:
    """What a write produced: posts, bytes (uncompressed) and the time it took."""

    posts: int
    bytes: int
    seconds: float

    @property
    def posts_per_second(self) -> float:
        return self.posts / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """The one-line summary ``synth generate`` prints on stderr."""
        rate = f"{self.posts_per_second:,.0f} posts/s"
        return f"{plural(self.posts, 'post')}, {self.bytes / 1e6:,.1f} MB in {self.seconds:.2f} s ({rate})"


def shard_range(start: int, count: int, shard: tuple[int, int]) -> range:
    """Part K of N of ``range(start, start + count)``: contiguous, sizes differing by at most one."""
    k, n = shard
    if not 1 <= k <= n:
        raise UsageError(
            f"shard {k}/{n}: K must be between 1 and N", hint="number shards from 1 to N", parameter="shard"
        )
    return range(start + count * (k - 1) // n, start + count * k // n)


class ChunkMaker(Protocol):
    """Makes the lines of posts ``first .. last - 1`` and the defects among them (picklable).

    ``threaded``: its work runs without the GIL, so threads make chunks in parallel.
    """

    @property
    def threaded(self) -> bool: ...

    def __call__(self, first: int, last: int) -> tuple[bytes, Truth]: ...


@dataclass(frozen=True, slots=True)
class PlainChunks:
    """The corpus itself: no defects. ``engine`` is the resolved engine (native or python)."""

    seed: int
    locale: str
    engine: engines.Resolved = "python"

    @property
    def threaded(self) -> bool:
        return self.engine == "native"

    def __call__(self, first: int, last: int) -> tuple[bytes, Truth]:
        return engines.chunk_bytes(first, last, self.seed, self.locale, self.engine), []


Chunks: TypeAlias = Generator[tuple[int, tuple[bytes, Truth]], None, None]


def _ranges(indices: range, size: int) -> Iterator[tuple[int, int]]:
    for first in range(indices.start, indices.stop, size):
        yield first, min(first + size, indices.stop)


def _serial(make: ChunkMaker, indices: range, size: int) -> Chunks:
    for first, last in _ranges(indices, size):
        yield last - first, make(first, last)


@contextlib.contextmanager
def _thread_pool(workers: int) -> Iterator[Executor]:
    """Threads for chunks made without the GIL; on an error or an interrupt, the queued chunks are cancelled."""
    pool = ThreadPoolExecutor(workers, thread_name_prefix="synth-chunk")
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _parallel(make: ChunkMaker, indices: range, size: int, workers: int) -> Chunks:
    """Chunks from a pool of threads or processes, yielded in order, with a bounded number in flight."""
    pool_of: contextlib.AbstractContextManager[Executor] = (
        _thread_pool(workers) if make.threaded else process_pool(workers)
    )
    with pool_of as pool:
        pending: deque[tuple[int, Future[tuple[bytes, Truth]]]] = deque()
        for first, last in _ranges(indices, size):
            pending.append((last - first, pool.submit(make, first, last)))
            if len(pending) >= workers * 2:
                n, future = pending.popleft()
                yield n, future.result()
        while pending:
            n, future = pending.popleft()
            yield n, future.result()


@dataclass(frozen=True, slots=True)
class Target:
    """Where and how a write goes: the stream, the truth file (or None), the format."""

    stream: BinaryIO
    labels: BinaryIO | None = None
    fmt: Format = "jsonl"


def write_chunks(
    target: Target,
    make: ChunkMaker,
    indices: range,
    *,
    chunk: int = CHUNK,
    workers: int = 1,
    progress: ProgressFn | None = None,
) -> int:
    """Write the chunks of ``indices`` in order; returns the bytes written (uncompressed)."""
    parallel = workers > 1 and len(indices) > chunk
    chunks = _parallel(make, indices, chunk, workers) if parallel else _serial(make, indices, chunk)
    array = target.fmt == "json"
    written = target.stream.write(b"[\n") if array else 0
    lines_before = 0
    with contextlib.closing(chunks):  # an error here stops the pool at once, not when the generator is collected
        for n, (lines, truth) in chunks:
            data = ((b",\n" if lines_before else b"") + lines[:-1].replace(b"\n", b",\n")) if array else lines
            written += target.stream.write(data)
            if target.labels is not None:
                if truth:
                    target.labels.write(_truth_lines(truth, lines_before))
                lines_before += data.count(b"\n")  # a defect may add or take a line
            else:
                lines_before += n
            if progress is not None:
                progress(n)
    if array:
        written += target.stream.write(b"\n]\n" if lines_before else b"]\n")
    return written


def _truth_lines(truth: Truth, lines_before: int) -> bytes:
    return b"".join(
        orjson.dumps({"line": lines_before + 1 + i, "code": code, "kind": kind}) + b"\n" for i, code, kind in truth
    )
