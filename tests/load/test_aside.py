"""The FTS index of a fresh SQLite load built beside the writer: the same index as a rebuild, or a rebuild."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest

from synth.generation.assemble import batch_json, post_dict
from synth.load import aside
from synth.load.importer import import_paths
from tests.load.common import SECONDARY, deferred, fts_intact, indexes, options, query, sealed, write_lines

QUERIES = ("the", "error*", "title : guide", '"the best"', "postgres OR mysql OR redis", "data NEAR pipeline")


@pytest.fixture
def installs(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What each aside index's installation answered (True: it became the database's index)."""
    answers: list[bool] = []
    install = aside.AsideIndex._install

    def recorded(self: aside.AsideIndex, db: sqlite3.Connection) -> bool:
        answers.append(install(self, db))
        return answers[-1]

    monkeypatch.setattr(aside.AsideIndex, "_install", recorded)
    return answers


def _search(db: str) -> list[list[tuple[Any, ...]]]:
    sql = "SELECT rowid, round(bm25(posts_fts), 9) FROM posts_fts WHERE posts_fts MATCH ? ORDER BY rowid"
    return [query(db, sql, (q,)) for q in QUERIES]


def _as_rebuilt(db: str, tmp_path: Path) -> list[list[tuple[Any, ...]]]:
    """The search results of a copy of ``db`` whose FTS index FTS5 rebuilt from the posts."""
    copy = str(tmp_path / "rebuilt.db")
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(db, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')")
    return _search(copy)


def _loaded(tmp_path: Path, lines: list[bytes], **kw: Any) -> str:
    db = str(tmp_path / "a.db")
    import_paths([str(write_lines(tmp_path / "a.jsonl", lines))], db, options=options(batch=97, **kw))
    return db


def test_a_fresh_load_installs_the_index_built_beside_it(tmp_path: Path, installs: list[bool]) -> None:
    db = _loaded(tmp_path, batch_json(0, 600, seed=3))
    assert installs == [True]
    assert not deferred(db) and indexes(db) >= SECONDARY
    fts_intact(db)
    found = _search(db)
    assert len(found[0]) == 600 and sum(map(len, found)) > 600  # every post holds 'the'; the others find some
    assert found == _as_rebuilt(db, tmp_path)  # rowids and bm25 scores alike


def test_a_post_changed_during_the_load_leaves_the_rebuild(tmp_path: Path, installs: list[bool]) -> None:
    lines = batch_json(0, 300, seed=3)
    post = post_dict(5, seed=3)
    post["title"] = post["title"] + " revised"
    db = _loaded(tmp_path, [*lines, sealed(post)])  # the same id again, other content, a later batch
    assert installs == []  # abandoned before the end
    assert not deferred(db)
    fts_intact(db)
    assert query(db, "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'revised'") == [(1,)]


def test_a_post_written_by_another_process_leaves_the_rebuild(
    tmp_path: Path, installs: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "a.db")
    stranger = orjson.loads(batch_json(900, 1, seed=8)[0])
    finish = aside.AsideIndex.finish

    def after_a_stranger(self: aside.AsideIndex) -> bool:
        import_paths([str(write_lines(tmp_path / "s.jsonl", [orjson.dumps(stranger)]))], db, options=options())
        return finish(self)

    monkeypatch.setattr(aside.AsideIndex, "finish", after_a_stranger)
    import_paths([str(write_lines(tmp_path / "a.jsonl", batch_json(0, 200, seed=3)))], db, options=options(batch=50))
    assert installs == [False]  # the check saw a post it did not index
    fts_intact(db)
    assert query(db, "SELECT count(*) FROM posts") == [(201,)]
    assert _search(db) == _as_rebuilt(db, tmp_path)


def test_an_error_beside_the_writer_costs_only_the_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: aside.AsideIndex, db: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(aside.AsideIndex, "_build", broken)
    db = _loaded(tmp_path, batch_json(0, 250, seed=3))
    assert not deferred(db)
    fts_intact(db)
    assert query(db, "SELECT count(*) FROM posts") == [(250,)]


def test_a_resumed_load_does_not_build_aside(tmp_path: Path, installs: list[bool]) -> None:
    db = str(tmp_path / "a.db")
    lines = batch_json(0, 300, seed=3)
    import_paths([str(write_lines(tmp_path / "first.jsonl", lines[:100]))], db, options=options())
    with sqlite3.connect(db) as conn:  # as a load killed before its end leaves the database
        conn.execute("INSERT INTO synth_meta VALUES ('deferred_indexes', '1')")
    installs.clear()
    import_paths([str(write_lines(tmp_path / "all.jsonl", lines))], db, options=options(batch=64))
    assert installs == []
    assert not deferred(db)
    fts_intact(db)
    assert query(db, "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'the'") == [(300,)]


def test_an_aborted_load_stops_the_thread_and_rebuilds(tmp_path: Path, installs: list[bool]) -> None:
    lines = batch_json(0, 200, seed=3)
    lines[150] = b'{"id": "broken"}'
    db = str(tmp_path / "a.db")
    with pytest.raises(Exception, match="max"):
        import_paths([str(write_lines(tmp_path / "a.jsonl", lines))], db, options=options(batch=50, max_errors=1))
    assert installs == []
    assert not deferred(db)  # what was committed is searchable
    fts_intact(db)
    assert query(db, "SELECT count(*) FROM posts") == [(150,)]
