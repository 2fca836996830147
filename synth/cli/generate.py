"""``synth generate``, ``synth corpus`` and ``synth fixtures``: write corpora, feeds, tracks and fixtures."""

from __future__ import annotations

import enum
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from synth.cli.common import (
    MAX_COUNT,
    Count,
    EngineChoice,
    EngineOption,
    Locale,
    Output,
    Quiet,
    Seed,
    Start,
    Workers,
    app,
    cpu_workers,
    err,
    opt,
    progress,
    reported,
)
from synth.errors import OutputError, UsageError
from synth.generation import corpus, engines
from synth.generation.manifest import MANIFEST
from synth.generation.parts import MAX_PARTS
from synth.generation.streams import MAX_EDITION
from synth.generation.writer import write_corpus
from synth.io import join_path
from synth.wording import plural
from synth.workload import MAX_QUERIES


class GenerateFormat(enum.Enum):
    """What ``synth generate`` writes."""

    JSONL = "jsonl"
    JSON = "json"
    BULK = "bulk"
    CSV = "csv"
    K6JSON = "k6json"


Format = Annotated[
    GenerateFormat, opt("--format", "-f", help="jsonl, json (an array), bulk (_bulk NDJSON), csv or k6json (flat).")
]
Shard = Annotated[str | None, opt("--shard", help="Write only part K of N of the range, e.g. 2/3.")]
InvalidRate = Annotated[
    float, opt("--invalid-rate", min=0.0, max=1.0, help="Share of posts to break, each in one known way.")
]
Truth = Annotated[str | None, opt("--truth", help="With --invalid-rate: write the defects (line, code, kind) here.")]
Parts = Annotated[
    int | None, opt("--parts", min=1, max=MAX_PARTS, help="Write P part files and a manifest.json into --output.")
]
Compress = Annotated[str | None, opt("--compress", help="With --parts or bulk: compress each file (gz or zst).")]
Dask = Annotated[bool, opt("--dask", help="With --parts: make the parts on a local Dask cluster.")]
Scheduler = Annotated[str | None, opt("--scheduler", help="With --parts: a Dask scheduler, e.g. tcp://host:8786.")]
Edition = Annotated[
    int, opt("--edition", min=1, max=MAX_EDITION, help="Edition of the corpus (2+ = revised, for sync tests).")
]
Index = Annotated[str, opt("--index", help="With --format bulk: the target index name.")]


class BulkOp(enum.Enum):
    """The action of each document of a ``_bulk`` body."""

    INDEX = "index"
    CREATE = "create"


OpType = Annotated[BulkOp, opt("--op-type", help="With --format bulk: index (add or replace) or create (add only).")]
MaxDocs = Annotated[
    int, opt("--max-docs", min=0, max=MAX_COUNT, help="With --format bulk: documents per file; 0 = no limit.")
]
MaxBytes = Annotated[
    int, opt("--max-bytes", min=0, max=MAX_COUNT, help="With --format bulk: bytes per file; 0 = no limit.")
]


@dataclass(frozen=True)
class _Bulk:
    index: str
    op_type: BulkOp
    max_docs: int
    max_bytes: int


@app.command()
def generate(
    count: Count = 1000, seed: Seed = 0, start: Start = 0, output: Output = "-", fmt: Format = GenerateFormat.JSONL,
    workers: Workers = 0, shard: Shard = None, locale: Locale = "en_US", invalid_rate: InvalidRate = 0.0,
    truth: Truth = None, parts: Parts = None, compress: Compress = None, dask: Dask = False,
    scheduler: Scheduler = None, edition: Edition = 1, index: Index = "alphanode", op_type: OpType = BulkOp.INDEX,
    max_docs: MaxDocs = 10_000, max_bytes: MaxBytes = 0, quiet: Quiet = False,
    engine: EngineOption = EngineChoice.AUTO,
) -> None:  # fmt: skip
    """Write a seeded corpus of posts: JSON lines, a JSON array, _bulk bodies or flat CSV/JSON.

    Post i of corpus SEED is always the same bytes: --workers, --shard, --engine and batch
    sizes never change the output.
    """
    with reported():
        which = engines.resolve(engine.value)
        if parts is not None:
            _generate_parts(
                output, count, seed, start, locale, workers, parts, compress, dask, scheduler, quiet, which
            )  # fmt: skip
            return
        if dask or scheduler or (compress and fmt is not GenerateFormat.BULK):
            raise UsageError("--dask, --scheduler and --compress go with --parts", hint="add --parts P")
        if fmt in (GenerateFormat.BULK, GenerateFormat.CSV, GenerateFormat.K6JSON):
            bulk = _Bulk(index, op_type, max_docs, max_bytes)
            _generate_feed(fmt, output, count, seed, start, locale, compress, bulk, quiet, which)
            return
        part = parse_shard(shard) if shard else None
        size = len(corpus.shard_range(start, count, part)) if part else count
        with progress(size, sys.stderr.isatty() and not quiet) as advance:
            summary = write_corpus(
                output, count=count, seed=seed, start=start, locale=locale, shard=part,
                workers=cpu_workers(workers), fmt=fmt.value, invalid_rate=invalid_rate, truth=truth,
                edition=edition, progress=advance, engine=which,
            )  # fmt: skip
        if not quiet:
            err.print(summary.line(), markup=False)


def parse_shard(text: str) -> tuple[int, int]:
    """``--shard K/N`` as (K, N), 1 <= K <= N."""
    try:
        k_text, n_text = text.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise UsageError(f"--shard {text!r} is not K/N", hint="write the shard as K/N, e.g. 2/3") from None
    if not 1 <= k <= n:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N", hint="number shards from 1 to N")
    return k, n


def _generate_feed(fmt: GenerateFormat, output: str, count: int, seed: int, start: int, locale: str,
                   compress: str | None, bulk: _Bulk, quiet: bool, engine: engines.Resolved) -> None:  # fmt: skip
    from synth.feeds.bulk import write_bulk  # noqa: PLC0415 - only feeds need it
    from synth.feeds.k6 import write_k6  # noqa: PLC0415

    if fmt is GenerateFormat.BULK:
        files = write_bulk(
            output, count=count, seed=seed, start=start, locale=locale, index=bulk.index,
            op_type=bulk.op_type.value, max_docs=bulk.max_docs or None, max_bytes=bulk.max_bytes or None,
            compress=compress, engine=engine,  # type: ignore[arg-type]
        )  # fmt: skip
        if not quiet:
            err.print(
                f"{plural(count, 'document')} in {plural(len(files), 'bulk file')} for index {bulk.index}",
                markup=False,
            )
        return
    summary = write_k6(output, count=count, seed=seed, start=start, locale=locale,
                       fmt="csv" if fmt is GenerateFormat.CSV else "json", engine=engine)  # fmt: skip
    if not quiet:
        err.print(summary.line(), markup=False)


class TrackFlavour(enum.Enum):
    """Which benchmark tool a corpus is for."""

    RALLY = "rally"
    OSB = "osb"


@app.command("corpus")
def corpus_command(
    flavour: Annotated[TrackFlavour, typer.Argument(help="rally (Elasticsearch Rally) or osb (OpenSearch Benchmark).")],
    output: Annotated[str, opt("--output", "-o", help="Folder for the track or workload.")],
    count: Count = 10_000, seed: Seed = 0, start: Start = 0, locale: Locale = "en_US",
    index: Annotated[str, opt("--index", help="Index name of the track.")] = "alphanode",
    queries: Annotated[int, opt("--queries", min=0, max=MAX_QUERIES, help="Add N searches with known hit counts.")] = 0,
    quiet: Quiet = False, engine: EngineOption = EngineChoice.AUTO,
) -> None:  # fmt: skip
    """Write a Rally track or OSB workload: compressed documents, offset table, mapping, schedule."""
    from synth.feeds.rally import write_rally_corpus  # noqa: PLC0415

    with reported():
        which = engines.resolve(engine.value)
        track = write_rally_corpus(output, count=count, seed=seed, start=start, locale=locale,
                                   flavour=flavour.value, index=index, queries=queries, engine=which)  # fmt: skip
        if not quiet:
            err.print(track.line(), markup=False)


def _generate_parts(
    output: str,
    count: int,
    seed: int,
    start: int,
    locale: str,
    workers: int,
    parts: int,
    compress: str | None,
    dask: bool,
    scheduler: str | None,
    quiet: bool,
    engine: engines.Resolved,
) -> None:
    from synth.generation import parts as partitioned  # noqa: PLC0415

    if output == "-":
        raise UsageError("--parts writes a folder", hint="pass --output DIR")
    began = time.perf_counter()
    common: dict[str, Any] = {"count": count, "parts": parts, "seed": seed, "start": start, "locale": locale}
    common.update(compress=compress, workers=cpu_workers(workers), engine=engine)
    if dask or scheduler:
        manifest = partitioned.write_parts_dask(output, scheduler=scheduler, **common)
    else:
        manifest = partitioned.write_parts(output, **common)
    if not quiet:
        seconds = time.perf_counter() - began
        stored = sum(p.bytes for p in manifest.parts)
        made = f"{plural(manifest.count, 'post')} in {plural(len(manifest.parts), 'part')}"
        err.print(
            f"{made}, {stored / 1e6:,.1f} MB stored, in {seconds:.2f} s ({manifest.count / seconds:,.0f} posts/s); "
            f"manifest: {join_path(output, MANIFEST)}",
            markup=False,
        )


@app.command()
def fixtures(
    output: Annotated[str, typer.Option("--output", "-o", help="Folder to write into.")] = "fixtures",
) -> None:
    """Write the golden fixtures: small corpora, one invalid sample per rule code, whole posts."""
    from synth.testing.fixtures import write_fixtures  # noqa: PLC0415

    with reported():
        try:
            written = write_fixtures(Path(output))
        except OSError as exc:
            raise OutputError(f"cannot write fixtures to {output}: {exc}", hint="check the folder is writable") from exc
        err.print(f"wrote {plural(len(written), 'file')} under {output}", markup=False)
