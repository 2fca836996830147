"""What every command shares: the app, the error reporter, the progress bar, the common options.

A command parses its arguments, calls one library function, and lets :func:`reported` turn a
:class:`~synth.errors.SynthError` into ``synth: error: ...`` on stderr and its exit code.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import importlib
import io
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Final, TextIO, cast

import typer
from rich.console import Console

from synth._version import __version__
from synth.errors import SynthError
from synth.generation import engines, vocab
from synth.generation.request import MAX_INDEX, MAX_SEED
from synth.io import stdout_error
from synth.workers import MAX_WORKERS, core_count, resolve_workers

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "MAX_COUNT",
    "EngineChoice",
    "EngineOption",
    "FindingFormat",
    "app",
    "cpu_workers",
    "echo",
    "err",
    "in_flags",
    "opt",
    "out",
    "progress",
    "reported",
    "silence_closed_pipes",
    "warn",
]

EXIT_INTERRUPTED: Final = 130
EXIT_BROKEN_PIPE: Final = 128 + signal.SIGPIPE  # 141, what a shell reports for a command a closed pipe stopped
EXIT_TERMINATED: Final = 128 + signal.SIGTERM  # 143
MAX_COUNT: Final = 2**63 - 1  # counts and sizes: what every database and file API takes

app = typer.Typer(
    name="synth",
    help="Synthesize, validate and import alphanode posts for test suites and load tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["--help", "-h"]},
)


class _Stdout(io.TextIOBase):
    """Standard output for text (whatever ``sys.stdout`` is now): a failed write is an :class:`OutputError`."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        try:
            return sys.stdout.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise stdout_error(exc) from None

    def flush(self) -> None:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise stdout_error(exc) from None

    def isatty(self) -> bool:
        return sys.stdout.isatty()


class _Console(Console):
    """A rich console that leaves a closed pipe to :func:`reported` (rich's own handler exits 1)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


err = _Console(stderr=True, highlight=False, soft_wrap=True)
out = _Console(file=cast(TextIO, _Stdout()), highlight=False, soft_wrap=True)


def echo(text: str) -> None:
    """Print one line on standard output as it is (a full disk is an error, a closed pipe ends the command)."""
    _Stdout().write(text + "\n")


def warn(text: str) -> None:
    """Print ``synth: warning: ...`` on stderr."""
    err.print(f"synth: warning: {text}", markup=False)


@contextlib.contextmanager
def reported() -> Iterator[None]:
    """Run a command's body: a SynthError becomes ``synth: error: ...`` on stderr and its exit code.

    Ctrl-C prints ``synth: interrupted`` and exits 130; a closed pipe (``synth generate | head``)
    ends the command quietly with 141, as a shell reports for a command SIGPIPE stopped.
    Standard output is flushed inside, so that a full disk is reported here too.
    """
    try:
        yield
        _Stdout().flush()
    except SynthError as exc:
        _say(f"synth: error: {in_flags(exc)}")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        _say("synth: interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        silence_closed_pipes()
        raise typer.Exit(EXIT_BROKEN_PIPE) from None


def _say(line: str) -> None:
    with contextlib.suppress(OSError):  # stderr itself gone: nothing left to tell
        err.print(line, markup=False)


def silence_closed_pipes() -> None:
    """Point standard streams that cannot be flushed to /dev/null, so the interpreter's last flush is quiet."""
    for name in ("stdout", "stderr"):
        stream: TextIO | None = getattr(sys, name)
        if stream is not None and stream is getattr(sys, f"__{name}__"):  # a test runner's capture is left alone
            _quiet(stream)


def _quiet(stream: TextIO) -> None:
    try:
        stream.flush()
    except (OSError, ValueError):
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)


def in_flags(exc: SynthError) -> str:
    """The error's text with the library parameters it names spelled as command-line flags.

    The parameter the error carries is rewritten wherever it appears; the command's other
    parameters only where they cannot be ordinary words (names with an underscore).
    """
    text = str(exc)
    flags = _command_flags()
    names = [name for name in flags if "_" in name and name != exc.parameter]
    if exc.parameter is not None:
        names.insert(0, exc.parameter)
    for name in names:
        flag = flags.get(name) or _FLAGS.get(name, "--" + name.replace("_", "-"))
        text = re.sub(rf"(?<![\w-]){re.escape(name)}\b", flag, text)
    return text


# Flags whose name is not the parameter's with dashes, where no command context tells.
_FLAGS: Final = {"fmt": "--format", "size": "--queries"}  # flags whose name is not the parameter's


def _command_flags() -> dict[str, str]:
    """Parameter name -> its long flag, for the options of the command being run (none outside one)."""
    command = _current_command()
    flags = {}
    for param in getattr(command, "params", ()):
        long = [name for name in param.opts if name.startswith("--")]
        if param.name and long and param.param_type_name == "option":
            flags[param.name] = long[0]
    return flags


def _current_command() -> Any:
    """The click command being run: recent typer vendors click (``typer._click``), older releases use click."""
    for module in ("typer._click.globals", "click"):
        try:
            current = importlib.import_module(module).get_current_context
        except (ImportError, AttributeError):
            continue
        ctx = current(silent=True)
        if ctx is not None:
            return ctx.command
    return None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"synth {__version__} (engine: {engines.describe()})")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and the generator engine, and exit."
        ),
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


class CheckEngine(enum.Enum):
    """Which check ``synth validate`` and ``synth import`` run first on each line."""

    AUTO = "auto"
    NATIVE = "native"
    PYTHON = "python"


CheckEngineOption = Annotated[
    CheckEngine,
    typer.Option(
        "--engine",
        help="auto: the compiled check accepts valid lines and the Python check explains the others, when it is "
        "built; native: require it; python: the Python check alone. No finding or row depends on it.",
    ),
]


Count = Annotated[int, opt("--count", "-n", min=0, max=MAX_INDEX + 1, help="How many posts to write.")]
Seed = Annotated[int, opt("--seed", "-s", min=0, max=MAX_SEED, help="Corpus seed; the same seed gives the same bytes.")]
Start = Annotated[int, opt("--start", min=0, max=MAX_INDEX, help="Index of the first post (0-based).")]
Locale = Annotated[str, opt("--locale", "-l", help=f"Free-text locale: {', '.join(vocab.LOCALES)}.")]
Quiet = Annotated[bool, opt("--quiet", "-q", help="Print no summary line.")]
Output = Annotated[str, opt("--output", "-o", help="Output file (.gz/.zst compress) or folder; - is stdout.")]
Workers = Annotated[
    int,
    opt(
        "--workers",
        "-w",
        min=0,
        max=MAX_WORKERS,
        help="Processes to use; 0 means every core. More than the cores are capped at the core count.",
    ),
]


class EngineChoice(enum.Enum):
    """Which generator makes the posts (``--engine``); the bytes are the same with each."""

    AUTO = "auto"
    NATIVE = "native"
    PYTHON = "python"


EngineOption = Annotated[
    EngineChoice,
    opt(
        "--engine",
        help="Generator: auto (native when built), native (compiled) or python (the reference); the same bytes.",
    ),
]


def cpu_workers(workers: int) -> int:
    """``--workers``: 0 is every core, and a count above the cores is capped at the core count with a warning."""
    resolved, cores = resolve_workers(workers), core_count()
    if resolved > cores:
        warn(f"--workers {workers} is more than the {cores} cores here; using {cores}")
        return cores
    return resolved
