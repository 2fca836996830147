"""The ``synth`` command: one module per command group, each a thin layer over the library.

Nothing imports this package (but ``synth.__main__`` and the console script).
"""

from __future__ import annotations

from synth.cli import generate, load, pages, validate, workload
from synth.cli.common import app

__all__ = ["app", "main"]

_COMMANDS = (generate, validate, load, pages, workload)  # importing them registers their commands on ``app``


def main() -> None:
    """Console-script entry point."""
    app()
