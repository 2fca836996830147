"""The ``synth`` command: one module per command group, each a thin layer over the library.

Nothing imports this package (but ``synth.__main__`` and the console script).

Exit codes: 0 ok, 1 findings (or an import that stopped at its error limit), 2 usage or I/O
errors, 130 Ctrl-C, 141 a closed pipe (``synth generate | head``: the output was cut short,
quietly, as for a command SIGPIPE stops), 143 SIGTERM. Interrupted or failed writes leave no
partial file (:func:`synth.io.open_output`) and no worker process (:mod:`synth.workers`).
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

from synth.cli import generate, load, pages, validate, workload
from synth.cli.common import EXIT_BROKEN_PIPE, EXIT_TERMINATED, app, err, silence_closed_pipes
from synth.io import stdout_error

__all__ = ["app", "main"]

_COMMANDS = (generate, validate, load, pages, workload)  # importing them registers their commands on ``app``


def main() -> None:
    """Console-script entry point: the app, SIGTERM as a clean exit (143), and a last checked flush."""
    signal.signal(signal.SIGTERM, _terminated)
    code: object
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    except OSError as exc:
        if not _in_click_echo(exc):
            raise
        err.print(f"synth: error: {stdout_error(exc)}", markup=False)  # --help or --version into a full disk
        silence_closed_pipes()
        code = 2
    else:
        code = 0
    failure = _stdout_failure()
    raise SystemExit(code if failure is None else failure)


def _terminated(signum: int, frame: FrameType | None) -> None:
    """SIGTERM: unwind like an error (temporary files removed, workers stopped), then exit 143."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process at once
    err.print("synth: terminated", markup=False)
    raise SystemExit(EXIT_TERMINATED)


def _in_click_echo(exc: BaseException) -> bool:
    """Whether ``exc`` was raised writing click's own output (help, version, usage), which no command wraps."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code if tb is not None else None
    return code is not None and code.co_name == "echo" and "click" in code.co_filename


def _stdout_failure() -> int | None:
    """None when what is left of standard output can be written; else its exit code (2, or 141 for a closed pipe).

    A failure is reported once (a closed pipe quietly), and the stream pointed to /dev/null so
    that the interpreter's last flush is quiet.
    """
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_closed_pipes()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        err.print(f"synth: error: {stdout_error(exc)}", markup=False)
        silence_closed_pipes()
        return 2
    return None
