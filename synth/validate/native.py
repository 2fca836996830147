"""The native check: Rust accepts the valid posts fast, Python explains the others.

``synth._native.Checker`` (``native/src/check``) reads a line and answers either ACCEPT, an
:class:`~synth._native.Accepted` (the record is free of every parse, schema and selected
consistency finding, exactly as :func:`synth.validate.check.check_record` would find it),
or DEFER, an int: the Python path then produces the findings, byte for byte as without the
native check. It is built from :func:`synth.schema.spec.native_spec`, derived from the
pydantic model, which stays the contract (as exported to ``synth/schema/native-spec.json`` while
that file is current, :mod:`synth.schema.frozen`, so that no check waits for pydantic);
``tests/validate/test_native.py`` checks that both paths agree. The GIL is released while a batch is checked.

    >>> from synth.validate.options import make_options
    >>> check = NativeCheck(make_options(as_of="2025-01-01"))
    >>> line = b'{"schema_version": 1}'
    >>> check.check_lines([line]) == [DEFER_SCHEMA]
    True

``engine`` (:data:`ENGINES`): ``auto`` uses the native check when it is built, ``native``
requires it, ``python`` never uses it. ``--sanitize`` always takes the Python path.

For the importer, ``NativeCheck(options, columns=COLUMNS, rows=True)`` also returns the rows
of each accepted post: ``row`` (the ``posts`` row in ``columns`` order, as
:func:`synth.load.rows.post_rows` builds it), ``tools``, ``entities``, ``links`` and, with
``copy=True``, the same four tables in PostgreSQL's COPY text format (bytes, one line a row).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Final

from synth.errors import UsageError
from synth.schema.frozen import spec_text
from synth.validate.options import ENGINES, Options
from synth.validate.rules import SEMANTIC_CHECKS, Selection

if TYPE_CHECKING:
    from synth._native import Accepted, Checker

__all__ = [
    "BUILD_HINT",
    "DEFER_PARSE",
    "DEFER_SCHEMA",
    "DEFER_UNDECIDED",
    "ENGINES",
    "NativeCheck",
    "available",
    "checker",
    "native_check",
    "select_mask",
    "use_native",
]

BUILD_HINT: Final = "pip install -e . needs a Rust toolchain: https://rustup.rs; or install a wheel"
DEFER_PARSE: Final = -1  # not one JSON value: a P finding
DEFER_SCHEMA: Final = -2  # not a valid post: an S finding (or a repeated key)
DEFER_UNDECIDED: Final = -3  # C010 depends on what str.isdigit says of a character beyond ASCII: Python decides
# Any other int: the mask of the selected C rules that fail (bit n - 1 for Cn).

_native: ModuleType | None
try:
    from synth import _native
except ImportError as exc:  # an install built without a Rust toolchain, or a source checkout
    _native, _MISSING = None, str(exc)


def available() -> bool:
    """Whether the compiled module (with the checker) can be imported."""
    return _native is not None and hasattr(_native, "Checker")


def use_native(options: Options) -> bool:
    """Whether records are checked natively first under ``options`` (``engine`` and ``sanitize``)."""
    if options.engine == "python" or options.sanitize:
        return False
    if options.engine == "native" and not available():
        missing = "the compiled checker synth._native.Checker is not built"
        raise UsageError(missing, hint=f"use engine 'python' or 'auto', or build it: {BUILD_HINT}", parameter="engine")
    return available()


@functools.cache
def checker(columns: tuple[str, ...] = ()) -> Checker:
    """The compiled checker of the post model (built once), with the ``posts`` columns of its rows."""
    if _native is None or not hasattr(_native, "Checker"):
        raise UsageError("the compiled checker synth._native.Checker is not built", hint=BUILD_HINT)
    built: Checker = _native.Checker(spec_text(), list(columns))
    return built


def select_mask(selection: Selection) -> int:
    """The selected consistency rules as the checker's mask: bit ``n - 1`` for ``Cn``."""
    return sum(1 << (int(code[1:]) - 1) for code in SEMANTIC_CHECKS if code in selection)


class NativeCheck:
    """The native check under one run's options (the selection, the as-of date)."""

    def __init__(
        self, options: Options, *, columns: Sequence[str] = (), rows: bool = False, copy: bool = False
    ) -> None:
        self.checker = checker(tuple(columns))
        self.as_of = options.as_of
        self.select = select_mask(options.selection)
        self.content = "R002" in options.selection
        self.rows, self.copy = rows, copy

    def check_lines(self, lines: list[bytes]) -> list[Accepted | int]:
        """For each line an :class:`~synth._native.Accepted`, or the int of a deferred one."""
        return self.checker.check_lines(
            lines, as_of=self.as_of, select=self.select, content=self.content, rows=self.rows, copy=self.copy
        )


def native_check(options: Options) -> NativeCheck:
    """The :class:`NativeCheck` of ``options``, kept for the next records of the same run."""
    return _cached(options.as_of, options.selection)


@functools.lru_cache(maxsize=8)
def _cached(as_of: str, selection: Selection) -> NativeCheck:  # a Selection hashes by identity
    return NativeCheck(Options(selection=selection, as_of=as_of))
