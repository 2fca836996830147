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

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, Final

from synth.errors import UsageError
from synth.generation.engines import ENGINES
from synth.workload.spec import FIELDS, Cond

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


_KINDS: Final = {"keyword": "keyword", "flag": "integer", "integer": "integer", "date": "date"}


def _cond(cond: Cond, tools: dict[str, int], columns: dict[str, int], day: Callable[[str], int]) -> tuple[Any, ...]:
    kind = FIELDS[cond.field].type
    if kind == "tool":
        return ("tool", tools[cond.value], None, 0, 0)
    if kind == "keyword":
        if not isinstance(cond.value, str):
            raise TypeError("a keyword condition on a value that is not a string")
        return ("keyword", columns[cond.field], cond.value, 0, 0)
    if kind == "flag":
        return ("eq", columns[cond.field], None, int(cond.value), 0)
    low, high = (day(cond.low), day(cond.high)) if kind == "date" else (cond.low, cond.high)
    if not (isinstance(low, int) and isinstance(high, int)):
        raise TypeError("a range with bounds that are not integers")
    return ("range", columns[cond.field], None, low, high)


Names = dict[str, int]


def scanner(words: list[str], phrases: list[tuple[int, ...]], tools: Names, links: Names, probes: Sequence[Any],
            max_ids: int, *, categories: Sequence[str], day: Callable[[str], int]) -> Any:  # fmt: skip
    """A ``synth._native.Scanner`` for the scan's probes (``categories``: its filter columns, in
    order; ``day``: its date ordinals), or None when a probe is beyond it (Python answers all)."""
    if _native is None:
        return None
    columns = {name: k for k, name in enumerate(categories)}
    fields = [(list(FIELDS[name].path[1:]), _KINDS[FIELDS[name].type]) for name in categories]
    try:
        raw = [(list(p.terms), p.phrase, [_cond(c, tools, columns, day) for c in p.conds], p.number, p.link)
               for p in probes]  # fmt: skip
        return _native.Scanner(words, [list(p) for p in phrases], list(tools), list(links), fields, raw, max_ids)
    except (TypeError, ValueError, OverflowError):
        return None


def tokenize(text: str) -> tuple[list[str], list[str], list[str]] | None:
    """The native tokenizer on ``text``: (tokens, dirty segments, hyphenated keys), None if undecided."""
    if _native is None:
        raise UsageError("the native workload scan is not built", hint=_HINT)
    result: tuple[list[str], list[str], list[str]] | None = _native.tokenize(text)
    return result
