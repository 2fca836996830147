"""SQLite backend: WAL, one transaction a batch, prepared statements, FTS5 with external content.

The FTS5 table indexes ``posts`` (``content='posts'``): a batch adds index entries for new
posts, and for changed posts first removes the old entries (FTS5's ``'delete'`` command with the
old text) then adds the new ones, all inside the batch's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, Final

import orjson

from synth.errors import DatabaseError
from synth.load.backend import LAYOUT_VERSION, Checkpoint, Counts, Reject
from synth.load.rows import COLUMNS, PostRows

__all__ = ["SQLiteBackend"]

SCHEMA: Final = f"""
CREATE TABLE IF NOT EXISTS synth_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS posts (
    id TEXT PRIMARY KEY NOT NULL, number INTEGER NOT NULL, title TEXT NOT NULL, intro TEXT NOT NULL,
    body TEXT NOT NULL, topic TEXT NOT NULL, problem TEXT NOT NULL, stack TEXT NOT NULL, area TEXT,
    code_language TEXT NOT NULL, difficulty TEXT NOT NULL, reading_time INTEGER NOT NULL,
    view_count INTEGER NOT NULL, quality INTEGER NOT NULL, freshness INTEGER NOT NULL, depth INTEGER NOT NULL,
    clarity INTEGER NOT NULL, status TEXT NOT NULL, version TEXT NOT NULL, last_reviewed TEXT NOT NULL,
    reference TEXT NOT NULL, content_hash TEXT NOT NULL, ai_generated_style INTEGER NOT NULL,
    has_images INTEGER NOT NULL, image_heavy INTEGER NOT NULL, needs_human_review INTEGER NOT NULL,
    doc TEXT NOT NULL,
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS posts_stack ON posts (stack);
CREATE INDEX IF NOT EXISTS posts_view_count ON posts (view_count);
CREATE TABLE IF NOT EXISTS post_tools (
    post_id TEXT NOT NULL, position INTEGER NOT NULL, tool TEXT NOT NULL, PRIMARY KEY (post_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS post_tools_tool ON post_tools (tool);
CREATE TABLE IF NOT EXISTS post_entities (
    post_id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
    PRIMARY KEY (post_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS post_entities_name ON post_entities (type, name);
CREATE TABLE IF NOT EXISTS post_links (
    post_id TEXT NOT NULL, position INTEGER NOT NULL, target_id TEXT NOT NULL, PRIMARY KEY (post_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS post_links_target ON post_links (target_id);
CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5 (
    title, intro, body, content='posts', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS synth_checkpoints (
    source TEXT PRIMARY KEY, line INTEGER NOT NULL, inserted INTEGER NOT NULL, updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL, rejected INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS synth_rejects (
    source TEXT NOT NULL, line INTEGER NOT NULL, "offset" INTEGER NOT NULL, raw TEXT NOT NULL,
    findings TEXT NOT NULL, PRIMARY KEY (source, line)
);
INSERT OR IGNORE INTO synth_meta (key, value) VALUES ('layout_version', '{LAYOUT_VERSION}');
"""

_INSERT: Final = f"INSERT INTO posts ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
_UPDATE: Final = (
    f"UPDATE posts SET {', '.join(f'{c} = ?' for c in COLUMNS[1:])}, "
    "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?"
)
_INDEX_BATCH: Final = (
    "INSERT INTO posts_fts (rowid, title, intro, body) "
    "SELECT p.rowid, p.title, p.intro, p.body FROM posts p JOIN temp.batch b ON b.id = p.id WHERE b.state != 'same'"
)
_UNINDEX_CHANGED: Final = (
    "INSERT INTO posts_fts (posts_fts, rowid, title, intro, body) "
    "SELECT 'delete', p.rowid, p.title, p.intro, p.body FROM posts p JOIN temp.batch b ON b.id = p.id "
    "WHERE b.state = 'changed'"
)
_CHILDREN: Final = {
    "post_tools": ("tools", "INSERT INTO post_tools (post_id, position, tool) VALUES (?, ?, ?)"),
    "post_entities": ("entities", "INSERT INTO post_entities (post_id, position, name, type) VALUES (?, ?, ?, ?)"),
    "post_links": ("links", "INSERT INTO post_links (post_id, position, target_id) VALUES (?, ?, ?)"),
}


def _mapped(exc: sqlite3.Error, path: str) -> DatabaseError:
    """A driver error as a message that says what to do."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return DatabaseError(f"{path}: the database is locked by another process", hint="wait for it or stop it")
    if ("disk" in text and "full" in text) or "SQLITE_FULL" in text:
        return DatabaseError(f"{path}: the disk is full", hint="free space and run the same command again")
    if "unable to open" in text:
        return DatabaseError(f"{path}: cannot open the database file", hint="check the folder exists and is writable")
    if "not a database" in text or "malformed" in text:
        return DatabaseError(f"{path}: the file is not a usable SQLite database", hint="point --db at another file")
    return DatabaseError(f"{path}: {text}", hint="check the database file")


class SQLiteBackend:
    """The importer's SQLite side (see :class:`synth.load.backend.Backend`)."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(path, isolation_level=None, timeout=10.0)
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise _mapped(exc, path) from exc

    def _run(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, params)
        except sqlite3.Error as exc:
            raise _mapped(exc, self.path) from exc

    def prepare(self) -> None:
        try:
            self.db.executescript(SCHEMA)
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS batch (id TEXT PRIMARY KEY, state TEXT NOT NULL)")
        except sqlite3.Error as exc:
            raise _mapped(exc, self.path) from exc
        version = self._run("SELECT value FROM synth_meta WHERE key = 'layout_version'").fetchone()[0]
        if int(version) != LAYOUT_VERSION:
            raise DatabaseError(
                f"{self.path}: tables of layout {version}, this synth writes layout {LAYOUT_VERSION}",
                hint="import into a new database file",
            )

    def checkpoint(self, source: str) -> Checkpoint | None:
        row = self._run(
            "SELECT line, inserted, updated, unchanged, rejected FROM synth_checkpoints WHERE source = ?", (source,)
        ).fetchone()
        return None if row is None else Checkpoint(row[0], Counts(*row[1:]))

    def begin_source(self, source: str) -> None:
        self._run("DELETE FROM synth_rejects WHERE source = ?", (source,))

    def _classify(self, posts: list[PostRows]) -> tuple[list[PostRows], list[PostRows]]:
        """(new, changed) posts of a batch; fills temp.batch with every id and its state."""
        self.db.execute("DELETE FROM temp.batch")
        self.db.executemany("INSERT INTO temp.batch (id, state) VALUES (?, 'new')", [(p.id,) for p in posts])
        known = dict(self.db.execute("SELECT p.id, p.content_hash FROM posts p JOIN temp.batch b ON b.id = p.id"))
        new = [p for p in posts if p.id not in known]
        changed = [p for p in posts if p.id in known and known[p.id] != p.content_hash]
        same = [(p.id,) for p in posts if p.id in known and known[p.id] == p.content_hash]
        self.db.executemany("UPDATE temp.batch SET state = 'changed' WHERE id = ?", [(p.id,) for p in changed])
        self.db.executemany("UPDATE temp.batch SET state = 'same' WHERE id = ?", same)
        return new, changed

    def _merge(self, posts: list[PostRows]) -> tuple[int, int]:
        new, changed = self._classify(posts)
        self.db.execute(_UNINDEX_CHANGED)
        self.db.executemany(_INSERT, [p.post for p in new])
        self.db.executemany(_UPDATE, [(*p.post[1:], p.id) for p in changed])
        self.db.execute(_INDEX_BATCH)
        touched = new + changed
        for table, (attr, insert) in _CHILDREN.items():
            self.db.executemany(f"DELETE FROM {table} WHERE post_id = ?", [(p.id,) for p in changed])
            self.db.executemany(insert, [row for p in touched for row in getattr(p, attr)])
        return len(new), len(changed)

    def write_batch(
        self, source: str, posts: list[PostRows], rejects: list[Reject], line: int, before: Counts, repeated: int
    ) -> Counts:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            inserted, updated = self._merge(posts)
            done = Counts(inserted, updated, len(posts) - inserted - updated + repeated, len(rejects))
            self.db.executemany(
                'INSERT OR REPLACE INTO synth_rejects (source, line, "offset", raw, findings) VALUES (?, ?, ?, ?, ?)',
                [(source, r.line, r.offset, r.raw, orjson.dumps(r.findings).decode()) for r in rejects],
            )
            total = Counts(before.inserted, before.updated, before.unchanged, before.rejected)
            total.add(done)
            self.db.execute(
                "INSERT OR REPLACE INTO synth_checkpoints VALUES (?, ?, ?, ?, ?, ?)",
                (source, line, total.inserted, total.updated, total.unchanged, total.rejected),
            )
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise _mapped(exc, self.path) from exc
        return done

    def finish_source(self, source: str) -> None:
        self._run("DELETE FROM synth_checkpoints WHERE source = ?", (source,))

    def rejects(self, sources: list[str]) -> Iterator[dict[str, Any]]:
        for source in sources:
            rows = self._run(
                'SELECT line, "offset", raw, findings FROM synth_rejects WHERE source = ? ORDER BY line', (source,)
            )
            for line, offset, raw, findings in rows.fetchall():
                file = source.split("|", 1)[0]
                yield {"file": file, "line": line, "offset": offset, "raw": raw, "findings": orjson.loads(findings)}

    def sync(self, ids: set[str]) -> int:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (id TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM temp.keep")
            self.db.executemany("INSERT INTO temp.keep (id) VALUES (?)", [(i,) for i in ids])
            gone = "SELECT id FROM posts WHERE id NOT IN (SELECT id FROM temp.keep)"
            self.db.execute(
                "INSERT INTO posts_fts (posts_fts, rowid, title, intro, body) SELECT 'delete', rowid, title, intro, "
                f"body FROM posts WHERE id IN ({gone})"
            )
            for table in _CHILDREN:
                self.db.execute(f"DELETE FROM {table} WHERE post_id IN ({gone})")
            deleted = self.db.execute(f"DELETE FROM posts WHERE id IN ({gone})").rowcount
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise _mapped(exc, self.path) from exc
        return deleted

    def fetch(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        """The rows of one read-only statement (``?`` placeholders): what ``check-index`` asks."""
        return self._run(sql, params).fetchall()

    def search(self, query: str, limit: int) -> list[tuple[str, str, float]]:
        """Every word of ``query`` must match (each quoted, so no FTS5 syntax leaks through); BM25 order."""
        terms = " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
        rows = self._run(
            "SELECT p.id, p.title, bm25(posts_fts, 10.0, 4.0, 1.0) AS score FROM posts_fts "
            "JOIN posts p ON p.rowid = posts_fts.rowid WHERE posts_fts MATCH ? ORDER BY score, p.id LIMIT ?",
            (terms, limit),
        )
        return [(pid, title, -score) for pid, title, score in rows.fetchall()]

    def close(self) -> None:
        self.db.close()
