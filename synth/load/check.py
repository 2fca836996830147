"""``check-index``: run a query workload against a database synth imported, and say what it got wrong.

Each query becomes one SQL statement over the tables the importer writes: words and phrases
through the full-text index (FTS5 ``MATCH`` with every word quoted in SQLite; ``plainto_tsquery``
and ``phraseto_tsquery`` with the ``simple`` configuration in PostgreSQL), filters on the
``posts`` columns and ``post_tools``, ``linked_to`` on ``post_links``, ids by primary key (with
the content hash, so a stale post fails). The ids it returns are compared with the expected
answer: listed ids exactly, larger answers by count and digest.

Per kind the report gives the queries, how many passed, and recall and precision over all their
answers (matched / expected, matched / returned). For an answer known only by count and digest,
the matched ids are bounded as if the smaller set lay in the larger (exact when damage only
loses posts, or only adds them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from synth.errors import DatabaseError, UsageError
from synth.load.backend import Backend, is_postgres, redacted
from synth.load.database import connect
from synth.workload.answers import digest_of
from synth.workload.spec import FIELDS, Clauses, Cond
from synth.workload.workload import Query, read_workload

__all__ = ["CheckReport", "Failure", "KindReport", "check_index"]

SHOWN: Final = 10  # missing or extra ids shown per failure
_COLUMNS: Final = {name: name for name in FIELDS if name != "tool"}


@dataclass(slots=True)
class KindReport:
    """How the queries of one kind fared."""

    queries: int = 0
    passed: int = 0
    expected: int = 0
    returned: int = 0
    matched: int = 0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.returned if self.returned else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"queries": self.queries, "passed": self.passed, "recall": round(self.recall, 6),
                "precision": round(self.precision, 6)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Failure:
    """A query whose answer did not match: what was missing and what was extra (the first few)."""

    id: str
    kind: str
    query: dict[str, Any]
    expected: int
    returned: int
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "query": self.query, "expected": self.expected,
                "returned": self.returned, "missing": list(self.missing), "extra": list(self.extra),
                "note": self.note}  # fmt: skip

    def line(self) -> str:
        import orjson  # noqa: PLC0415

        parts = [f"{self.id} {self.kind} {orjson.dumps(self.query).decode()}: expected {self.expected:,}, "
                 f"got {self.returned:,}"]  # fmt: skip
        if self.missing:
            parts.append("missing " + " ".join(self.missing))
        if self.extra:
            parts.append("extra " + " ".join(self.extra))
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


@dataclass(slots=True)
class CheckReport:
    """The result of :func:`check_index`: per kind, and the first failures (those naming missing or extra ids first)."""

    db: str
    kinds: dict[str, KindReport] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    unnamed: list[Failure] = field(default_factory=list)  # failures known by count and digest only, while collected
    failed: int = 0

    @property
    def queries(self) -> int:
        return sum(k.queries for k in self.kinds.values())

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def as_dict(self) -> dict[str, Any]:
        return {"db": self.db, "queries": self.queries, "passed": self.queries - self.failed, "failed": self.failed,
                "kinds": {k: r.as_dict() for k, r in self.kinds.items()},
                "failures": [f.as_dict() for f in self.failures]}  # fmt: skip

    def lines(self) -> list[str]:
        passed = self.queries - self.failed
        out = [
            f"{self.queries:,} queries against {self.db}: {passed:,} passed, {self.failed:,} failed",
            f"{'kind':<12} {'queries':>8} {'passed':>8} {'recall':>8} {'precision':>9}",
        ]
        for name, k in self.kinds.items():
            out.append(f"{name:<12} {k.queries:>8,} {k.passed:>8,} {k.recall:>8.4f} {k.precision:>9.4f}")
        out += [f"failed {f.line()}" for f in self.failures]
        if self.failed > len(self.failures):
            out.append(
                f"... and {self.failed - len(self.failures):,} more failed queries (raise --failures to list them)"
            )
        return out


class _Sql:
    """The statement of a query for one dialect (``?`` for SQLite, ``%s`` for PostgreSQL)."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self.mark = "%s" if postgres else "?"

    def text(self, clauses: Clauses) -> tuple[list[str], list[Any]]:
        if not (clauses.terms or clauses.phrase):
            return [], []
        if self.postgres:
            where, params = [], []
            if clauses.terms:
                where.append("p.search @@ plainto_tsquery('simple', %s)")
                params.append(" ".join(clauses.terms))
            if clauses.phrase:
                where.append("p.search @@ phraseto_tsquery('simple', %s)")
                params.append(" ".join(clauses.phrase))
            return where, params
        quoted = ['"' + t.replace('"', '""') + '"' for t in clauses.terms]
        if clauses.phrase:
            quoted.append('"' + " ".join(clauses.phrase).replace('"', '""') + '"')
        return ["p.rowid IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?)"], [" ".join(quoted)]

    def cond(self, cond: Cond) -> tuple[str, list[Any]]:
        m, kind = self.mark, FIELDS[cond.field].type
        if kind == "tool":
            return f"EXISTS (SELECT 1 FROM post_tools t WHERE t.post_id = p.id AND t.tool = {m})", [cond.value]
        column = _COLUMNS[cond.field]
        if kind == "flag":
            return f"p.{column} = {m}", [cond.value if self.postgres else int(cond.value)]
        if kind in ("integer", "date"):
            cast = "::date" if self.postgres and kind == "date" else ""
            return f"p.{column} BETWEEN {m}{cast} AND {m}{cast}", [cond.low, cond.high]
        return f"p.{column} = {m}", [cond.value]

    def statement(self, clauses: Clauses) -> tuple[str, list[Any]]:
        where, params = self.text(clauses)
        for cond in clauses.filter:
            sql, values = self.cond(cond)
            where.append(sql)
            params += values
        if clauses.id is not None:
            where.append(f"p.id = {self.mark}")
            params.append(clauses.id)
        if clauses.linked_to is not None:
            where.append(f"p.id IN (SELECT post_id FROM post_links WHERE target_id = {self.mark})")
            params.append(clauses.linked_to)
        return "SELECT p.id, p.content_hash FROM posts p WHERE " + " AND ".join(where), params


def _compare(query: Query, rows: list[tuple[Any, ...]], report: CheckReport, keep: int) -> None:
    expected = query.answer
    stale = sorted(pid for pid, h in rows if expected.hash is not None and h != expected.hash)
    found = {pid for pid, h in rows} - set(stale)
    kind = report.kinds.setdefault(query.kind, KindReport())
    kind.queries += 1
    kind.expected += expected.count
    kind.returned += len(rows)
    if expected.ids is not None:
        wanted = set(expected.ids)
        missing, extra = sorted(wanted - found), sorted(found - wanted)
        matched = len(wanted & found)
    elif len(found) == expected.count and digest_of(found) == expected.digest:
        missing, extra, matched = [], [], expected.count
    else:
        missing, extra = [], []
        matched = min(len(found), expected.count) - (len(found) == expected.count)
    kind.matched += matched
    if not (missing or extra or stale) and matched == expected.count == len(rows):
        kind.passed += 1
        return
    report.failed += 1
    note = f"stale content: {' '.join(stale[:SHOWN])} (expected hash {expected.hash})" if stale else ""
    named = bool(missing or extra or stale)
    if not named:
        note = "the expected ids are known by count and digest only"
    shelf = report.failures if named else report.unnamed
    if len(shelf) < keep:
        shelf.append(Failure(query.id, query.kind, query.query, expected.count, len(rows),
                             tuple(missing[:SHOWN]), tuple(extra[:SHOWN]), note))  # fmt: skip


def _open(db: str) -> Backend:
    shown = redacted(db)
    if not is_postgres(db) and not Path(db.removeprefix("sqlite:///")).exists():
        raise DatabaseError(f"no database at {shown}", hint=f"import posts first: synth import FILE --db {shown}")
    return connect(db)


def _rows(backend: Backend, statement: str, params: list[Any], shown: str) -> list[tuple[Any, ...]]:
    try:
        return backend.fetch(statement, params)
    except DatabaseError as exc:
        if "no such table" in exc.message or "does not exist" in exc.message:
            hint = f"import posts first: synth import FILE --db {shown}"
            raise DatabaseError(f"no imported posts in {shown}", hint=hint) from exc
        raise


def check_index(db: str, workload: str | Iterable[Query], *, failures: int = 10) -> CheckReport:
    """Run every query of ``workload`` (a workload file, or queries) against ``db``; see the module docstring.

    ``failures``: how many failing queries the report describes (all are counted).
    """
    if failures < 0:
        raise UsageError(f"failures {failures} is negative", hint="pass zero or more", parameter="failures")
    report = CheckReport(redacted(db))
    sql = _Sql(is_postgres(db))
    backend = _open(db)
    try:
        items = read_workload(workload) if isinstance(workload, str) else workload
        for query in items:
            _compare(query, _rows(backend, *sql.statement(query.clauses), report.db), report, failures)
        report.failures, report.unnamed = (report.failures + report.unnamed)[:failures], []
    finally:
        backend.close()
    return report
