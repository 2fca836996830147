"""``synth validate``, ``synth rules`` and ``synth schema``: check posts, list the rules, print the schema."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
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
    out,
    reported,
)
from synth.errors import UsageError
from synth.io import STDIO, open_output
from synth.workers import MAX_WORKERS

if TYPE_CHECKING:
    from synth.validate.report import Finding, Report


@app.command()
def schema(
    output: Annotated[str, typer.Option("--output", "-o", help="Where to write the schema; - is stdout.")] = "-",
) -> None:
    """Print the JSON Schema (2020-12) of the post model, v1."""
    from synth.schema.export import json_schema  # noqa: PLC0415 - pydantic only for the commands that need it

    with reported(), open_output(output) as stream:
        stream.write(orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2) + b"\n")


def _split_codes(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [code for value in values for code in value.split(",") if code.strip()]


Paths = Annotated[list[str], typer.Argument(help="Files to check (.jsonl, .json, .gz, .zst); - is stdin.")]
Fmt = Annotated[FindingFormat, typer.Option("--format", "-f", help="text for people, json for machines.")]
Select = Annotated[list[str] | None, typer.Option("--select", help="Only these codes or prefixes (C, S004).")]
Ignore = Annotated[list[str] | None, typer.Option("--ignore", help="Skip these codes or prefixes.")]
MaxErrors = Annotated[
    int, typer.Option("--max-errors", min=0, max=MAX_COUNT, help="Stop after N errors; 0 means no limit.")
]
MAX_LINE_BYTES: Final = 1 << 30  # a line is held in memory whole: 1 GiB at most
MAX_DOCUMENT_BYTES: Final = 1 << 32
MaxLine = Annotated[
    int, typer.Option("--max-line-bytes", min=1, max=MAX_LINE_BYTES, help="Longest line read (P005), up to 1 GiB.")
]
MaxDepth = Annotated[int, typer.Option("--max-depth", min=1, max=512, help="Deepest nesting allowed (P006).")]
MaxDocument = Annotated[
    int,
    typer.Option(
        "--max-document-bytes",
        min=1,
        max=MAX_DOCUMENT_BYTES,
        help="Largest whole-file JSON object read (P009); arrays stream.",
    ),
]
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD) review dates may not pass; default today.")
]
Workers = Annotated[
    int,
    typer.Option(
        "--workers", "-w", min=0, max=MAX_WORKERS, help="Processes; 0 (or more than the cores) means every core."
    ),
]
Sanitize = Annotated[
    bool, typer.Option("--sanitize", help="Repair sloppy exports (lists as strings, 1/0 flags...) as warnings.")
]
CleanOutput = Annotated[
    str | None, typer.Option("--output", "-o", help="With --sanitize: write the repaired posts here.")
]
Rejects = Annotated[
    str | None, typer.Option("--rejects", help="With --sanitize: write rejected lines and their findings here.")
]


@app.command()
def validate(
    paths: Paths, fmt: Fmt = FindingFormat.TEXT, select: Select = None, ignore: Ignore = None,
    max_errors: MaxErrors = 0, max_line_bytes: MaxLine = 1 << 20, max_depth: MaxDepth = 64,
    max_document_bytes: MaxDocument = 4 << 20, as_of: AsOf = None, workers: Workers = 1,
    sanitize: Sanitize = False, output: CleanOutput = None, rejects: Rejects = None,
    engine: CheckEngineOption = CheckEngine.AUTO,
) -> None:  # fmt: skip
    """Check posts: parse, schema, consistency and corpus rules, every finding located.

    Exit code 0 when every post is valid, 1 when there are findings, 2 on usage or I/O errors.
    """
    from synth.validate.options import make_options  # noqa: PLC0415 - pydantic only for the commands that need it
    from synth.validate.report import Report, summary  # noqa: PLC0415
    from synth.validate.run import validate_paths  # noqa: PLC0415
    from synth.validate.sink import SanitizeSink  # noqa: PLC0415

    with reported():
        if (output or rejects) and not sanitize:
            raise UsageError("--output and --rejects need --sanitize", hint="add --sanitize")
        options = make_options(
            select=_split_codes(select), ignore=_split_codes(ignore), max_line_bytes=max_line_bytes,
            max_depth=max_depth, max_document_bytes=max_document_bytes, as_of=as_of, sanitize=sanitize,
            engine=engine.value,
        )  # fmt: skip
        report = Report()
        with contextlib.ExitStack() as stack:
            clean = stack.enter_context(open_output(output)) if output else None
            rejected = stack.enter_context(open_output(rejects)) if rejects else None
            sink = SanitizeSink(clean, rejected, options.selection) if sanitize else None
            findings = validate_paths(paths, options=options, report=report, workers=cpu_workers(workers), sink=sink)
            stack.callback(findings.close)  # type: ignore[attr-defined]  # a generator: stops the workers at once
            _show(findings, _finding_printer(fmt, stack), report, max_errors)
        text = summary(report)
        (err if fmt is FindingFormat.JSON else out).print(text, markup=False, highlight=False)
    raise typer.Exit(1 if report.errors else 0)


def _show(findings: Iterator[Finding], show: Callable[[Finding], None], report: Report, max_errors: int) -> None:
    for finding in findings:
        show(finding)
        if max_errors and report.errors >= max_errors:
            report.stopped_early = True
            return


def _finding_printer(fmt: FindingFormat, stack: contextlib.ExitStack) -> Callable[[Finding], None]:
    from synth.validate.report import format_text  # noqa: PLC0415

    if fmt is FindingFormat.JSON:
        stdout = stack.enter_context(open_output(STDIO))

        def as_json(finding: Finding) -> None:
            stdout.write(orjson.dumps(finding.as_dict()) + b"\n")

        return as_json

    def as_text(finding: Finding) -> None:
        style = "yellow" if finding.is_warning else "red"
        out.print(format_text(finding), markup=False, highlight=False, style=style)

    return as_text


@app.command()
def rules() -> None:
    """List the validator's rule codes, one line each."""
    from synth.validate.rules import RULES  # noqa: PLC0415 - pydantic-free, but only this command needs it

    with reported():
        for rule in RULES.values():
            echo(f"{rule.code}  {rule.name:<24} {rule.summary}")
