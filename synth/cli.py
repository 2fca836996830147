"""The ``synth`` command: parse arguments, call one library function, report ``SynthError``s.

Nothing imports this module; every command is a thin layer over the library.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Annotated, Final

import orjson
import typer
from rich.console import Console

from synth import corpus, vocab
from synth._version import __version__
from synth.errors import SynthError
from synth.io import open_output

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
def _progress(total: int, enabled: bool) -> Iterator[corpus.ProgressFn | None]:
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

    columns = (TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_err, transient=True) as bar:
        task = bar.add_task("generate", total=total)
        yield lambda n: bar.advance(task, n)


@app.command()
def generate(
    count: Annotated[int, typer.Option("--count", "-n", min=0, help="How many posts to write.")] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", "-s", min=0, help="Corpus seed; the same seed gives the same bytes.")
    ] = 0,
    start: Annotated[int, typer.Option("--start", min=0, help="Index of the first post (0-based).")] = 0,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Output file (.gz/.zst compress); - or nothing is stdout.")
    ] = "-",
    fmt: Annotated[
        corpus.OutputFormat, typer.Option("--format", "-f", help="jsonl (one post a line) or json (an array).")
    ] = (corpus.OutputFormat.JSONL),
    workers: Annotated[
        int, typer.Option("--workers", "-w", help="Processes to use; 0 (the default) means every core.")
    ] = 0,
    shard: Annotated[str | None, typer.Option("--shard", help="Write only part K of N of the range, e.g. 2/3.")] = None,
    locale: Annotated[str, typer.Option("--locale", "-l", help=f"Free-text locale: {', '.join(vocab.LOCALES)}.")] = (
        "en_US"
    ),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print no summary line.")] = False,
) -> None:
    """Write a seeded corpus of posts as JSON lines or a JSON array.

    Post i of corpus SEED is always the same bytes: --workers, --shard and batch sizes
    never change the output.
    """
    with _reported():
        part = corpus.parse_shard(shard) if shard else None
        size = len(corpus.shard_range(start, count, part)) if part else count
        with _progress(size, sys.stderr.isatty() and not quiet) as advance:
            summary = corpus.write_corpus(
                output,
                count=count,
                seed=seed,
                start=start,
                locale=locale,
                workers=workers,
                shard=part,
                fmt=fmt.value,
                progress=advance,
            )
        if not quiet:
            _err.print(summary.line(), markup=False)


def main() -> None:
    """Console-script entry point."""
    app()
