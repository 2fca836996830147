"""What every command shares: the app, the error reporter, the progress bar, the common options.

A command parses its arguments, calls one library function, and lets :func:`reported` turn a
:class:`~synth.errors.SynthError` into ``synth: error: ...`` on stderr and its exit code.
"""

from __future__ import annotations

import contextlib
import enum
import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Final

import typer
from rich.console import Console

from synth._version import __version__
from synth.errors import SynthError
from synth.generation import vocab

__all__ = [
    "EXIT_INTERRUPTED",
    "FindingFormat",
    "app",
    "err",
    "in_flags",
    "opt",
    "out",
    "progress",
    "reported",
]

EXIT_INTERRUPTED: Final = 130

app = typer.Typer(
    name="synth",
    help="Synthesize, validate and import alphanode posts for test suites and load tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


@contextlib.contextmanager
def reported() -> Iterator[None]:
    """Turn a SynthError into ``synth: error: ...`` on stderr and its exit code."""
    try:
        yield
    except SynthError as exc:
        err.print(f"synth: error: {in_flags(exc)}", markup=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("synth: interrupted", markup=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None


# Flags whose name is not the parameter's with dashes.
_FLAGS: Final = {"fmt": "--format", "size": "--queries"}


def in_flags(exc: SynthError) -> str:
    """The error's text with the library parameter it names spelled as the command-line flag."""
    text = str(exc)
    if exc.parameter is None:
        return text
    flag = _FLAGS.get(exc.parameter, "--" + exc.parameter.replace("_", "-"))
    return re.sub(rf"(?<![\w-]){re.escape(exc.parameter)}\b", flag, text)


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


@contextlib.contextmanager
def progress(total: int | None, enabled: bool, label: str = "generating") -> Iterator[Callable[[int], None] | None]:
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
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("generate", total=total)
        yield lambda n: bar.advance(task, n)


def opt(*names: str, **kw: Any) -> Any:
    return typer.Option(*names, **kw)


class FindingFormat(enum.Enum):
    """How ``synth validate`` prints findings."""

    TEXT = "text"
    JSON = "json"


Count = Annotated[int, opt("--count", "-n", min=0, help="How many posts to write.")]
Seed = Annotated[int, opt("--seed", "-s", min=0, help="Corpus seed; the same seed gives the same bytes.")]
Start = Annotated[int, opt("--start", min=0, help="Index of the first post (0-based).")]
Locale = Annotated[str, opt("--locale", "-l", help=f"Free-text locale: {', '.join(vocab.LOCALES)}.")]
Quiet = Annotated[bool, opt("--quiet", "-q", help="Print no summary line.")]
Output = Annotated[str, opt("--output", "-o", help="Output file (.gz/.zst compress) or folder; - is stdout.")]
Workers = Annotated[int, opt("--workers", "-w", help="Processes to use; 0 (the default) means every core.")]
