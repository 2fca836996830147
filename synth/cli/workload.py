"""``synth queries`` and ``synth check-index``: query workloads with known answers, and the check of an index."""

from __future__ import annotations

import enum
from typing import Annotated

import orjson
import typer

from synth.cli.common import Locale, Quiet, Seed, app, echo, err, opt, reported
from synth.errors import UsageError
from synth.generation.request import MAX_INDEX, MAX_SEED
from synth.generation.streams import MAX_EDITION
from synth.workload import MAX_QUERIES


class ReportFormat(enum.Enum):
    """How ``synth check-index`` prints its report."""

    TEXT = "text"
    JSON = "json"


def _log_path(output: str, log: str | None) -> str:
    if log is not None:
        return log
    if output == "-":
        raise UsageError("--repeat needs --log when the workload goes to stdout", hint="add --log FILE")
    stem = output.removesuffix(".gz").removesuffix(".zst").removesuffix(".jsonl")
    return f"{stem}.log.jsonl"


@app.command("queries")
def queries_command(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Corpus files or manifest.json (default: generate).")
    ] = None,
    count: Annotated[int, opt("--count", "-n", min=0, max=MAX_INDEX + 1, help="Posts of the generated corpus.")] = 1000,
    seed: Seed = 0,
    locale: Locale = "en_US",
    edition: Annotated[int, opt("--edition", min=1, max=MAX_EDITION, help="Edition of the generated corpus.")] = 1,
    size: Annotated[int, opt("--queries", min=0, max=MAX_QUERIES, help="How many queries the workload holds.")] = 1000,
    query_seed: Annotated[
        int, opt("--query-seed", min=0, max=MAX_SEED, help="Seed of the workload's own choices.")
    ] = 0,
    max_ids: Annotated[
        int, opt("--max-ids", min=0, max=MAX_INDEX + 1, help="Answers up to this size list their ids.")
    ] = 1000,
    zipf: Annotated[float, opt("--zipf", min=0.0, max=10.0, help="Exponent of the queries' Zipf frequencies.")] = 1.0,
    reuse: Annotated[str | None, opt("--reuse", help="Answer this workload's queries over the corpus.")] = None,
    as_of: Annotated[str | None, opt("--as-of", help="For files: review dates may not pass this date.")] = None,
    output: Annotated[str, opt("--output", "-o", help="Workload file (.gz/.zst compress); - is stdout.")] = "-",
    repeat: Annotated[
        int, opt("--repeat", min=0, max=MAX_INDEX + 1, help="Also write a query log of N Zipf-repeated queries.")
    ] = 0,
    log: Annotated[str | None, opt("--log", help="With --repeat: the log file (default beside --output).")] = None,
    quiet: Quiet = False,
) -> None:
    """Write a query workload with the exact answer of every query (one JSON object a line).

    The corpus is generated (--count, --seed, --locale, --edition) or read from PATHS; the
    answers come from one pass over it. See docs/queries.md for the kinds and the format.
    """
    from synth.workload.workload import queries  # noqa: PLC0415 - numpy on demand

    with reported():
        target = _log_path(output, log) if repeat else None
        workload = queries(
            paths or None, count=count, seed=seed, locale=locale, edition=edition, size=size,
            query_seed=query_seed, max_ids=max_ids, zipf=zipf, reuse=reuse, as_of=as_of,
        )  # fmt: skip
        workload.write(output)
        if target is not None:
            workload.write_log(target, repeat, seed=query_seed)
    if not quiet:
        err.print(workload.summary.line(), markup=False)
        if target is not None:
            err.print(f"query log: {repeat:,} queries in {target}", markup=False)


@app.command("check-index")
def check_index_command(
    workload: Annotated[str, typer.Argument(help="Workload file written by `synth queries`; - is stdin.")],
    db: Annotated[str, opt("--db", help="SQLite file (default synth.db) or postgresql://user@host/db.")] = "synth.db",
    fmt: Annotated[ReportFormat, opt("--format", "-f", help="text or json (one object).")] = ReportFormat.TEXT,
    failures: Annotated[
        int, opt("--failures", min=0, max=MAX_QUERIES, help="How many failing queries to describe.")
    ] = 10,
) -> None:
    """Run a workload against an imported database; exit 0 when every answer matches, 1 otherwise.

    Prints, per kind, the queries, how many passed, recall and precision, then the first
    failing queries with the ids that were missing or extra.
    """
    from synth.load.check import check_index  # noqa: PLC0415 - drivers on demand

    with reported():  # the report too: a closed pipe ends the command with 141, a full disk is an error
        report = check_index(db, workload, failures=failures)
        for line in [orjson.dumps(report.as_dict()).decode()] if fmt is ReportFormat.JSON else report.lines():
            echo(line)
    if not report.ok:
        raise typer.Exit(1)
