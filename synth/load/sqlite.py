"""SQLite backend: WAL, one transaction a batch, prepared statements, FTS5 with external content.

The FTS5 table indexes ``posts`` (``content='posts'``): a batch adds index entries for new
posts, and for changed posts first removes the old entries (FTS5's ``'delete'`` command with the
old text) then adds the new ones, all inside the batch's transaction. Table names come from
:class:`~synth.load.tables.Tables` (``--table-prefix``). Search opens the file read-only
(``mode=ro``; ``immutable=1`` when even the WAL index cannot be created, as in a read-only
folder) and never changes it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import orjson

from synth.errors import DatabaseError
from synth.load.backend import LAYOUT_VERSION, Checkpoint, Counts, Reject, StaleLines
from synth.load.changes import CHILDREN, Rewrites, rewrites
from synth.load.rows import PostRows
from synth.load.sqlite_sql import (
    BY_KEYS,
    CHECKPOINT,
    CHILD_SQL,
    HASHES,
    HASHSIZE,
    INDEX_BATCH,
    INDEXES,
    INSERT,
    KEEP_OLD_TEXT,
    KNOWN,
    MIGRATE_1,
    MIGRATE_2,
    REBUILD,
    REDIGEST,
    REJECT,
    SCHEMA,
    SEARCH,
    STALE,
    TEMP_TABLES,
    TEXTS,
    UPDATE,
)
from synth.load.tables import BASES, DEFERRED, UNDEFERRED, Tables, check_foreign
from synth.load.walflush import WalFlusher

__all__ = ["SQLiteBackend"]

# Chosen by measurement (docs/performance.md): WAL with synchronous NORMAL keeps every committed batch
# through a crash of the process (a power cut may lose the last ones, never half of one); temporary
# B-trees in memory; an automatic WAL checkpoint every 4,096 pages (64 MiB), a fallback behind the
# checkpoints of synth.load.walflush, which spare the writer the wait. The page cache stays at its
# default (2 MiB): a larger one cost its size in memory and gained nothing measurable. Pages of 16 KiB
# (for a new file only: the page size is fixed once the first table is written) hold a post's row
# (a 4-5 KB document) without overflow pages: a fresh load of 20,000 posts took 8% less than with 4 KiB pages.
PRAGMAS: Final = (
    "PRAGMA page_size = 16384",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA wal_autocheckpoint = 4096",
)


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


def _ids(posts: list[PostRows]) -> str:
    """The posts' ids as a JSON array, for ``json_each(?)``."""
    return orjson.dumps([p.id for p in posts]).decode()


def _read_only(path: str, immutable: bool) -> sqlite3.Connection:
    uri = f"file:{urllib.parse.quote(str(Path(path).absolute()))}?mode=ro{'&immutable=1' if immutable else ''}"
    return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10.0)


class SQLiteBackend:
    """The importer's SQLite side (see :class:`synth.load.backend.Backend`); ``read_only`` for search."""

    copy_text = False

    def __init__(self, path: str, tables: Tables | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.tables = tables or Tables()
        self.read_only = read_only
        self.flusher = WalFlusher(path)  # started by the first batch
        try:
            if read_only:
                self.db = _read_only(path, immutable=False)
            else:
                self.db = sqlite3.connect(path, isolation_level=None, timeout=10.0)
                for pragma in PRAGMAS:
                    self.db.execute(pragma)
        except sqlite3.Error as exc:
            raise _mapped(exc, path) from exc

    def _sql(self, template: str) -> str:
        return self.tables.sql(template)

    def _run(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(self._sql(sql), params)
        except sqlite3.Error as exc:
            raise _mapped(exc, self.path) from exc

    def _json(self, template: str, params: Any) -> Any:
        """The value of a statement that answers one row of JSON."""
        return orjson.loads(self.db.execute(self._sql(template), params).fetchone()[0])

    def _by_keys(self, template: str, params: Any) -> Any:
        """The JSON value of a lookup by id (``{posts} AS p ON ...``), through the covering index
        ``posts_keys``, or without it while it is missing (a fresh load defers it; another process may
        be running one)."""
        try:
            return self._json(template.replace(*BY_KEYS), params)
        except sqlite3.OperationalError as exc:
            if "no such index" not in str(exc):
                raise
        return self._json(template, params)

    def _columns(self) -> dict[str, set[str]]:
        """The columns of each existing table that has one of synth's names."""
        names = [self.tables.name(base) for base in BASES]
        marks = ", ".join("?" * len(names))
        found = self._run(
            f"SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name IN ({marks})", names
        ).fetchall()
        return {name: {row[1] for row in self._run("SELECT * FROM pragma_table_info(?)", (name,))} for (name,) in found}

    @contextlib.contextmanager
    def _immediate(self) -> Iterator[None]:
        """One write transaction: ``BEGIN IMMEDIATE`` .. ``COMMIT``; a driver error rolls it back and is mapped."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            yield
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise _mapped(exc, self.path) from exc

    def _transaction(self, statements: list[str]) -> None:
        with self._immediate():
            for statement in statements:
                self.db.execute(self._sql(statement))

    def prepare(self) -> None:
        check_foreign(self.path, self._columns(), self.tables)
        self._transaction([s for s in SCHEMA.split(";\n") if s.strip()])
        version = int(self._run("SELECT value FROM {synth_meta} WHERE key = 'layout_version'").fetchone()[0])
        if version in (1, 2):
            self._migrate()
            version = int(self._run("SELECT value FROM {synth_meta} WHERE key = 'layout_version'").fetchone()[0])
        if version != LAYOUT_VERSION:
            raise DatabaseError(
                f"{self.path}: tables of layout {version}, this synth writes layout {LAYOUT_VERSION}",
                hint="import into a new database file, or use the synth that wrote it",
            )
        for table in TEMP_TABLES:
            self._run(table)

    def _migrate(self) -> None:
        """Layouts 1 and 2 to 3 in place, once: another process may have done it while this one waited."""
        with self._immediate():
            version = self.db.execute(self._sql("SELECT value FROM {synth_meta} WHERE key = 'layout_version'"))
            found = version.fetchone()[0]
            steps = {"1": MIGRATE_1 + MIGRATE_2, "2": MIGRATE_2}.get(found, ())
            if "line_digest" in self._columns().get(self.tables.name("posts"), set()):
                steps = tuple(s for s in steps if "line_digest" not in s)  # added already
            for statement in steps:
                self.db.execute(self._sql(statement))

    def _deferred(self) -> bool:
        return self.db.execute(self._sql(DEFERRED)).fetchone() is not None

    def begin_load(self) -> bool:
        """Whether the indexes are deferred: yes for an empty ``posts`` (they are dropped now) or when an
        unfinished fresh load deferred them; otherwise they are made sure to exist."""
        with self._immediate():
            empty = self.db.execute(self._sql("SELECT NOT EXISTS (SELECT 1 FROM {posts})")).fetchone()[0]
            deferred = self._deferred() or bool(empty)
            if deferred:
                self.db.execute(self._sql("INSERT OR IGNORE INTO {synth_meta} VALUES ('deferred_indexes', '1')"))
                self.db.execute(self._sql(HASHSIZE))
                for base, _ in INDEXES:
                    self.db.execute(f"DROP INDEX IF EXISTS {self.tables.index(base)}")
            else:
                for _, statement in INDEXES:
                    self.db.execute(self._sql(statement))
        return deferred

    def finish_load(self) -> bool:
        """Build what a fresh load deferred (indexes, the FTS index) in one transaction; then ``optimize``.

        The index sorts spill to temporary files (``temp_store = FILE`` for the build): in memory they
        would hold every key at once, so memory would grow with the database."""
        try:
            self.db.execute("PRAGMA temp_store = FILE")
            self.db.execute("BEGIN IMMEDIATE")
            built = self._deferred()
            if built:
                for _, statement in INDEXES:
                    self.db.execute(self._sql(statement))
                self.db.execute(self._sql(REBUILD))
                self.db.execute(self._sql(UNDEFERRED))
            self.db.execute("COMMIT")
            self.db.execute("PRAGMA temp_store = MEMORY")
            self.db.execute("PRAGMA optimize")
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise _mapped(exc, self.path) from exc
        return built

    def known(self, ids: list[str]) -> dict[str, tuple[str | None, str]]:
        """The stored line digest and review date of each of ``ids`` that is stored."""
        try:
            rows = self._by_keys(KNOWN, (orjson.dumps(ids).decode(),))
        except sqlite3.Error as exc:
            raise _mapped(exc, self.path) from exc
        return {pid: (digest, reviewed) for pid, digest, reviewed in rows}

    def checkpoint(self, source: str) -> Checkpoint | None:
        row = self._run(
            "SELECT record, line, inserted, updated, unchanged, rejected FROM {synth_checkpoints} WHERE source = ?",
            (source,),
        ).fetchone()
        return None if row is None else Checkpoint(row[0], row[1], Counts(*row[2:]))

    def begin_source(self, source: str) -> None:
        """A source read from its start: its earlier rejects stay (reported once) until it finishes."""
        self._run("UPDATE {synth_rejects} SET current = 0 WHERE source = ?", (source,))

    def _classify(self, posts: list[PostRows]) -> tuple[list[PostRows], list[PostRows]]:
        """(new, changed) posts of a batch; the unchanged ones take their line's digest when it differs
        (a post imported from another spelling)."""
        known: dict[str, str] = self._by_keys(HASHES, (_ids(posts),))
        new = [p for p in posts if p.id not in known]
        changed = [p for p in posts if p.id in known and known[p.id] != p.content_hash]
        redigest = [(p.digest, p.id, p.digest) for p in posts if p.digest and known.get(p.id) == p.content_hash]
        self.db.executemany(self._sql(REDIGEST), redigest)
        return new, changed

    def _rewrites(self, changed: list[PostRows]) -> Rewrites:
        """What of the changed posts differs from what is stored (:mod:`synth.load.changes`)."""
        ids = (_ids(changed),)
        texts = self._json(TEXTS, ids) if changed else {}
        children = {table: self._json(stored, ids) if changed else {} for table, (_, stored) in CHILD_SQL.items()}
        return rewrites(changed, texts, children)

    def _merge(self, posts: list[PostRows], deferred: bool) -> tuple[int, int]:
        """Write the new and changed posts, and of the changed ones only the child rows that differ; the
        FTS index too (of new posts and changed text) unless a fresh load defers it."""
        if not posts:
            return 0, 0
        new, changed = self._classify(posts)
        redo = self._rewrites(changed)
        if not deferred:
            self.db.execute("DELETE FROM temp.batch")
            indexed = [(p.id, "new") for p in new] + [(p.id, "changed") for p in redo.text]
            self.db.executemany("INSERT INTO temp.batch (id, state) VALUES (?, ?)", indexed)
            self.db.execute("DELETE FROM temp.old_text")
            self.db.execute(self._sql(KEEP_OLD_TEXT))
        self.db.executemany(self._sql(INSERT), [(*p.post, p.digest) for p in new])
        self.db.executemany(self._sql(UPDATE), [(*p.post[1:], p.digest, p.id) for p in changed])
        if not deferred:
            self.db.execute(self._sql(INDEX_BATCH))
        for table, (insert, _) in CHILD_SQL.items():
            attr, rewritten = CHILDREN[table][0], redo.children[table]
            self.db.executemany(self._sql(f"DELETE FROM {{{table}}} WHERE post_id = ?"), [(p.id,) for p in rewritten])
            self.db.executemany(self._sql(insert), [row for p in new + rewritten for row in getattr(p, attr)])
        return len(new), len(changed)

    def _stale(self, known: dict[str, str]) -> set[str]:
        """The ids of ``known`` whose stored line digest is no longer the one given."""
        if not known:
            return set()
        return set(self._by_keys(STALE, (orjson.dumps(known).decode(),)))

    def write_batch(
        self,
        source: str,
        posts: list[PostRows],
        rejects: list[Reject],
        last: Checkpoint,
        repeated: int,
        known: dict[str, str],
    ) -> Counts:
        self.flusher.start()
        with self._immediate():
            stale = self._stale(known)
            if stale:
                self.db.execute("ROLLBACK")
                raise StaleLines(stale)
            inserted, updated = self._merge(posts, self._deferred())
            unchanged = len(posts) - inserted - updated + repeated + len(known)
            done = Counts(inserted, updated, unchanged, len(rejects))
            self.db.executemany(
                self._sql(REJECT),
                [(source, r.record, r.line, r.offset, r.raw, orjson.dumps(r.findings).decode()) for r in rejects],
            )
            total = Counts(last.counts.inserted, last.counts.updated, last.counts.unchanged, last.counts.rejected)
            total.add(done)
            self.db.execute(
                self._sql(CHECKPOINT),
                (source, last.record, last.line, total.inserted, total.updated, total.unchanged, total.rejected),
            )
        return done

    def finish_source(self, source: str) -> None:
        """The source is done: its checkpoint goes, and so do rejects of records that now passed."""
        with self._immediate():
            self.db.execute(self._sql("DELETE FROM {synth_rejects} WHERE source = ? AND current = 0"), (source,))
            self.db.execute(self._sql("DELETE FROM {synth_checkpoints} WHERE source = ?"), (source,))

    def rejects(self, sources: list[str]) -> Iterator[dict[str, Any]]:
        """The rejects of ``sources`` not yet written to a rejects file, in source and record order."""
        for source in sources:
            rows = self._run(
                'SELECT record, line, "offset", raw, findings FROM {synth_rejects} '
                "WHERE source = ? AND reported IS NULL ORDER BY record",
                (source,),
            )
            file = source.split("|", 1)[0]
            for record, line, offset, raw, findings in rows.fetchall():
                yield {
                    "file": file, "record": record, "line": line, "offset": offset, "raw": raw,
                    "findings": orjson.loads(findings),
                }  # fmt: skip

    def mark_reported(self, sources: list[str], target: str) -> None:
        self.db.executemany(
            self._sql("UPDATE {synth_rejects} SET reported = ? WHERE source = ? AND reported IS NULL"),
            [(target, s) for s in sources],
        )

    def reported_in(self, sources: list[str]) -> list[str]:
        """The files that hold the current rejects of ``sources`` (in the order first written)."""
        files: dict[str, None] = {}
        for source in sources:
            rows = self._run(
                "SELECT reported FROM {synth_rejects} WHERE source = ? AND current = 1 AND reported != '' "
                "GROUP BY reported ORDER BY min(rowid)",
                (source,),
            )
            files.update(dict.fromkeys(r[0] for r in rows.fetchall()))
        return list(files)

    def sync(self, ids: set[str]) -> int:
        with self._immediate():
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS gone (id TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM temp.gone")
            kept = orjson.dumps(sorted(ids)).decode()  # one statement, not a row at a time
            # the posts to delete, found once (a scan of the ids) for the five statements below
            self.db.execute(
                self._sql(
                    "INSERT INTO temp.gone (id) SELECT id FROM {posts} WHERE id NOT IN (SELECT value FROM json_each(?))"
                ),
                (kept,),
            )
            gone = "SELECT id FROM temp.gone"
            self.db.execute(
                self._sql(
                    "INSERT INTO {posts_fts} ({n_posts_fts}, rowid, title, intro, body) SELECT 'delete', rowid, title, "
                    f"intro, body FROM {{posts}} WHERE id IN ({gone})"
                )
            )
            for table in CHILDREN:
                self.db.execute(self._sql(f"DELETE FROM {{{table}}} WHERE post_id IN ({gone})"))
            deleted: int = self.db.execute(self._sql(f"DELETE FROM {{posts}} WHERE id IN ({gone})")).rowcount
        return deleted  # after the commit

    def _searchable(self) -> None:
        if self._deferred():
            raise DatabaseError(
                f"{self.path}: an import into this database has not built its search index yet",
                hint="run the same synth import again: it finishes the load and builds the index",
            )

    def fetch(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        """The rows of one read-only statement (``?`` placeholders): what ``check-index`` asks."""
        return self._run(sql, params).fetchall()

    def search(self, query: str, limit: int) -> list[tuple[str, str, float]]:
        """Every word of ``query`` must match (each quoted, so no FTS5 syntax leaks through); BM25 order."""
        terms = " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
        try:
            self._searchable()
            rows = self.db.execute(self._sql(SEARCH), (terms, limit)).fetchall()
        except sqlite3.OperationalError as exc:
            if not (self.read_only and ("readonly" in str(exc) or "unable to open" in str(exc))):
                raise _mapped(exc, self.path) from exc
            self.db.close()  # a read-only folder: no WAL index can be made, so read the file as it is
            try:
                self.db = _read_only(self.path, immutable=True)
                self._searchable()
                rows = self.db.execute(self._sql(SEARCH), (terms, limit)).fetchall()
            except sqlite3.Error as again:
                raise _mapped(again, self.path) from again
        except sqlite3.Error as exc:
            raise _mapped(exc, self.path) from exc
        return [(pid, title, -score) for pid, title, score in rows]

    def close(self) -> None:
        self.flusher.stop()
        self.db.close()
