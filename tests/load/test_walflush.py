"""WAL checkpoints beside the writer: they copy committed pages, start with the first batch, stop before close."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import orjson

from synth.generation.assemble import batch_json
from synth.load.backend import Checkpoint, Counts
from synth.load.importer import import_paths
from synth.load.rows import post_rows
from synth.load.sqlite import SQLiteBackend
from synth.load.walflush import WalFlusher
from tests.load.common import options, write_lines


def _wal_db(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")  # only the flusher checkpoints
    db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    return db


def _backfilled(path: Path) -> tuple[int, int]:
    """(frames in the WAL, frames copied into the file) as a passive checkpoint of nothing new reports them."""
    with sqlite3.connect(path, isolation_level=None) as probe:
        _, log, done = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return log, done


def _wait_for(flusher: WalFlusher, rounds: int) -> None:
    deadline = time.monotonic() + 10
    while flusher.rounds < rounds and time.monotonic() < deadline:
        time.sleep(0.01)


def test_committed_pages_reach_the_file_while_the_writer_stays_open(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    db = _wal_db(path)
    db.executemany("INSERT INTO t (v) VALUES (?)", [("x" * 1000,) for _ in range(2000)])
    size = path.stat().st_size
    flusher = WalFlusher(str(path), interval=0.01)
    flusher.start()
    _wait_for(flusher, 2)
    flusher.stop()
    assert flusher.rounds >= 2
    assert flusher.thread is not None and not flusher.thread.is_alive()
    log, done = _backfilled(path)
    assert log > 0 and done == log  # every committed frame copied
    assert path.stat().st_size > size + 1_000_000  # the rows are in the database file itself
    db.close()


def test_start_is_once_and_stop_without_start_is_harmless(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    _wal_db(path).close()
    idle = WalFlusher(str(path))
    idle.stop()
    assert idle.thread is None and idle.rounds == 0
    flusher = WalFlusher(str(path), interval=0.01)
    flusher.start()
    first = flusher.thread
    flusher.start()
    assert flusher.thread is first
    flusher.stop()


def test_a_file_it_cannot_open_leaves_the_thread_ended(tmp_path: Path) -> None:
    flusher = WalFlusher(str(tmp_path / "missing" / "w.db"), interval=0.01)
    flusher.start()
    assert flusher.thread is not None
    flusher.thread.join(10)
    assert not flusher.thread.is_alive() and flusher.rounds == 0
    flusher.stop()


def test_the_backend_starts_it_with_the_first_batch_and_stops_it_at_close(tmp_path: Path) -> None:
    """Not before: the importer forks its worker processes between begin_load and the first batch."""
    db = str(tmp_path / "p.db")
    backend = SQLiteBackend(db)
    backend.prepare()
    backend.begin_load()
    assert backend.flusher.thread is None
    posts = [post_rows(orjson.loads(line), line) for line in batch_json(0, 3, seed=4)]
    backend.write_batch("s", posts, [], Checkpoint(3, 3, Counts()), 0, {})
    thread = backend.flusher.thread
    assert thread is not None and thread.is_alive()
    backend.close()
    assert not thread.is_alive()


def test_close_stops_it_first_so_the_writer_removes_the_wal(tmp_path: Path) -> None:
    """The flusher's connection closes before the writer's, whose close, the last, checkpoints and removes the WAL."""
    db = str(tmp_path / "p.db")
    backend = SQLiteBackend(db)
    backend.prepare()
    backend.begin_load()
    backend.flusher = WalFlusher(db, interval=0.01)
    posts = [post_rows(orjson.loads(line), line) for line in batch_json(0, 3, seed=4)]
    backend.write_batch("s", posts, [], Checkpoint(3, 3, Counts()), 0, {})
    _wait_for(backend.flusher, 2)  # its connection is open on the file
    assert backend.flusher.rounds >= 2
    backend.close()
    assert not Path(db + "-wal").exists()


def test_an_import_through_it_leaves_a_sound_file(tmp_path: Path) -> None:
    db = str(tmp_path / "p.db")
    source = write_lines(tmp_path / "p.jsonl", batch_json(0, 30, seed=4))
    summary = import_paths([str(source)], db, options=options(batch=10))
    assert summary.counts.inserted == 30
    assert not Path(db + "-wal").exists()
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("SELECT count(*) FROM posts").fetchone() == (30,)
