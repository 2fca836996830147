"""The adapter of the native workload scan: ``synth._native.Scanner`` and ``tokenize`` (``native/src/workload``).

The native scan reads posts given as JSON bytes (``serde_json``), tokenizes their texts by the
rule of :mod:`synth.workload.tokens`, matches phrases, evaluates every query over a chunk and
tallies the answers, with the GIL released. It declines what it cannot decide exactly (a post
not shaped as the scan expects, a text with characters outside the clean and safe sets that
only Python's Unicode tables can settle); :mod:`synth.workload.scan` reads those posts itself
and merges the two tallies, which are order-independent. The keys a dirty segment taints are
always computed by Python (:func:`synth.workload.tokens.taints`): the native scan reports each
dirty segment once. ``tests/workload/test_native.py`` holds both to the same tokens and answers.

Selection follows the engines' rule: ``python`` is the reference, ``native`` needs the compiled
module (a :class:`~synth.errors.UsageError` naming ``engine`` otherwise), ``auto`` is native
when it is built.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Final

from synth.errors import UsageError
from synth.generation.engines import ENGINES

__all__ = ["available", "scanner", "tokenize", "use_native"]

_native: ModuleType | None
try:
    from synth import _native
except ImportError as exc:  # pragma: no cover - the module is built in development and CI
    _native, _MISSING = None, str(exc)
else:
    _MISSING = "" if hasattr(_native, "Scanner") else "synth._native has no Scanner (rebuild it)"

_HINT: Final = "build it (`maturin develop --release` in native/), or pass engine python (the same answers, slower)"


def available() -> bool:
    """Whether the compiled module has the workload scan."""
    return _native is not None and hasattr(_native, "Scanner")


def use_native(engine: str) -> bool:
    """Whether ``engine`` (auto, native or python) runs the native scan here."""
    if engine not in ENGINES:
        raise UsageError(f"engine {engine!r} is not auto, native or python",
                         hint="pass engine auto (native when built), native or python", parameter="engine")  # fmt: skip
    if engine == "native" and not available():
        raise UsageError(f"engine native needs the compiled workload scan ({_MISSING})", hint=_HINT, parameter="engine")
    return engine != "python" and available()


def scanner(*arguments: Any) -> Any:
    """A ``synth._native.Scanner`` (words, phrases, tools, links, fields, probes, max_ids)."""
    assert _native is not None
    return _native.Scanner(*arguments)


def tokenize(text: str) -> tuple[list[str], list[str], list[str]] | None:
    """The native tokenizer on ``text``: (tokens, dirty segments, hyphenated keys), None if undecided."""
    assert _native is not None
    result: tuple[list[str], list[str], list[str]] | None = _native.tokenize(text)
    return result
