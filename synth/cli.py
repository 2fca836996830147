"""The ``synth`` command: parse arguments, call one library function, report ``SynthError``s.

Nothing imports this module; every command is a thin layer over the library.
"""

from __future__ import annotations

import contextlib
import enum
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Final

import orjson
import typer
from rich.console import Console

from synth import corpus, vocab
from synth._version import __version__
from synth.errors import OutputError, SynthError, UsageError
from synth.io import open_output

if TYPE_CHECKING:
    from synth.validate import Finding, Report

__all__ = ["app", "main"]

EXIT_INTERRUPTED: Final = 130

app = typer.Typer(
    name="synth",
    help="Synthesize, validate and import alphanode posts for test suites and load tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
_err = Console(stderr=True, highlight=False, soft_wrap=True)
_out = Console(highlight=False, soft_wrap=True)


@contextlib.contextmanager
def _reported() -> Iterator[None]:
    """Turn a SynthError into ``synth: error: ...`` on stderr and its exit code."""
    try:
        yield
    except SynthError as exc:
        _err.print(f"synth: error: {exc}", markup=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        _err.print("synth: interrupted", markup=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"synth {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Synthesize, validate and import alphanode posts for test suites and load tests."""


@app.command()
def schema(
    output: Annotated[str, typer.Option("--output", "-o", help="Where to write the schema; - is stdout.")] = "-",
) -> None:
    """Print the JSON Schema (2020-12) of the post model, v1."""
    from synth.model import json_schema  # noqa: PLC0415 - pydantic only for the commands that need it

    with _reported(), open_output(output) as stream:
        stream.write(orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2) + b"\n")


@contextlib.contextmanager
def _progress(total: int | None, enabled: bool, label: str = "generating") -> Iterator[corpus.ProgressFn | None]:
    if not enabled:
        yield None
        return
    from rich.progress import (  # noqa: PLC0415 - only a terminal needs it; keeps start-up short
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_err, transient=True) as bar:
        task = bar.add_task("generate", total=total)
        yield lambda n: bar.advance(task, n)


class GenerateFormat(enum.Enum):
    """What ``synth generate`` writes."""

    JSONL = "jsonl"
    JSON = "json"
    BULK = "bulk"
    CSV = "csv"
    K6JSON = "k6json"


def _opt(*names: str, **kw: Any) -> Any:
    return typer.Option(*names, **kw)


Count = Annotated[int, _opt("--count", "-n", min=0, help="How many posts to write.")]
Seed = Annotated[int, _opt("--seed", "-s", min=0, help="Corpus seed; the same seed gives the same bytes.")]
Start = Annotated[int, _opt("--start", min=0, help="Index of the first post (0-based).")]
Locale = Annotated[str, _opt("--locale", "-l", help=f"Free-text locale: {', '.join(vocab.LOCALES)}.")]
Quiet = Annotated[bool, _opt("--quiet", "-q", help="Print no summary line.")]
Output = Annotated[str, _opt("--output", "-o", help="Output file (.gz/.zst compress) or folder; - is stdout.")]
Workers = Annotated[int, _opt("--workers", "-w", help="Processes to use; 0 (the default) means every core.")]
Format = Annotated[
    GenerateFormat, _opt("--format", "-f", help="jsonl, json (an array), bulk (_bulk NDJSON), csv or k6json (flat).")
]
Shard = Annotated[str | None, _opt("--shard", help="Write only part K of N of the range, e.g. 2/3.")]
InvalidRate = Annotated[
    float, _opt("--invalid-rate", min=0.0, max=1.0, help="Share of posts to break, each in one known way.")
]
Truth = Annotated[str | None, _opt("--truth", help="With --invalid-rate: write the defects (line, code, kind) here.")]
Parts = Annotated[int | None, _opt("--parts", min=1, help="Write P part files and a manifest.json into --output.")]
Compress = Annotated[str | None, _opt("--compress", help="With --parts or bulk: compress each file (gz or zst).")]
Dask = Annotated[bool, _opt("--dask", help="With --parts: make the parts on a local Dask cluster.")]
Scheduler = Annotated[str | None, _opt("--scheduler", help="With --parts: a Dask scheduler, e.g. tcp://host:8786.")]
Edition = Annotated[int, _opt("--edition", min=1, help="Edition of the corpus (2+ = revised, for sync tests).")]
Index = Annotated[str, _opt("--index", help="With --format bulk: the target index name.")]
OpType = Annotated[str, _opt("--op-type", help="With --format bulk: index or create.")]
MaxDocs = Annotated[int, _opt("--max-docs", min=0, help="With --format bulk: documents per file; 0 = no limit.")]
MaxBytes = Annotated[int, _opt("--max-bytes", min=0, help="With --format bulk: bytes per file; 0 = no limit.")]


@dataclass(frozen=True)
class _Bulk:
    index: str
    op_type: str
    max_docs: int
    max_bytes: int


@app.command()
def generate(
    count: Count = 1000, seed: Seed = 0, start: Start = 0, output: Output = "-", fmt: Format = GenerateFormat.JSONL,
    workers: Workers = 0, shard: Shard = None, locale: Locale = "en_US", invalid_rate: InvalidRate = 0.0,
    truth: Truth = None, parts: Parts = None, compress: Compress = None, dask: Dask = False,
    scheduler: Scheduler = None, edition: Edition = 1, index: Index = "alphanode", op_type: OpType = "index",
    max_docs: MaxDocs = 10_000, max_bytes: MaxBytes = 0, quiet: Quiet = False,
) -> None:  # fmt: skip
    """Write a seeded corpus of posts: JSON lines, a JSON array, _bulk bodies or flat CSV/JSON.

    Post i of corpus SEED is always the same bytes: --workers, --shard and batch sizes
    never change the output.
    """
    with _reported():
        if parts is not None:
            _generate_parts(output, count, seed, start, locale, workers, parts, compress, dask, scheduler, quiet)
            return
        if dask or scheduler or (compress and fmt is not GenerateFormat.BULK):
            raise UsageError("--dask, --scheduler and --compress go with --parts", hint="add --parts P")
        if fmt in (GenerateFormat.BULK, GenerateFormat.CSV, GenerateFormat.K6JSON):
            bulk = _Bulk(index, op_type, max_docs, max_bytes)
            _generate_feed(fmt, output, count, seed, start, locale, compress, bulk, quiet)
            return
        part = corpus.parse_shard(shard) if shard else None
        size = len(corpus.shard_range(start, count, part)) if part else count
        with _progress(size, sys.stderr.isatty() and not quiet) as advance:
            summary = corpus.write_corpus(
                output, count=count, seed=seed, start=start, locale=locale, workers=workers, shard=part,
                fmt=fmt.value, invalid_rate=invalid_rate, truth=truth, edition=edition, progress=advance,
            )  # fmt: skip
        if not quiet:
            _err.print(summary.line(), markup=False)


def _generate_feed(fmt: GenerateFormat, output: str, count: int, seed: int, start: int, locale: str,
                   compress: str | None, bulk: _Bulk, quiet: bool) -> None:  # fmt: skip
    from synth import feeds  # noqa: PLC0415

    if fmt is GenerateFormat.BULK:
        if bulk.op_type not in ("index", "create"):
            raise UsageError(f"--op-type {bulk.op_type!r}", hint="use index or create")
        files = feeds.write_bulk(
            output, count=count, seed=seed, start=start, locale=locale, index=bulk.index,
            op_type=bulk.op_type,  # type: ignore[arg-type]
            max_docs=bulk.max_docs or None, max_bytes=bulk.max_bytes or None, compress=compress,  # type: ignore[arg-type]
        )  # fmt: skip
        if not quiet:
            _err.print(f"{count:,} documents in {len(files)} bulk file(s) for index {bulk.index}", markup=False)
        return
    summary = feeds.write_k6(output, count=count, seed=seed, start=start, locale=locale,
                             fmt="csv" if fmt is GenerateFormat.CSV else "json")  # fmt: skip
    if not quiet:
        _err.print(summary.line(), markup=False)


@app.command("corpus")
def corpus_command(
    flavour: Annotated[TrackFlavour, typer.Argument(help="rally (Elasticsearch Rally) or osb (OpenSearch Benchmark).")],
    output: Annotated[str, _opt("--output", "-o", help="Folder for the track or workload.")],
    count: Count = 10_000, seed: Seed = 0, start: Start = 0, locale: Locale = "en_US",
    index: Annotated[str, _opt("--index", help="Index name of the track.")] = "alphanode",
    quiet: Quiet = False,
) -> None:  # fmt: skip
    """Write a Rally track or OSB workload: compressed documents, offset table, mapping, schedule."""
    from synth.tracks import write_rally_corpus  # noqa: PLC0415

    with _reported():
        track = write_rally_corpus(output, count=count, seed=seed, start=start, locale=locale,
                                   flavour=flavour.value, index=index)  # fmt: skip
    if not quiet:
        _err.print(track.line(), markup=False)


class PageFormat(enum.Enum):
    """Page formats of ``synth render``."""

    TEXT = "text"
    HTML = "html"
    MARKDOWN = "markdown"
    SITE = "site"


class ParseFormat(enum.Enum):
    """Page formats ``synth parse`` reads."""

    TEXT = "text"
    HTML = "html"


@app.command()
def render(
    path: Annotated[str, typer.Argument(help="Posts to render (.jsonl, .json, .gz, .zst); - is stdin.")] = "-",
    fmt: Annotated[PageFormat, _opt("--format", "-f", help="text (like the sample page), html, markdown, or site.")] = (
        PageFormat.TEXT
    ),
    output: Annotated[
        str, _opt("--output", "-o", help="File for one post (- is stdout), or a folder: a page per post, or the site.")
    ] = "-",
    per_page: Annotated[int, _opt("--per-page", min=1, help="With --format site: posts per index page.")] = 100,
) -> None:
    """Render posts as pages: text like the sample page, HTML, Markdown, or a whole static site."""
    from synth import render as rendering  # noqa: PLC0415

    with _reported():
        summary = rendering.render_file(path, fmt.value, output, per_page=per_page)
    if output != "-" or fmt is PageFormat.SITE:
        _err.print(summary, markup=False)


@app.command()
def parse(
    path: Annotated[str, typer.Argument(help="A rendered page (text or HTML); - is stdin.")],
    fmt: Annotated[ParseFormat | None, _opt("--format", "-f", help="text or html; default: guessed.")] = None,
    output: Annotated[str, _opt("--output", "-o", help="Where to write the post as JSON; - is stdout.")] = "-",
) -> None:
    """Read a rendered page (text or HTML) back into a post as JSON, to import scraped content."""
    from synth import pages  # noqa: PLC0415

    with _reported():
        post = pages.parse_file(path, None if fmt is None else fmt.value)
        with open_output(output) as stream:
            stream.write(orjson.dumps(post) + b"\n")


class TrackFlavour(enum.Enum):
    """Which benchmark tool a corpus is for."""

    RALLY = "rally"
    OSB = "osb"


class FindingFormat(enum.Enum):
    """How ``synth validate`` prints findings."""

    TEXT = "text"
    JSON = "json"


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
) -> None:
    from synth import parts as partitioned  # noqa: PLC0415

    if output == "-":
        raise UsageError("--parts writes a folder", hint="pass --output DIR")
    began = time.perf_counter()
    if dask or scheduler:
        manifest = partitioned.write_parts_dask(
            output,
            count=count,
            parts=parts,
            seed=seed,
            start=start,
            locale=locale,
            compress=compress,
            scheduler=scheduler,
            workers=corpus.resolve_workers(workers),
        )
    else:
        manifest = partitioned.write_parts(
            output, count=count, parts=parts, seed=seed, start=start, locale=locale, workers=workers, compress=compress
        )
    if not quiet:
        seconds = time.perf_counter() - began
        stored = sum(p.bytes for p in manifest.parts)
        _err.print(
            f"{manifest.count:,} posts in {len(manifest.parts)} parts, {stored / 1e6:,.1f} MB stored, "
            f"in {seconds:.2f} s ({manifest.count / seconds:,.0f} posts/s); manifest: {output}/manifest.json",
            markup=False,
        )


def _split_codes(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [code for value in values for code in value.split(",") if code.strip()]


@app.command()
def validate(
    paths: Annotated[list[str], typer.Argument(help="Files to check (.jsonl, .json, .gz, .zst); - is stdin.")],
    fmt: Annotated[FindingFormat, typer.Option("--format", "-f", help="text for people, json for machines.")] = (
        FindingFormat.TEXT
    ),
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Only these codes or prefixes (C, S004).")
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="Skip these codes or prefixes.")] = None,
    max_errors: Annotated[int, typer.Option("--max-errors", min=0, help="Stop after N errors; 0 means no limit.")] = 0,
    max_line_bytes: Annotated[int, typer.Option("--max-line-bytes", min=1, help="Longest line read (P005).")] = 1 << 20,
    max_depth: Annotated[int, typer.Option("--max-depth", min=1, max=512, help="Deepest nesting allowed (P006).")] = 64,
    max_document_bytes: Annotated[
        int, typer.Option("--max-document-bytes", min=1, help="Largest whole-file JSON document read (P009).")
    ] = 256 << 20,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD) review dates may not pass; default today.")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Processes; 0 means every core.")] = 1,
    sanitize: Annotated[
        bool, typer.Option("--sanitize", help="Repair sloppy exports (lists as strings, 1/0 flags...) as warnings.")
    ] = False,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="With --sanitize: write the repaired posts here.")
    ] = None,
    rejects: Annotated[
        str | None, typer.Option("--rejects", help="With --sanitize: write rejected lines and their findings here.")
    ] = None,
) -> None:
    """Check posts: parse, schema, consistency and corpus rules, every finding located.

    Exit code 0 when every post is valid, 1 when there are findings, 2 on usage or I/O errors.
    """
    from synth import validate as validation  # noqa: PLC0415 - pydantic only for the commands that need it

    with _reported():
        if (output or rejects) and not sanitize:
            raise UsageError("--output and --rejects need --sanitize", hint="add --sanitize")
        options = validation.make_options(
            select=_split_codes(select),
            ignore=_split_codes(ignore),
            max_line_bytes=max_line_bytes,
            max_depth=max_depth,
            max_document_bytes=max_document_bytes,
            as_of=as_of,
            sanitize=sanitize,
        )
        report = validation.Report()
        with contextlib.ExitStack() as stack:
            clean = stack.enter_context(open_output(output)) if output else None
            rejected = stack.enter_context(open_output(rejects)) if rejects else None
            sink = validation.SanitizeSink(clean, rejected, options.selection) if sanitize else None
            findings = validation.validate_paths(
                paths, options=options, report=report, workers=corpus.resolve_workers(workers), sink=sink
            )
            _show(findings, fmt, report, max_errors)
        summary = validation.summary(report)
        (_err if fmt is FindingFormat.JSON else _out).print(summary, markup=False, highlight=False)
    raise typer.Exit(1 if report.errors else 0)


def _show(findings: Iterator[Finding], fmt: FindingFormat, report: Report, max_errors: int) -> None:
    show = _finding_printer(fmt)
    for finding in findings:
        show(finding)
        if max_errors and report.errors >= max_errors:
            report.stopped_early = True
            return


def _finding_printer(fmt: FindingFormat) -> Callable[[Finding], None]:
    from synth.validate import format_text  # noqa: PLC0415

    def as_json(finding: Finding) -> None:
        sys.stdout.buffer.write(orjson.dumps(finding.as_dict()) + b"\n")

    def as_text(finding: Finding) -> None:
        style = "yellow" if finding.is_warning else "red"
        _out.print(format_text(finding), markup=False, highlight=False, style=style)

    return as_json if fmt is FindingFormat.JSON else as_text


@app.command()
def rules() -> None:
    """List the validator's rule codes, one line each."""
    from synth.rules import RULES  # noqa: PLC0415 - pydantic-free, but only this command needs it

    for rule in RULES.values():
        typer.echo(f"{rule.code}  {rule.name:<24} {rule.summary}")


@app.command()
def fixtures(
    output: Annotated[str, typer.Option("--output", "-o", help="Folder to write into.")] = "fixtures",
) -> None:
    """Write the golden fixtures: small corpora, one invalid sample per rule code, whole posts."""
    from pathlib import Path  # noqa: PLC0415

    from synth.fixtures import write_fixtures  # noqa: PLC0415

    with _reported():
        try:
            written = write_fixtures(Path(output))
        except OSError as exc:
            raise OutputError(f"cannot write fixtures to {output}: {exc}", hint="check the folder is writable") from exc
    _err.print(f"wrote {len(written)} files under {output}", markup=False)


class LogFormat(enum.Enum):
    """How ``synth import`` prints its summary."""

    TEXT = "text"
    JSON = "json"


@app.command("import")
def import_(
    paths: Annotated[list[str], typer.Argument(help="Files to import (.jsonl, .json, .gz, .zst); - is stdin.")],
    db: Annotated[str, typer.Option("--db", help="SQLite file (default synth.db) or postgresql://user@host/db.")] = (
        "synth.db"
    ),
    batch: Annotated[int, typer.Option("--batch", min=1, help="Records per transaction and checkpoint.")] = 2000,
    rejects: Annotated[
        str | None, typer.Option("--rejects", help="Dead-letter file (default: beside the SQLite file).")
    ] = None,
    max_errors: Annotated[int, typer.Option("--max-errors", min=0, help="Abort after N rejected records.")] = 0,
    max_error_rate: Annotated[
        float, typer.Option("--max-error-rate", min=0.0, max=1.0, help="Abort when this share is rejected.")
    ] = 0.0,
    sync: Annotated[bool, typer.Option("--sync", help="Also delete posts absent from the input.")] = False,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Processes validating; 0 means every core.")] = 1,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Review dates may not pass this date.")] = None,
    log_format: Annotated[LogFormat, typer.Option("--log-format", help="Summary as text or one JSON object.")] = (
        LogFormat.TEXT
    ),
) -> None:
    """Import posts into SQLite or PostgreSQL: validated, idempotent, resumable.

    Runs again after a crash continue from the last checkpoint; re-importing unchanged posts
    changes nothing. Rejected records go to the dead-letter file.
    """
    from synth import load  # noqa: PLC0415 - database drivers only for the commands that need them

    with _reported():
        options = load.ImportOptions(
            batch=batch,
            max_errors=max_errors,
            max_error_rate=max_error_rate,
            sync=sync,
            workers=corpus.resolve_workers(workers),
            validation=load.import_validation(as_of=as_of),
        )
        with _progress(None, sys.stderr.isatty(), "importing") as advance:
            summary = load.import_paths(paths, db, options=options, rejects=rejects, progress=advance)
        if log_format is LogFormat.JSON:
            _err.print(orjson.dumps(summary.as_dict()).decode(), markup=False, highlight=False, soft_wrap=True)
        else:
            _err.print(summary.line(), markup=False)
            if summary.rejects_file:
                _err.print(f"rejected records: {summary.rejects_file}", markup=False)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words that must all match.")],
    db: Annotated[str, typer.Option("--db", help="SQLite file or postgresql:// URL.")] = "synth.db",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many results.")] = 10,
    fmt: Annotated[FindingFormat, typer.Option("--format", "-f", help="text or json (one object a hit).")] = (
        FindingFormat.TEXT
    ),
) -> None:
    """Ranked full-text search over imported posts (FTS5 in SQLite, tsvector in PostgreSQL)."""
    from synth import load  # noqa: PLC0415

    with _reported():
        hits = load.search(db, query, limit=limit)
    for pid, title, score in hits:
        if fmt is FindingFormat.JSON:
            typer.echo(orjson.dumps({"id": pid, "title": title, "score": round(score, 6)}).decode())
        else:
            typer.echo(f"{pid}  {score:8.4f}  {title}")


def main() -> None:
    """Console-script entry point."""
    app()
