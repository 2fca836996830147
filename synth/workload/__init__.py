"""The workload stage: queries with known answers, for testing a search index against an oracle.

Modules: :mod:`~synth.workload.tokens` (the tokenizer and the rule for words both engines
agree on), :mod:`~synth.workload.spec` (what a query asks; Elasticsearch bodies),
:mod:`~synth.workload.answers` (exact answers, their digest), :mod:`~synth.workload.scan`
(the one streaming pass that answers them), :mod:`~synth.workload.kinds` (the query kinds:
planning and choosing), :mod:`~synth.workload.source` (where the corpus comes from),
:mod:`~synth.workload.workload` (:func:`queries`, workload files). Names are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from synth.workload.answers import Answer, digest_of
    from synth.workload.spec import Clauses, Cond
    from synth.workload.workload import Query, Workload, queries, read_workload

__all__ = ["MAX_QUERIES", "Answer", "Clauses", "Cond", "Query", "Workload", "digest_of", "queries", "read_workload"]

MAX_QUERIES: Final = 1_000_000  # queries of one workload: it is held in memory while the corpus is scanned

_HOME = {
    "Answer": "answers",
    "Clauses": "spec",
    "Cond": "spec",
    "Query": "workload",
    "Workload": "workload",
    "digest_of": "answers",
    "queries": "workload",
    "read_workload": "workload",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(f"synth.workload.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'synth.workload' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
