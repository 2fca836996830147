"""``synth import`` and ``synth search``: load posts into SQLite or PostgreSQL, and search them."""

from __future__ import annotations

import enum
import sys
from typing import Annotated, Final

import orjson
import typer

from synth.cli.common import MAX_COUNT, FindingFormat, app, cpu_workers, echo, err, progress, reported
from synth.workers import MAX_WORKERS

MAX_BATCH: Final = 100_000  # records held in memory per transaction


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
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=MAX_BATCH, help="Records per transaction and checkpoint.")
    ] = 2000,
    rejects: Annotated[
        str | None, typer.Option("--rejects", help="Dead-letter file (default: beside the SQLite file).")
    ] = None,
    max_errors: Annotated[
        int, typer.Option("--max-errors", min=0, max=MAX_COUNT, help="Abort after N rejected records.")
    ] = 0,
    max_error_rate: Annotated[
        float, typer.Option("--max-error-rate", min=0.0, max=1.0, help="Abort when this share is rejected.")
    ] = 0.0,
    sync: Annotated[bool, typer.Option("--sync", help="Also delete posts absent from the input.")] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-w",
            min=0,
            max=MAX_WORKERS,
            help="Processes validating; 0 (or more than the cores) means every core.",
        ),
    ] = 1,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Review dates may not pass this date.")] = None,
    log_format: Annotated[LogFormat, typer.Option("--log-format", help="Summary as text or one JSON object.")] = (
        LogFormat.TEXT
    ),
) -> None:
    """Import posts into SQLite or PostgreSQL: validated, idempotent, resumable.

    Runs again after a crash continue from the last checkpoint; re-importing unchanged posts
    changes nothing. Rejected records go to the dead-letter file.
    """
    from synth.load.importer import ImportOptions, import_paths, import_validation  # noqa: PLC0415 - drivers on demand

    with reported():
        options = ImportOptions(
            batch=batch,
            max_errors=max_errors,
            max_error_rate=max_error_rate,
            sync=sync,
            workers=cpu_workers(workers),
            validation=import_validation(as_of=as_of),
        )
        with progress(None, sys.stderr.isatty(), "importing") as advance:
            summary = import_paths(paths, db, options=options, rejects=rejects, progress=advance)
        if log_format is LogFormat.JSON:
            err.print(orjson.dumps(summary.as_dict()).decode(), markup=False, highlight=False, soft_wrap=True)
        else:
            err.print(summary.line(), markup=False)
            if summary.rejects_file:
                err.print(f"rejected records: {summary.rejects_file}", markup=False)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words that must all match.")],
    db: Annotated[str, typer.Option("--db", help="SQLite file or postgresql:// URL.")] = "synth.db",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=MAX_COUNT, help="How many results.")] = 10,
    fmt: Annotated[FindingFormat, typer.Option("--format", "-f", help="text or json (one object a hit).")] = (
        FindingFormat.TEXT
    ),
) -> None:
    """Ranked full-text search over imported posts (FTS5 in SQLite, tsvector in PostgreSQL)."""
    from synth.load.search import search as run_search  # noqa: PLC0415

    with reported():
        hits = run_search(db, query, limit=limit)
        for pid, title, score in hits:
            if fmt is FindingFormat.JSON:
                echo(orjson.dumps({"id": pid, "title": title, "score": round(score, 6)}).decode())
            else:
                echo(f"{pid}  {score:8.4f}  {title}")
