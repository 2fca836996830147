"""``synth import`` and ``synth search``: load posts into SQLite or PostgreSQL, and search them."""

from __future__ import annotations

import contextlib
import enum
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Final

import orjson
import typer

from synth.cli.common import (
    MAX_COUNT,
    CheckEngine,
    CheckEngineOption,
    FindingFormat,
    app,
    cpu_workers,
    echo,
    err,
    reported,
)
from synth.workers import MAX_WORKERS

MAX_BATCH: Final = 100_000  # records held in memory per transaction

if TYPE_CHECKING:
    from synth.load.importer import ImportSummary, Progress


class LogFormat(enum.Enum):
    """How ``synth import`` prints its summary."""

    TEXT = "text"
    JSON = "json"


TablePrefix = Annotated[
    str,
    typer.Option(
        "--table-prefix",
        help="Put this before the name of each of synth's tables (e.g. synth_ makes synth_posts), to keep them "
        "beside an application's tables. Lower-case letters, digits and _.",
    ),
]
Schema = Annotated[
    str | None,
    typer.Option(
        "--schema",
        help="PostgreSQL: the schema of synth's tables (default: the search_path); import creates it when missing.",
    ),
]


Rejects = Annotated[
    str | None,
    typer.Option(
        "--rejects",
        help="Dead-letter file: rejected records are APPENDED to it, written only when there are some; no file "
        "is ever truncated or deleted. An existing file that is not a synth rejects file is refused (exit 2) "
        "before importing. Default: DB.rejects.jsonl beside a SQLite file, "
        "synth-rejects-HOST-PORT-DATABASE-SCHEMA.jsonl for PostgreSQL; - is stdout.",
    ),
]
MaxErrors = Annotated[
    int,
    typer.Option(
        "--max-errors",
        min=0,
        max=MAX_COUNT,
        help="Stop at the Nth rejected record of a file (0: no limit). What came before it is committed; run "
        "again with a higher limit to continue after it.",
    ),
]
MaxErrorRate = Annotated[
    float,
    typer.Option(
        "--max-error-rate",
        min=0.0,
        max=1.0,
        help="Stop at the rejected record that makes more than this share of a file's records rejected "
        "(checked from the 100th record on).",
    ),
]
AllowRejects = Annotated[
    bool, typer.Option("--allow-rejects", help="Exit 0 even when records were rejected (default: exit 1).")
]
Db = Annotated[str, typer.Option("--db", help="SQLite file (default synth.db) or postgresql://user@host/db.")]


@app.command("import")
def import_(
    paths: Annotated[list[str], typer.Argument(help="Files to import (.jsonl, .json, .gz, .zst); - is stdin.")],
    db: Db = "synth.db",
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=MAX_BATCH, help="Records per transaction and checkpoint.")
    ] = 2000,
    rejects: Rejects = None,
    max_errors: MaxErrors = 0,
    max_error_rate: MaxErrorRate = 0.0,
    allow_rejects: AllowRejects = False,
    sync: Annotated[bool, typer.Option("--sync", help="Also delete posts absent from the input.")] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-w",
            min=0,
            max=MAX_WORKERS,
            help="Workers validating while one writer loads (processes for the Python checks); 0 (or more "
            "than the cores) means every core. 1 validates in the writer's process, beside a reader thread.",
        ),
    ] = 1,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Review dates may not pass this date.")] = None,
    log_format: Annotated[LogFormat, typer.Option("--log-format", help="Summary as text or one JSON object.")] = (
        LogFormat.TEXT
    ),
    table_prefix: TablePrefix = "",
    schema: Schema = None,
    engine: CheckEngineOption = CheckEngine.AUTO,
) -> None:
    """Import posts into SQLite or PostgreSQL: validated, idempotent, resumable.

    Runs again after a crash continue from the last checkpoint; re-importing unchanged posts
    changes nothing. Rejected records go to the dead-letter table and are appended to the
    dead-letter file.

    Exit code: 0 when every record went in, 1 when some were rejected (0 with --allow-rejects)
    or the import stopped at --max-errors or --max-error-rate, 2 for bad usage, unreadable
    input or a database error.
    """
    from synth.load.importer import ImportOptions, import_paths, import_validation  # noqa: PLC0415 - drivers on demand
    from synth.load.tables import Tables  # noqa: PLC0415

    with reported():
        options = ImportOptions(
            batch=batch,
            max_errors=max_errors,
            max_error_rate=max_error_rate,
            sync=sync,
            workers=cpu_workers(workers),
            validation=import_validation(as_of=as_of, engine=engine.value),
            tables=Tables(table_prefix, schema),
        )
        with import_progress(sys.stderr.isatty()) as advance:
            summary = import_paths(paths, db, options=options, rejects=rejects, progress=advance)
        _print_summary(summary, log_format)
    if summary.counts.rejected and not allow_rejects:
        raise typer.Exit(1)


@contextlib.contextmanager
def import_progress(enabled: bool) -> Iterator[Progress | None]:
    """On a terminal, a progress bar over the bytes of the sources read, with records, rows/s and ETA."""
    if not enabled:
        yield None
        return
    from rich.progress import (  # noqa: PLC0415 - only a terminal needs it
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("importing"), BarColumn(), TaskProgressColumn(), TextColumn("{task.fields[records]:,} records"),
        TextColumn("{task.fields[rate]:,.0f} rows/s"), TimeRemainingColumn(),
    )  # fmt: skip
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("import", total=None, records=0, rate=0.0)
        began = time.perf_counter()

        def tick(records: int, read: int, total: int | None) -> None:
            rate = records / max(time.perf_counter() - began, 1e-9)
            bar.update(task, completed=read, total=total, records=records, rate=rate)

        yield tick


def _print_summary(summary: ImportSummary, log_format: LogFormat) -> None:
    if log_format is LogFormat.JSON:
        err.print(orjson.dumps(summary.as_dict()).decode(), markup=False, highlight=False, soft_wrap=True)
        return
    err.print(summary.line(), markup=False)
    if summary.rejects_files:
        err.print(f"rejected records: {', '.join(summary.rejects_files)}", markup=False)
    err.print(summary.stages(), markup=False)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words that must all match.")],
    db: Annotated[str, typer.Option("--db", help="SQLite file or postgresql:// URL.")] = "synth.db",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=MAX_COUNT, help="How many results.")] = 10,
    fmt: Annotated[FindingFormat, typer.Option("--format", "-f", help="text or json (one object a hit).")] = (
        FindingFormat.TEXT
    ),
    table_prefix: TablePrefix = "",
    schema: Schema = None,
) -> None:
    """Ranked full-text search over imported posts (FTS5 in SQLite, tsvector in PostgreSQL).

    A SQLite file is opened read-only and never changed. Exit code: 0 when a post matched,
    1 when none did (like grep; "no posts match ..." on stderr), 2 for errors. The two
    databases tokenize differently (accents, apostrophes, hyphens, e-mails, paths): see
    synth.load.search.
    """
    from synth.load.search import search as run_search  # noqa: PLC0415
    from synth.load.tables import Tables  # noqa: PLC0415

    with reported():
        hits = run_search(db, query, limit=limit, tables=Tables(table_prefix, schema))
        for pid, title, score in hits:
            if fmt is FindingFormat.JSON:
                echo(orjson.dumps({"id": pid, "title": title, "score": round(score, 6)}).decode())
            else:
                echo(f"{pid}  {score:8.4f}  {title}")
    if not hits:
        err.print(f"no posts match {query!r}", markup=False)
        raise typer.Exit(1)
