"""``check_index`` on real imports: fresh imports pass every query; damage, stale editions and syncs are caught.

Which queries must fail is never written down here: it is computed by answering the same
queries again over what the database should now hold (``queries(..., reuse=...)``) and
comparing the answers.
"""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest

from synth.errors import DatabaseError
from synth.generation.assemble import batch_dicts
from synth.generation.edition import edition_lines
from synth.generation.writer import write_corpus
from synth.load.check import CheckReport, check_index
from synth.load.importer import ImportOptions, import_paths
from synth.schema.hash import seal
from synth.workload.spec import KINDS
from synth.workload.workload import Workload, queries
from tests.conftest import first_then_slow

COUNT = 1000  # posts of the fresh-import acceptance corpora (20,000 in the slow test)
SMALL = 800  # posts of the damage, edition and sync corpora


def _import(paths: list[Path], db: str, tmp_path: Path, *, sync: bool = False) -> None:
    import_paths([str(p) for p in paths], db, options=ImportOptions(sync=sync), rejects=str(tmp_path / "rejects.jsonl"))


def _execute(db: str, sql: str, params: list[Any]) -> None:
    """Damage a database behind the importer's back (``?`` placeholders)."""
    if db.startswith("postgresql"):
        import psycopg  # noqa: PLC0415

        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute(sql.replace("?", "%s").encode(), params)
    else:
        with sqlite3.connect(db) as conn:
            conn.execute(sql, params)


def _failing(report: CheckReport) -> set[str]:
    return {f.id for f in report.failures}


def _changed(before: Workload, after: Workload) -> tuple[set[str], set[str]]:
    """Ids of the queries whose answer differs, and of those the new corpus makes unsafe to answer at all."""
    new = {q.id: q.answer for q in after}
    dropped = {q.id for q in before if q.id not in new}
    assert len(dropped) <= len(before) // 50
    return {q.id for q in before if q.id in new and q.answer != new[q.id]}, dropped


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpora")
    out = {}
    for locale, seed in (("en_US", 0), ("ja_JP", 1)):
        out[locale] = folder / f"{locale}.jsonl"
        write_corpus(str(out[locale]), count=COUNT, seed=seed, locale=locale)
    return out


@pytest.fixture(scope="module")
def workloads(corpus: dict[str, Path]) -> dict[str, Workload]:
    return {locale: queries(str(path), size=300, query_seed=7) for locale, path in corpus.items()}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Workload]:
    path = tmp_path_factory.mktemp("small") / "c.jsonl"
    write_corpus(str(path), count=SMALL, seed=5)
    return path, queries(str(path), size=200, query_seed=3)


@pytest.mark.parametrize("locale", first_then_slow("en_US", "ja_JP"))
def test_a_fresh_import_passes_every_query(
    locale: str, db_url: str, tmp_path: Path, corpus: dict[str, Path], workloads: dict[str, Workload]
) -> None:
    _import([corpus[locale]], db_url, tmp_path)
    report = check_index(db_url, workloads[locale])
    assert report.ok, report.lines()
    assert report.queries == 300 and set(report.kinds) == set(KINDS)
    assert all(k.recall == k.precision == 1.0 for k in report.kinds.values())


@pytest.mark.slow
@pytest.mark.parametrize(("locale", "seed"), [("en_US", 3), ("zh_CN", 4)])
def test_a_fresh_import_of_20k_posts_passes_a_2000_query_workload(
    locale: str, seed: int, db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "c.jsonl"
    write_corpus(str(path), count=20_000, seed=seed, locale=locale)
    _import([path], db_url, tmp_path)
    workload = queries(str(path), size=2000, query_seed=seed)
    report = check_index(db_url, workload)
    assert report.ok, report.lines()
    assert report.queries == 2000 and set(report.kinds) == set(KINDS)


def _without_text(path: Path, ids: set[str]) -> list[dict[str, Any]]:
    """The corpus with the text of ``ids`` emptied: what a full-text index that lost their rows holds."""
    posts = []
    for line in path.read_bytes().splitlines():
        post = orjson.loads(line)
        if post["id"] in ids:
            post = copy.deepcopy(post)
            post["title"] = post["intro"] = ""
            post["sections"] = []
        posts.append(post)
    return posts


def test_deleted_full_text_rows_fail_exactly_the_queries_that_find_them(
    tmp_path: Path, small: tuple[Path, Workload]
) -> None:
    path, workload = small
    db = str(tmp_path / "posts.db")
    _import([path], db, tmp_path)
    lost = {"alphanode-000003", "alphanode-000500", f"alphanode-{SMALL - 1:06d}"}
    _execute(
        db,
        "INSERT INTO posts_fts (posts_fts, rowid, title, intro, body) SELECT 'delete', rowid, title, intro, body "
        f"FROM posts WHERE id IN ({', '.join('?' * len(lost))})",
        sorted(lost),
    )
    expected, dropped = _changed(workload, queries(_without_text(path, lost), reuse=list(workload)))
    report = check_index(db, workload, failures=1000)
    assert expected and _failing(report) - dropped == expected
    assert report.kinds["term"].recall < 1.0 and report.kinds["term"].precision == 1.0
    listed = [f for f in report.failures if f.missing]
    assert listed and all(set(f.missing) <= lost and not f.extra for f in listed)


def test_a_dropped_link_row_fails_the_similar_query(db_url: str, tmp_path: Path, small: tuple[Path, Workload]) -> None:
    path, workload = small
    _import([path], db_url, tmp_path)
    query = next(q for q in workload if q.kind == "similar" and q.answer.ids)
    assert query.answer.ids is not None
    source, target = query.answer.ids[0], query.clauses.linked_to
    _execute(db_url, "DELETE FROM post_links WHERE post_id = ? AND target_id = ?", [source, target])
    report = check_index(db_url, workload)
    assert _failing(report) == {q.id for q in workload if q.clauses.linked_to == target and q.answer.count}
    failure = next(f for f in report.failures if f.id == query.id)
    assert failure.missing == (source,) and report.kinds["similar"].recall < 1.0


def test_a_dropped_tool_row_fails_the_filters_on_that_tool(
    db_url: str, tmp_path: Path, small: tuple[Path, Workload]
) -> None:
    path, workload = small
    _import([path], db_url, tmp_path)
    query = next(q for q in workload if any(c.field == "tool" for c in q.clauses.filter) and q.answer.ids)
    assert query.answer.ids is not None
    post, tool = query.answer.ids[0], next(c.value for c in query.clauses.filter if c.field == "tool")
    _execute(db_url, "DELETE FROM post_tools WHERE post_id = ? AND tool = ?", [post, tool])
    posts = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    for p in posts:
        if p["id"] == post:
            p["meta"]["tools"] = [t for t in p["meta"]["tools"] if t != tool]
    expected, dropped = _changed(workload, queries(posts, reuse=list(workload)))
    report = check_index(db_url, workload, failures=1000)
    assert query.id in expected and _failing(report) - dropped == expected


def _edition_file(folder: Path, edition: int, count: int = SMALL) -> Path:
    path = folder / f"e{edition}.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in edition_lines(count, edition, seed=0)))
    return path


@pytest.mark.slow
def test_an_older_edition_imported_over_a_newer_one_is_caught(db_url: str, tmp_path: Path) -> None:
    e1, e3 = _edition_file(tmp_path, 1), _edition_file(tmp_path, 3)
    workload = queries(str(e3), size=200, query_seed=1)
    _import([e3], db_url, tmp_path)
    _import([e1], db_url, tmp_path)  # revised posts go back, removed ones come back, added ones stay
    held = [orjson.loads(x) for x in e1.read_bytes().splitlines()]
    held += [p for p in map(orjson.loads, e3.read_bytes().splitlines()) if int(p["id"][10:]) >= SMALL]
    expected, dropped = _changed(workload, queries(held, reuse=list(workload)))
    report = check_index(db_url, workload, failures=1000)
    assert expected and _failing(report) - dropped == expected and not report.ok
    assert min(k.recall for k in report.kinds.values()) < 1.0
    assert any("stale content" in f.note for f in report.failures if f.kind == "id")


@pytest.mark.slow
def test_after_a_sync_to_edition_3_only_the_changed_answers_of_edition_1_fail(db_url: str, tmp_path: Path) -> None:
    e1, e3 = _edition_file(tmp_path, 1), _edition_file(tmp_path, 3)
    w1, w3 = queries(str(e1), size=200, query_seed=2), queries(str(e3), size=200, query_seed=2)
    _import([e1], db_url, tmp_path)
    assert check_index(db_url, w1).ok
    _import([e3], db_url, tmp_path, sync=True)
    assert check_index(db_url, w3).ok
    changed, dropped = _changed(w1, queries(str(e3), reuse=list(w1)))
    report = check_index(db_url, w1, failures=1000)
    assert changed and _failing(report) - dropped == changed


def test_a_missing_database_or_workload_is_reported(tmp_path: Path, small: tuple[Path, Workload]) -> None:
    with pytest.raises(DatabaseError, match="no database at"):
        check_index(str(tmp_path / "none.db"), small[1])
    sqlite3.connect(tmp_path / "empty.db").close()
    with pytest.raises(DatabaseError, match="no imported posts"):
        check_index(str(tmp_path / "empty.db"), small[1])


def test_a_post_changed_in_place_fails_its_id_lookup(tmp_path: Path) -> None:
    posts = batch_dicts(0, 50, seed=3)
    for p in posts:
        seal(p)
    workload = queries(posts, size=40)
    changed = copy.deepcopy(posts)
    target = next(q for q in workload if q.kind == "id" and q.answer.count).clauses.id
    for p in changed:
        if p["id"] == target:
            p["meta"]["view_count"] += 1
            seal(p)
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in changed))
    _import([path], str(tmp_path / "c.db"), tmp_path)
    report = check_index(str(tmp_path / "c.db"), workload)
    failure = next(f for f in report.failures if f.kind == "id")
    assert failure.missing == (target,) and "stale content" in failure.note
