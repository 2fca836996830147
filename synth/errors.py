"""The exceptions synth raises, all under one root.

Every error that synth means to report to a user is a :class:`SynthError`; the CLI turns
it into a one-line message on stderr and the exit code that the class carries. Anything else
escaping from synth is a bug.

    SynthError                   exit code 2 unless a subclass says otherwise
    ├── UsageError               bad arguments or option combinations
    ├── InputError               a file cannot be read or decompressed, or has the wrong shape
    ├── OutputError              a file cannot be written
    ├── GenerationError          the synthesizer was asked for something it cannot make
    ├── DatabaseError            the database refused, failed, or is unreachable
    └── ImportAbortedError       exit code 1: an import stopped at its error limit

Library errors name the parameter at fault (``as_of 'x' is not a date``) and carry it as
``parameter``; the CLI shows the flag instead (``--as-of 'x' is not a date``). Messages say what
went wrong and where, then what to do next ("To resolve this error, ...").
"""

from __future__ import annotations

__all__ = [
    "DatabaseError",
    "GenerationError",
    "ImportAbortedError",
    "InputError",
    "OutputError",
    "SynthError",
    "UsageError",
]


class SynthError(Exception):
    """Root of every error synth reports; ``exit_code`` is what the CLI exits with."""

    exit_code: int = 2

    def __init__(self, message: str, *, hint: str | None = None, parameter: str | None = None) -> None:
        self.message = message
        self.hint = hint
        self.parameter = parameter  # the keyword argument at fault, which the message names
        super().__init__(message if hint is None else f"{message}. To resolve this error, {hint}")


class UsageError(SynthError):
    """The arguments or options do not make sense together."""


class InputError(SynthError):
    """An input file cannot be opened, decoded or has the wrong shape."""


class OutputError(SynthError):
    """An output file or folder cannot be written."""


class GenerationError(SynthError):
    """The synthesizer cannot produce what was asked (bad seed, index, locale...)."""


class DatabaseError(SynthError):
    """A database error (SQLite or PostgreSQL), mapped once at the loader boundary."""


class ImportAbortedError(SynthError):
    """An import stopped at ``max_errors`` or ``max_error_rate``; what was committed stays."""

    exit_code = 1
