"""SQLite: a layout-1 database is migrated in place, once (issue 13, point 3)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from synth.generation.assemble import batch_json
from synth.load.backend import LAYOUT_VERSION
from synth.load.importer import import_paths, source_identity
from synth.load.sqlite import SQLiteBackend
from synth.load.tables import Tables
from tests.load.common import digest, execute, lines_of, options, query, write_lines

V1_TABLES = (
    "DROP TABLE synth_checkpoints",
    "DROP TABLE synth_rejects",
    "CREATE TABLE synth_checkpoints (source TEXT PRIMARY KEY, line INTEGER NOT NULL, inserted INTEGER NOT NULL, "
    "updated INTEGER NOT NULL, unchanged INTEGER NOT NULL, rejected INTEGER NOT NULL)",
    'CREATE TABLE synth_rejects (source TEXT NOT NULL, line INTEGER NOT NULL, "offset" INTEGER NOT NULL, '
    "raw TEXT NOT NULL, findings TEXT NOT NULL, PRIMARY KEY (source, line))",
    "DROP INDEX posts_keys",  # layout 3's
    "ALTER TABLE posts DROP COLUMN line_digest",  # layout 3's
    "UPDATE synth_meta SET value = '1' WHERE key = 'layout_version'",
)


def _layout_1(db: str, tmp_path: Path) -> tuple[Path, Path]:
    """A database as layout 1 left it: a finished source's reject, and an unfinished source's checkpoint."""
    lines = batch_json(0, 6, seed=2)
    source = write_lines(tmp_path / "p.json", [b"[", b"{},", b",\n".join(lines), b"]"])
    old = write_lines(tmp_path / "old.jsonl", [b"[]"])
    import_paths([str(write_lines(tmp_path / "seed.jsonl", lines[:2]))], db, options=options())
    execute(db, *V1_TABLES)
    identity = source_identity(str(source))
    execute(
        db,
        f"INSERT INTO synth_rejects VALUES ('{old.resolve()}|3|x', 1, 0, '[]', '[{{\"code\": \"P001\"}}]')",
        f"INSERT INTO synth_checkpoints VALUES ('{identity}', 2, 0, 0, 0, 1)",  # line 2: which record?
    )
    return source, old


def test_a_layout_1_database_is_migrated_in_place(tmp_path: Path) -> None:
    db = str(tmp_path / "v1.db")
    source, old = _layout_1(db, tmp_path)
    dead = tmp_path / "dead.jsonl"
    summary = import_paths([str(source)], db, options=options(), rejects=str(dead))
    # the layout-1 checkpoint named a line, not a record: the source starts again, nothing is skipped
    assert summary.resumed_from == {}
    assert (summary.counts.inserted, summary.counts.unchanged, summary.counts.rejected) == (4, 2, 1)
    assert query(db, "SELECT value FROM synth_meta WHERE key = 'layout_version'") == [(str(LAYOUT_VERSION),)]
    assert query(
        db,
        "SELECT source, record, line, raw, findings, reported, current FROM synth_rejects WHERE line = 1 "
        "AND source LIKE '%old.jsonl%'",
    ) == [(f"{old.resolve()}|3|x", 1, 1, "[]", '[{"code": "P001"}]', "", 1)]
    assert [e["record"] for e in lines_of(dead)] == [1]
    assert query(db, "SELECT count(*) FROM synth_checkpoints") == [(0,)]
    reference = str(tmp_path / "ref.db")
    import_paths([str(source)], reference, options=options(), rejects=str(tmp_path / "ref.jsonl"))
    assert digest(db) == digest(reference)


def test_the_migration_runs_once(tmp_path: Path) -> None:
    db = str(tmp_path / "v1.db")
    _layout_1(db, tmp_path)
    for _ in range(2):
        backend = SQLiteBackend(db)
        backend.prepare()
        backend.close()
    columns = [row[1] for row in sqlite3.connect(db).execute("PRAGMA table_info(synth_rejects)")]
    assert columns == ["source", "record", "line", "offset", "raw", "findings", "reported", "current"]
    assert query(db, "SELECT count(*) FROM synth_rejects") == [(1,)]


def test_a_new_database_has_16_kib_pages_and_a_16_mib_fts_hash(tmp_path: Path) -> None:
    """The two settings chosen by measurement (docs/performance.md), and an FTS index they leave intact."""
    db = str(tmp_path / "p.db")
    import_paths([str(write_lines(tmp_path / "p.jsonl", batch_json(0, 30, seed=4)))], db, options=options(batch=7))
    assert query(db, "PRAGMA page_size") == [(16384,)]
    assert ("hashsize", 16 << 20) in query(db, "SELECT k, v FROM posts_fts_config")
    execute(db, "INSERT INTO posts_fts (posts_fts) VALUES ('integrity-check')")  # raises when it is not
    assert query(db, "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'the'") != [(0,)]


def test_an_existing_file_keeps_its_page_size(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as made:
        made.execute("PRAGMA page_size = 4096")
        made.execute("CREATE TABLE t (x)")
    import_paths([str(write_lines(tmp_path / "p.jsonl", batch_json(0, 3, seed=4)))], str(db), options=options())
    assert query(str(db), "PRAGMA page_size") == [(4096,)]


def test_lookups_by_id_answer_the_same_with_and_without_the_covering_index(tmp_path: Path) -> None:
    """They run through posts_keys when it exists and without it while a fresh load deferred it."""
    db = str(tmp_path / "k.db")
    import_paths([str(write_lines(tmp_path / "p.jsonl", batch_json(0, 5, seed=4)))], db, options=options())
    stored = {pid: (d, r) for pid, d, r in query(db, "SELECT id, line_digest, last_reviewed FROM posts")}
    ids = [*sorted(stored), "no-such-post"]
    answers = []
    for drop in ((), ("DROP INDEX posts_keys",)):
        execute(db, *drop)
        backend = SQLiteBackend(db)
        answers.append(backend.known(ids))
        backend.close()
    assert answers == [stored, stored]
    assert query(db, "SELECT count(*) FROM sqlite_master WHERE name = 'posts_keys'") == [(0,)]


@pytest.mark.parametrize("prefix", ["", "synth_"])
def test_a_re_import_looks_posts_up_through_the_covering_index(tmp_path: Path, prefix: str) -> None:
    """Every lookup of an incremental batch names the (prefixed) index, and none falls back."""
    tables = Tables(prefix=prefix)
    db = str(tmp_path / "k.db")
    lines = batch_json(0, 6, seed=4)
    import_paths([str(write_lines(tmp_path / "p.jsonl", lines))], db, options=options(tables=tables))
    backend = SQLiteBackend(db, tables)
    ran: list[str] = []
    backend.db.set_trace_callback(ran.append)  # only statements that were prepared and run
    assert set(backend.known([f"alphanode-{k:06d}" for k in range(6)])) == {f"alphanode-{k:06d}" for k in range(6)}
    backend.close()
    assert [s for s in ran if f'INDEXED BY "{prefix}posts_keys"' in s] and not [s for s in ran if "INDEXED" not in s]
