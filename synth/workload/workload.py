"""Query workloads: :func:`queries` plans and answers them; files of them are written and read here.

A workload file (``queries.jsonl``) holds one query a line::

    {"id": "q000001", "kind": "term", "query": {"terms": ["batch"]},
     "answer": {"count": 3, "digest": "<32 hex>", "ids": ["alphanode-000003", ...]},
     "rank": 17, "weight": 0.0123, "es_query": {...}}

``ids`` is written when the answer has at most ``max_ids`` posts; ``count`` and ``digest``
(:mod:`synth.workload.answers`) always. ``rank`` orders the queries by how often a load test
sends them: query of rank *r* has ``weight`` r^-s / H (Zipf's law with exponent *s*, H making
the weights sum to one); :meth:`Workload.log` draws a query log with that repetition.
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, overload

import orjson

from synth.errors import InputError, UsageError
from synth.generation.engines import Engine
from synth.generation.streams import WORKLOAD_LOG, WORKLOAD_RANK
from synth.io import open_input, open_output
from synth.workload import MAX_QUERIES
from synth.workload.answers import Answer
from synth.workload.kinds import Dice, Sample, plan, select, shares
from synth.workload.native import use_native
from synth.workload.scan import Scan
from synth.workload.source import Counted, file_posts, generated_lines
from synth.workload.spec import KINDS, Clauses, es_query, parse_clauses

__all__ = ["MAX_IDS", "SAMPLE", "Query", "Workload", "queries", "read_workload"]

MAX_IDS: Final = 1000
SAMPLE: Final = 2000  # posts planning reads
_MAX_LINE: Final = 64 << 20


@dataclass(frozen=True, slots=True)
class Query:
    """One query of a workload: what it asks (:class:`~synth.workload.spec.Clauses`) and its expected answer."""

    id: str
    kind: str
    clauses: Clauses
    answer: Answer
    rank: int
    weight: float

    @property
    def query(self) -> dict[str, Any]:
        """The query as written in the file (``terms``, ``phrase``, ``filter``, ``id``, ``linked_to``)."""
        return self.clauses.as_dict()

    def es_query(self) -> dict[str, Any]:
        """An Elasticsearch/OpenSearch ``_search`` body asking the same."""
        return es_query(self.clauses)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "query": self.query, "answer": self.answer.as_dict(),
                "rank": self.rank, "weight": self.weight, "es_query": self.es_query()}  # fmt: skip

    @classmethod
    def from_dict(cls, value: Any, where: str) -> Query:
        """A query read back from a workload file; ``where`` names the line for errors."""
        if not isinstance(value, dict) or not isinstance(value.get("id"), str) or value.get("kind") not in KINDS:
            raise InputError(f"{where}: not a workload query (an object with an id and a kind of {', '.join(KINDS)})",
                             hint="pass a file written by `synth queries`")  # fmt: skip
        rank, weight = value.get("rank", 0), value.get("weight", 0.0)
        if not isinstance(rank, int) or not isinstance(weight, int | float):
            raise InputError(f"{where}: rank and weight must be numbers", hint="pass a file written by `synth queries`")
        clauses = parse_clauses(value.get("query"), where)
        return cls(value["id"], value["kind"], clauses, Answer.from_dict(value.get("answer"), where), rank, weight)


@dataclass(slots=True)
class Summary:
    """What :func:`queries` did."""

    posts: int = 0
    skipped: int = 0
    dropped: int = 0  # queries of a reused workload that the corpus makes unsafe to ask
    kinds: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        total = sum(self.kinds.values())
        parts = ", ".join(f"{n:,} {k}" for k, n in self.kinds.items() if n)
        skipped = f"; {self.skipped:,} invalid records skipped" if self.skipped else ""
        dropped = f"; {self.dropped:,} queries dropped (unsafe on this corpus)" if self.dropped else ""
        return f"{total:,} queries ({parts}) over {self.posts:,} posts in {self.seconds:.2f} s{skipped}{dropped}"


def _weights(size: int, exponent: float) -> list[float]:
    raw = [r**-exponent for r in range(1, size + 1)]
    total = sum(raw)
    return [w / total for w in raw]


def _ranks(size: int, seed: int) -> list[int]:
    """A seeded permutation of 1..size (Fisher-Yates on the workload's rank stream)."""
    dice, ranks = Dice(seed, WORKLOAD_RANK), list(range(1, size + 1))
    for i in range(size - 1, 0, -1):
        j = dice.below(i + 1)
        ranks[i], ranks[j] = ranks[j], ranks[i]
    return ranks


class Workload(Sequence[Query]):
    """The queries of a workload, in file order, with the :class:`Summary` of how they were made."""

    def __init__(self, items: list[Query], summary: Summary | None = None) -> None:
        self._items = items
        self.summary = summary or Summary(kinds=dict(Counter(q.kind for q in items)))

    @overload
    def __getitem__(self, index: int) -> Query: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Query]: ...
    def __getitem__(self, index: int | slice) -> Query | Sequence[Query]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def write(self, path: str) -> None:
        """Write the workload file (``-`` is stdout; ``.gz``/``.zst`` compress)."""
        with open_output(path) as stream:
            for q in self._items:
                stream.write(orjson.dumps(q.as_dict()) + b"\n")

    def draws(self, *, seed: int = 0) -> Iterator[Query]:
        """Queries drawn for ever with the workload's weights (the same seed, the same sequence)."""
        if not self._items:
            return
        by_rank = sorted(self._items, key=lambda q: q.rank)
        cumulative = list(itertools.accumulate(int(q.weight * 2**52) + 1 for q in by_rank))
        dice = Dice(seed, WORKLOAD_LOG)
        while True:
            point = ((dice.u32() << 32 | dice.u32()) * cumulative[-1]) >> 64
            yield by_rank[bisect.bisect_right(cumulative, point)]

    def log(self, count: int, *, seed: int = 0) -> Iterator[Query]:
        """``count`` queries drawn with the workload's weights (a query log with Zipf repetition)."""
        if count < 0:
            raise UsageError(f"repeat {count} is negative", hint="pass zero or more", parameter="repeat")
        return itertools.islice(self.draws(seed=seed), count)

    def write_log(self, path: str, count: int, *, seed: int = 0) -> None:
        """Write ``count`` lines of the query log: ``{"n", "id", "kind", "query"}``."""
        with open_output(path) as stream:
            for n, q in enumerate(self.log(count, seed=seed)):
                stream.write(orjson.dumps({"n": n, "id": q.id, "kind": q.kind, "query": q.query}) + b"\n")


Source = str | Sequence[str] | Iterable[dict[str, Any] | bytes] | None


Post = dict[str, Any] | bytes


def _posts(source: Source, count: int, seed: int, locale: str, edition: int, as_of: str | None,
           counted: Counted, engine: str) -> Iterator[Post]:  # fmt: skip
    if source is None:
        which: Engine = "python" if engine == "python" else "native" if engine == "native" else "auto"
        return generated_lines(count, seed=seed, locale=locale, edition=edition, counted=counted, engine=which)
    if isinstance(source, str):
        return file_posts([source], as_of=as_of, counted=counted)
    items: Iterable[Any] = source
    if isinstance(source, Sequence) and all(isinstance(s, str) for s in source):
        return file_posts([str(s) for s in source], as_of=as_of, counted=counted)
    return _counting(iter(items), counted)


def _counting(posts: Iterator[Post], counted: Counted) -> Iterator[Post]:
    for post in posts:
        counted.posts += 1
        yield post


def _check(size: int, max_ids: int, zipf: float) -> None:
    for name, value in (("size", size), ("max_ids", max_ids)):
        if value < 0:
            raise UsageError(f"{name} {value} is negative", hint=f"pass zero or a positive {name}", parameter=name)
    if size > MAX_QUERIES:
        raise UsageError(
            f"size {size:,} is more than {MAX_QUERIES:,}", hint="split it into several workloads", parameter="size"
        )
    if not 0 <= zipf <= 10:
        raise UsageError(f"zipf {zipf} is outside 0..10", hint="pass an exponent such as 1.0", parameter="zipf")


def queries(
    source: Source = None,
    *,
    count: int = 1000,
    seed: int = 0,
    locale: str = "en_US",
    edition: int = 1,
    size: int = 1000,
    query_seed: int = 0,
    max_ids: int = MAX_IDS,
    zipf: float = 1.0,
    reuse: str | Iterable[Query] | None = None,
    as_of: str | None = None,
    engine: str = "auto",
) -> Workload:
    """A workload of ``size`` queries with their exact answers over a corpus, in one pass over it.

    The corpus is ``source``: files (a path or a list of paths; a ``manifest.json`` stands for its
    parts), an iterable of posts (dicts or JSON bytes), or, when None, posts ``0 .. count - 1`` of
    corpus ``seed`` in ``locale`` (edition ``edition``), generated on the fly. With ``reuse`` (a
    workload file or queries), its queries are answered again over this corpus instead of new
    ones being planned (kinds, ids and ranks kept; queries the corpus makes unsafe are dropped).
    ``engine`` (auto, native or python) picks the generator and the scan; the answers are the same.
    """
    _check(size, max_ids, zipf)
    began, counted = time.perf_counter(), Counted()
    use_native(engine)  # a bad engine is a usage error before any work
    posts = _posts(source, count, seed, locale, edition, as_of, counted, engine)
    if reuse is not None:
        old = list(read_workload(reuse) if isinstance(reuse, str) else reuse)
        workload = _reanswer(old, posts, max_ids, engine)
    else:
        workload = _planned(posts, size, query_seed, max_ids, zipf, engine)
    workload.summary.posts, workload.summary.skipped = counted.posts, counted.skipped
    workload.summary.seconds = time.perf_counter() - began
    return workload


def _planned(posts: Iterator[Post], size: int, seed: int, max_ids: int, zipf: float, engine: str) -> Workload:
    head = list(itertools.islice(posts, SAMPLE))
    wanted = shares(size)
    candidates = plan(Sample.of([orjson.loads(p) if isinstance(p, bytes) else p for p in head]), wanted, seed)
    scan = Scan([c.clauses for c in candidates], max_ids=max_ids, engine=engine)
    scan.feed(itertools.chain(head, posts))
    del head
    result = scan.result()
    chosen = select(candidates, result, wanted, seed) if candidates else []
    ranks, weights = _ranks(len(chosen), seed), _weights(len(chosen), zipf)
    items = [Query(f"q{n + 1:06d}", candidates[i].kind, candidates[i].clauses, result.answer(i), ranks[n],
                   weights[ranks[n] - 1]) for n, i in enumerate(chosen)]  # fmt: skip
    return Workload(items)


def _reanswer(old: list[Query], posts: Iterator[Post], max_ids: int, engine: str) -> Workload:
    scan = Scan([q.clauses for q in old], max_ids=max_ids, engine=engine)
    scan.feed(posts)
    result = scan.result()
    items = [Query(q.id, q.kind, q.clauses, result.answer(i), q.rank, q.weight)
             for i, q in enumerate(old) if result.safe[i]]  # fmt: skip
    workload = Workload(items)
    workload.summary.dropped = len(old) - len(items)
    return workload


def read_workload(path: str) -> Workload:
    """Read a workload file (``-`` is stdin): every line a query, checked (errors name the line)."""
    items = []
    with open_input(path) as stream:
        for number in itertools.count(1):
            line = stream.readline(_MAX_LINE + 1)
            if not line:
                break
            if len(line) > _MAX_LINE:
                raise InputError(f"{path}:{number}: line longer than {_MAX_LINE:,} bytes", hint="pass a workload file")
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise InputError(
                    f"{path}:{number}: not JSON ({exc})", hint="pass a file written by `synth queries`"
                ) from None
            items.append(Query.from_dict(value, f"{path}:{number}"))
    if len({q.id for q in items}) != len(items):
        raise InputError(f"{path}: two queries share an id", hint="pass a file written by `synth queries`")
    return Workload(items)
