"""Writing corpora: ranges of posts to JSONL or a JSON array, in order, on one or many cores.

The bytes depend only on (seed, range, locale, format): chunks are generated in worker
processes and written in index order, so ``--workers`` and the chunk size never change them,
and shards (``shard_range``) concatenated in order equal the unsharded output.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO, Final, Literal, TypeAlias

import orjson

from synth.errors import UsageError
from synth.generator import BATCH, batch_json, check_request
from synth.io import open_output

__all__ = [
    "CHUNK",
    "Layout",
    "ProgressFn",
    "Summary",
    "chunk_bytes",
    "parse_shard",
    "resolve_workers",
    "shard_range",
    "write_corpus",
]

CHUNK: Final = BATCH
Format = Literal["jsonl", "json"]
ProgressFn: TypeAlias = Callable[[int], None]


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
        mb = self.bytes / 1e6
        return f"{self.posts:,} posts, {mb:,.1f} MB in {self.seconds:.2f} s ({self.posts_per_second:,.0f} posts/s)"


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` as (K, N), 1 <= K <= N."""
    try:
        k_text, n_text = text.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise UsageError(f"--shard {text!r} is not K/N", hint="write the shard as K/N, e.g. 2/3") from None
    if not 1 <= k <= n:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N", hint="number shards from 1 to N")
    return k, n


def shard_range(start: int, count: int, shard: tuple[int, int]) -> range:
    """Part K of N of ``range(start, start + count)``: contiguous, sizes differing by at most one."""
    k, n = shard
    lo = start + count * (k - 1) // n
    hi = start + count * k // n
    return range(lo, hi)


def chunk_bytes(first: int, last: int, seed: int, locale: str) -> bytes:
    """Posts ``first`` .. ``last - 1`` as JSON lines, each ending in a newline."""
    lines = batch_json(first, last - first, seed=seed, locale=locale)
    return b"\n".join(lines) + b"\n" if lines else b""


Truth = list[tuple[int, str, str]]  # (0-based line within the chunk, code, kind)


@dataclass(frozen=True, slots=True)
class _Job:
    """What every chunk of one write shares (picklable, for worker processes)."""

    seed: int
    locale: str
    invalid_rate: float = 0.0
    final: int = 0  # the corpus's last index (the truncated-last-line defect goes there only)

    def chunk(self, first: int, last: int) -> tuple[bytes, Truth]:
        if not self.invalid_rate:
            return chunk_bytes(first, last, self.seed, self.locale), []
        from synth.defects import defective_chunk  # noqa: PLC0415 - only the labelled invalid corpus needs it

        return defective_chunk(first, last, self.seed, self.locale, self.invalid_rate, self.final)


def _chunks(indices: range, size: int) -> Iterator[tuple[int, int]]:
    for first in range(indices.start, indices.stop, size):
        yield first, min(first + size, indices.stop)


def _serial(job: _Job, indices: range, size: int) -> Iterator[tuple[int, tuple[bytes, Truth]]]:
    for first, last in _chunks(indices, size):
        yield last - first, job.chunk(first, last)


def _parallel(job: _Job, indices: range, size: int, workers: int) -> Iterator[tuple[int, tuple[bytes, Truth]]]:
    """Chunks from a process pool, yielded in order, with a bounded number in flight."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque[tuple[int, Future[tuple[bytes, Truth]]]] = deque()
        for first, last in _chunks(indices, size):
            pending.append((last - first, pool.submit(job.chunk, first, last)))
            if len(pending) >= workers * 3:
                n, future = pending.popleft()
                yield n, future.result()
        while pending:
            n, future = pending.popleft()
            yield n, future.result()


def resolve_workers(workers: int) -> int:
    """``0`` means every core; negative counts are a usage error."""
    if workers < 0:
        raise UsageError(f"--workers {workers} is negative", hint="use 0 for all cores or a positive count")
    return workers or os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class Layout:
    """How a corpus is written: format, chunk size, workers, and the optional labelled defects."""

    fmt: Format = "jsonl"
    chunk: int = CHUNK
    workers: int = 1
    invalid_rate: float = 0.0
    truth: str | None = None


def write_corpus(
    output: str | BinaryIO,
    *,
    count: int,
    seed: int = 0,
    start: int = 0,
    locale: str = "en_US",
    workers: int = 1,
    shard: tuple[int, int] | None = None,
    fmt: Format = "jsonl",
    chunk: int = CHUNK,
    invalid_rate: float = 0.0,
    truth: str | None = None,
    edition: int = 1,
    progress: ProgressFn | None = None,
) -> Summary:
    """Write posts ``start .. start + count - 1`` (or one shard of them) to ``output``.

    ``output`` is a path (``-`` for stdout, ``.gz``/``.zst`` compress) or a binary stream.
    With ``invalid_rate`` > 0, that share of posts is broken in documented ways
    (:mod:`synth.defects`) and ``truth`` names the JSONL file listing each defect.
    ``progress`` is called with the number of posts after each chunk.
    """
    if count < 0 or start < 0:
        raise UsageError("--count and --start must not be negative", hint="pass zero or a positive number")
    if shard is not None and fmt == "json":
        raise UsageError("--shard cannot split a JSON array", hint="use --format jsonl for shards")
    if not 0.0 <= invalid_rate <= 1.0:
        raise UsageError(f"--invalid-rate {invalid_rate} is not a share", hint="pass a number from 0 to 1")
    if invalid_rate and fmt == "json":
        raise UsageError("--invalid-rate writes JSON Lines only", hint="use --format jsonl")
    if edition != 1:
        return _write_edition(
            output,
            count=count,
            seed=seed,
            start=start,
            locale=locale,
            shard=shard,
            fmt=fmt,
            invalid_rate=invalid_rate,
            edition=edition,
        )
    indices = shard_range(start, count, shard) if shard else range(start, start + count)
    check_request(indices, seed, locale)
    job = _Job(seed, locale, invalid_rate, start + count - 1)
    layout = Layout(fmt, chunk, resolve_workers(workers), invalid_rate, truth)
    began = time.perf_counter()
    with contextlib.ExitStack() as stack:
        stream = stack.enter_context(open_output(output)) if isinstance(output, str) else output
        labels = stack.enter_context(open_output(truth)) if truth else None
        written = _write(stream, labels, job, indices, layout, progress)
    return Summary(len(indices), written, time.perf_counter() - began)


def _write(
    stream: BinaryIO, labels: BinaryIO | None, job: _Job, indices: range, layout: Layout, progress: ProgressFn | None
) -> int:
    parallel = layout.workers > 1 and len(indices) > layout.chunk
    chunks = _parallel(job, indices, layout.chunk, layout.workers) if parallel else _serial(job, indices, layout.chunk)
    written, lines_before = 0, 0
    array = layout.fmt == "json"
    if array:
        written += stream.write(b"[\n")
    for n, (lines, truth) in chunks:
        data = ((b",\n" if lines_before else b"") + lines[:-1].replace(b"\n", b",\n")) if array else lines
        written += stream.write(data)
        if labels is not None:
            labels.write(
                b"".join(
                    orjson.dumps({"line": lines_before + 1 + i, "code": c, "kind": k}) + b"\n" for i, c, k in truth
                )
            )
        lines_before += n if array else data.count(b"\n")
        if progress is not None:
            progress(n)
    if array:
        written += stream.write(b"\n]\n" if lines_before else b"]\n")
    return written


def _write_edition(
    output: str | BinaryIO,
    *,
    count: int,
    seed: int,
    start: int,
    locale: str,
    shard: tuple[int, int] | None,
    fmt: Format,
    invalid_rate: float,
    edition: int,
) -> Summary:
    """Edition ``edition`` of the corpus of ``count`` posts (see :mod:`synth.edition`), as JSON lines."""
    from synth.edition import edition_lines  # noqa: PLC0415 - only sync tests need editions

    if start or shard or fmt != "jsonl" or invalid_rate:
        raise UsageError(
            "--edition writes a whole corpus as JSON Lines",
            hint="drop --start, --shard, --format json and --invalid-rate",
        )
    check_request(range(count), seed, locale)
    began = time.perf_counter()
    posts = written = 0
    with contextlib.ExitStack() as stack:
        stream = stack.enter_context(open_output(output)) if isinstance(output, str) else output
        for line in edition_lines(count, edition, seed=seed, locale=locale):
            written += stream.write(line + b"\n")
            posts += 1
    return Summary(posts, written, time.perf_counter() - began)
