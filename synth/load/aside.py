"""A fresh SQLite load's full-text index, built beside the writer instead of after it.

A fresh load used to end with one FTS5 ``rebuild``: the writer's thread tokenised every post
again after writing it, while the other core sat idle. :class:`AsideIndex` instead feeds each
committed batch's new posts to a thread with a connection of its own, which indexes them into an
FTS5 table of the same declaration in that connection's private ``temp`` schema (a file SQLite
unlinks as soon as it opens it, so nothing is left behind even after a kill -9; it never locks the
database). At the end, one ``BEGIN IMMEDIATE`` transaction of that connection checks that the
index covers exactly the posts stored (every rowid, with the content hash it was indexed with: an
import running beside this one, or a post changed since, fails the check), copies the FTS5
shadow tables into the database (the rows ``.dump`` would restore), builds the deferred indexes
and ends the deferral: what :meth:`SQLiteBackend.finish_load` does, without the rebuild. Anything
else (a check that fails, an error, a post updated during the load) leaves the deferral in place
and ``finish_load`` rebuilds as before, so the index is never wrong, at worst built the old way.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Sequence
from typing import Final

from synth.load.tables import DEFERRED, UNDEFERRED, Tables

__all__ = ["AsideIndex"]

_QUEUED: Final = 2  # batches waiting for the thread; the writer waits beyond that
_SHADOWS: Final = ("data", "idx", "docsize")  # FTS5's tables of the index; its config stays the database's

Row = tuple[int, str, str, str, str]  # rowid, content hash, title, intro, body


class AsideIndex:
    """The FTS index of the posts one fresh load writes, built in a thread beside the writer."""

    def __init__(self, path: str, tables: Tables, declaration: str, indexes: Sequence[str]) -> None:
        self.path, self.tables, self.declaration, self.indexes = path, tables, declaration, indexes
        self.items: queue.Queue[list[Row] | str | None] = queue.Queue(_QUEUED)
        self.usable = True  # False once the index cannot be the database's (finish_load rebuilds)
        self.built = False
        self.thread = threading.Thread(target=self._run, name="synth-fts-aside", daemon=True)
        self.thread.start()

    def add(self, rows: list[Row]) -> None:
        """Index committed posts (blocks while the thread is :data:`_QUEUED` batches behind)."""
        if self.usable and rows:
            self._put(rows)

    def abandon(self) -> None:
        """A post was changed or removed: this index will not be used."""
        self.usable = False

    def finish(self) -> bool:
        """Make the index the database's and end the deferral; False when ``finish_load`` must rebuild."""
        self._put("finish")
        self.thread.join()
        return self.built

    def stop(self) -> None:
        """Drop the index (the import did not finish)."""
        self.usable = False
        self._put(None)
        self.thread.join()

    def _put(self, item: list[Row] | str | None) -> None:
        while self.thread.is_alive():  # a thread that ended on an error takes nothing more
            with contextlib.suppress(queue.Full):
                self.items.put(item, timeout=0.1)
                return

    def _run(self) -> None:
        db = sqlite3.connect(self.path, isolation_level=None, timeout=60.0)
        try:
            self._build(db)
        except Exception:
            self.usable = False
            if db.in_transaction:
                db.execute("ROLLBACK")
        finally:
            db.close()

    def _build(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA temp_store = FILE")  # the temp schema on disk: it grows with the corpus
        db.execute(f"CREATE VIRTUAL TABLE temp.aside USING fts5 ({self.declaration})")
        db.execute("INSERT INTO temp.aside (aside, rank) VALUES ('hashsize', 16777216)")
        db.execute("CREATE TABLE temp.hashes (id INTEGER PRIMARY KEY, hash TEXT NOT NULL)")
        db.execute("BEGIN")
        while (item := self.items.get()) is not None:
            if isinstance(item, str):
                db.execute("COMMIT")
                self.built = self.usable and self._install(db)
                return
            if self.usable:
                db.executemany("INSERT INTO temp.aside (rowid, title, intro, body) VALUES (?, ?, ?, ?)",
                               [(r[0], r[2], r[3], r[4]) for r in item])  # fmt: skip
                db.executemany("INSERT INTO temp.hashes (id, hash) VALUES (?, ?)", [(r[0], r[1]) for r in item])
        db.execute("ROLLBACK")

    def _install(self, db: sqlite3.Connection) -> bool:
        sql = self.tables.sql
        db.execute("BEGIN IMMEDIATE")
        stale = db.execute(
            sql(
                "SELECT (SELECT count(*) FROM main.{posts}) != (SELECT count(*) FROM temp.hashes) OR EXISTS "
                "(SELECT 1 FROM main.{posts} p LEFT JOIN temp.hashes h ON h.id = p.rowid "
                "WHERE h.hash IS NOT p.content_hash)"
            )
        ).fetchone()[0]
        if stale or db.execute(sql(DEFERRED)).fetchone() is None:
            db.execute("ROLLBACK")
            return False
        fts = self.tables.name("posts_fts")
        for shadow in _SHADOWS:
            db.execute(f'DELETE FROM main."{fts}_{shadow}"')
            db.execute(f'INSERT INTO main."{fts}_{shadow}" SELECT * FROM temp."aside_{shadow}"')
        for statement in self.indexes:
            db.execute(sql(statement))
        db.execute(sql(UNDEFERRED))
        db.execute("COMMIT")
        db.execute("PRAGMA main.optimize")
        return True
