"""Search operations for a Rally track or an OSB workload, built from a query workload with known answers.

Each query whose words are ASCII becomes a ``search`` operation whose body is the query's
``es_query`` (match, match_phrase, term, bool filter, range; ``track_total_hits`` on), with
``detailed-results`` so the tool reads ``hits.total``, and each asserts the expected hit count
(``"assertions": [{"property": "hits", "condition": "==", "value": N}]``, checked with
``esrally race --enable-assertions`` or ``opensearch-benchmark execute-test --enable-assertions``;
checked against esrally 2.13 and opensearch-benchmark 2.4). A query's share of the schedule's
iterations follows its Zipf weight.

Only ASCII words are used: the answers are exact for the engines synth imports into
(:mod:`synth.workload.tokens`), and Elasticsearch's ``standard`` analyzer cuts ASCII words the same
way, but cuts CJK text into single characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from synth.workload.workload import Query

__all__ = ["ITERATIONS", "Search", "search_operations", "search_tasks"]

ITERATIONS: Final = 10  # schedule iterations per operation, on average, shared out by weight


def _ascii(query: Query) -> bool:
    return all(word.isascii() for word in (*query.clauses.terms, *query.clauses.phrase))


Search = tuple[dict[str, Any], float]  # an operation and its weight


def search_operations(workload: Iterable[Query], index: str) -> list[Search]:
    """One search operation (named ``<query id>-<kind>``) per usable query, with the query's weight."""
    out = []
    for q in workload:
        if not _ascii(q):
            continue
        operation: dict[str, Any] = {
            "name": f"{q.id}-{q.kind}", "operation-type": "search", "index": index, "body": q.es_query(),
            "detailed-results": True,
        }  # fmt: skip
        operation["assertions"] = [{"property": "hits", "condition": "==", "value": q.answer.count}]
        out.append((operation, q.weight))
    return out


def search_tasks(searches: list[Search], index: str) -> list[dict[str, Any]]:
    """The schedule's tasks: a refresh (so every document is searchable), then each search, by weight."""
    tasks: list[dict[str, Any]] = [{"name": "refresh", "operation": {"operation-type": "refresh", "index": index}}]
    total = sum(w for _, w in searches) or 1.0
    budget = ITERATIONS * len(searches)
    for op, weight in searches:
        iterations = max(1, round(weight / total * budget))
        tasks.append({"operation": op["name"], "clients": 1, "warmup-iterations": 0, "iterations": iterations})
    return tasks
