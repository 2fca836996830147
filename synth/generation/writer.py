"""``write_corpus``: the corpus, its labelled invalid variant or one of its editions, to a file or stream.

This is the one place that chooses what makes the lines (:mod:`~synth.generation.corpus` for
plain posts, :mod:`~synth.generation.defects` for the labelled invalid corpus,
:mod:`~synth.generation.edition` for editions); the machinery below it knows none of them.
The engine (:mod:`~synth.generation.engines`) is resolved here once and handed down by name.
The defects and editions are imported only when asked for (they need numpy; plain posts of the
native engine do not).
"""

from __future__ import annotations

import contextlib
import itertools
import time
from typing import BinaryIO

from synth.errors import UsageError
from synth.generation import engines
from synth.generation.corpus import (
    CHUNK,
    ChunkMaker,
    Format,
    PlainChunks,
    ProgressFn,
    Summary,
    Target,
    resolve_workers,
    shard_range,
    write_chunks,
)
from synth.generation.request import check_count, check_request
from synth.io import open_output

__all__ = ["write_corpus"]


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
    engine: engines.Engine = "auto",
) -> Summary:
    """Write posts ``start .. start + count - 1`` (or one ``shard`` (K, N) of them) to ``output``.

    ``output`` is a path (``-`` for stdout, ``.gz``/``.zst`` compress) or a binary stream.
    With ``invalid_rate`` > 0, that share of posts is broken in documented ways
    (:mod:`synth.generation.defects`) and ``truth`` names the JSONL file listing each defect.
    ``edition`` > 1 writes that edition of the corpus of ``count`` posts (:mod:`synth.generation.edition`).
    ``progress`` is called with the number of posts after each chunk. ``engine`` (auto, native or
    python) chooses the generator; the bytes are the same whichever runs.
    """
    check_count(count, start)
    _check_layout(shard, fmt, invalid_rate, truth)
    which = engines.resolve(engine)
    if edition != 1:
        _check_edition(start, shard, fmt, invalid_rate)
        return _write_edition(output, count, edition, seed, locale, progress, which)
    indices = shard_range(start, count, shard) if shard else range(start, start + count)
    check_request(indices, seed, locale)
    make = _chunk_maker(seed, locale, invalid_rate, start + count - 1, which)
    began = time.perf_counter()
    with contextlib.ExitStack() as stack:
        stream = stack.enter_context(open_output(output)) if isinstance(output, str) else output
        labels = stack.enter_context(open_output(truth)) if truth else None
        target = Target(stream, labels, fmt)
        written = write_chunks(target, make, indices, chunk=chunk, workers=resolve_workers(workers), progress=progress)
    return Summary(len(indices), written, time.perf_counter() - began)


def _chunk_maker(seed: int, locale: str, invalid_rate: float, final: int, engine: engines.Resolved) -> ChunkMaker:
    if not invalid_rate:
        return PlainChunks(seed, locale, engine)
    from synth.generation.defects import DefectiveChunks  # noqa: PLC0415 - only the invalid corpus needs it

    return DefectiveChunks(seed, locale, invalid_rate, final, engine)


def _check_layout(shard: tuple[int, int] | None, fmt: Format, invalid_rate: float, truth: str | None) -> None:
    if shard is not None and fmt == "json":
        raise UsageError("shard cannot split a JSON array", hint="write JSON Lines for shards", parameter="shard")
    if not 0.0 <= invalid_rate <= 1.0:
        raise UsageError(
            f"invalid_rate {invalid_rate} is not a share", hint="pass a number from 0 to 1", parameter="invalid_rate"
        )
    if invalid_rate and fmt == "json":
        raise UsageError("invalid_rate writes JSON Lines only", hint="write JSON Lines", parameter="invalid_rate")
    if truth and not invalid_rate:
        raise UsageError(
            "truth lists the defects of invalid_rate, which is 0", hint="set invalid_rate above 0", parameter="truth"
        )


def _check_edition(start: int, shard: tuple[int, int] | None, fmt: Format, invalid_rate: float) -> None:
    if start or shard or fmt != "jsonl" or invalid_rate:
        raise UsageError(
            "edition writes a whole corpus as JSON Lines",
            hint="leave out the start, the shard, the JSON array format and the invalid rate",
            parameter="edition",
        )


def _write_edition(
    output: str | BinaryIO,
    count: int,
    edition: int,
    seed: int,
    locale: str,
    progress: ProgressFn | None,
    engine: engines.Resolved,
) -> Summary:
    """Edition ``edition`` of the corpus of ``count`` posts, as JSON lines, a chunk of lines a write."""
    from synth.generation.edition import edition_lines  # noqa: PLC0415 - only editions need it

    check_request(range(count), seed, locale)
    began = time.perf_counter()
    posts = written = 0
    with contextlib.ExitStack() as stack:
        stream = stack.enter_context(open_output(output)) if isinstance(output, str) else output
        lines = edition_lines(count, edition, seed=seed, locale=locale, engine=engine)
        while batch := list(itertools.islice(lines, CHUNK)):
            written += stream.write(b"".join(line + b"\n" for line in batch))
            posts += len(batch)
            if progress is not None:
                progress(len(batch))
    return Summary(posts, written, time.perf_counter() - began)
