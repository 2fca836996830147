"""PostgreSQL backend (extra ``postgres``, psycopg 3): COPY into staging tables, set-based merge.

Each batch is copied (``COPY ... FROM STDIN``) into temporary staging tables, then merged in
one statement: ``INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE the content hash differs``,
whose ``RETURNING`` tells inserted from updated rows; child rows are replaced for exactly
those posts. The full-text index is a generated ``tsvector`` column (``simple`` configuration:
no stemming, so every language tokenizes alike) with a GIN index. Batch, rejects and
checkpoint commit together. Table names come from :class:`~synth.load.tables.Tables`
(``--schema``, ``--table-prefix``).

PostgreSQL's ``text`` cannot hold the character NUL and its ``jsonb`` refuses the escape
``\\u0000``, so a rejected record (which may hold anything) is kept losslessly in types that
can: ``synth_rejects.raw`` is ``bytea`` (the UTF-8 bytes of the raw line, NUL included) and
``synth_rejects.findings`` is ``text`` holding the findings' JSON exactly as SQLite keeps it
(a NUL in a message, id or path is the six characters ``\\u0000`` there; ``findings::jsonb``
works for every row without one). Valid posts cannot contain NUL (the schema's patterns
exclude it), so ``posts.doc`` stays ``jsonb``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import orjson

from synth.errors import DatabaseError, UsageError
from synth.load.backend import LAYOUT_VERSION, Checkpoint, Counts, Reject, StaleLines, address, redacted, scrubbed
from synth.load.postgres_sql import (
    CHECKPOINT,
    CHILD_COLUMNS,
    CHILD_MERGE,
    COLUMNS_OF,
    INDEX_MEMORY,
    INDEXES,
    MERGE,
    MIGRATE_1,
    MIGRATE_2,
    REDIGEST,
    REJECT,
    SCHEMA,
    STAGING,
    STALE,
    STORED,
)
from synth.load.rows import COLUMNS, PostRows
from synth.load.tables import BASES, DEFERRED, UNDEFERRED, Tables, check_foreign

try:
    import psycopg
except ImportError:  # pragma: no cover - depends on the installed extras
    psycopg = None  # type: ignore[assignment]

__all__ = ["PostgresBackend"]

_RESOLVE: Final = (
    "could not translate host name", "Name or service not known", "failed to resolve host", "nodename nor servname",
    "Temporary failure in name resolution", "No address associated with hostname",
)  # fmt: skip
_PORT: Final = ("invalid port number", 'for connection option "port"')
_UNREACHABLE: Final = ("Connection refused", "timeout expired", "could not connect", "No route to host")


def _connection_error(text: str, url: str) -> DatabaseError | None:
    """DNS, port and reachability errors, naming the host and port to check (not the server log)."""
    where, at = redacted(url), address(url)
    if any(marker in text for marker in _RESOLVE):
        return DatabaseError(
            f"{where}: cannot resolve the host name {at.host!r} ({text})",
            hint=f"check the host name {at.host!r} in --db (and that this machine can resolve it)",
        )
    if any(marker in text for marker in _PORT):
        return DatabaseError(
            f"{where}: the port {at.port!r} is not a port number ({text})",
            hint="check the port in --db: a number from 1 to 65535 after the host (default 5432)",
        )
    if any(marker in text for marker in _UNREACHABLE) or ("connection failed" in text and "FATAL" not in text):
        return DatabaseError(
            f"{where}: cannot connect to {at.host} port {at.port} ({text})",
            hint=f"check that a PostgreSQL server runs on {at.host} and listens on port {at.port}, and the URL",
        )
    return None


_KNOWN: Final = (  # (every marker the driver's text holds, message, hint), first match wins
    (("authentication",), "authentication failed ({text})", "check the user and password in --db"),
    (("password",), "authentication failed ({text})", "check the user and password in --db"),
    (("database", "does not exist"), "{text}", "create the database or fix its name in --db"),
    (("role", "does not exist"), "{text}", "check the user name in --db"),
    (
        ("no schema has been selected",),
        "{text}",
        "create the schema named by the URL's search_path, or name one with --schema",
    ),
    (("lock",), "lock timeout ({text})", "wait for the other session or stop it"),
    (("No space left",), "the disk is full", "free space and run the same command again"),
    (("disk full",), "the disk is full", "free space and run the same command again"),
)


def _mapped(exc: Exception, url: str) -> DatabaseError:
    """A psycopg error as a message that says what to do; the driver's text never shows a password."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text, where = scrubbed(text, url), redacted(url)
    found = _connection_error(text, url)
    if found is not None:
        return found
    for markers, message, hint in _KNOWN:
        if all(marker in text for marker in markers):
            return DatabaseError(f"{where}: {message.format(text=text)}", hint=hint)
    return DatabaseError(f"{where}: {text}", hint="check the server log")


def _reject_row(source: str, r: Reject) -> tuple[Any, ...]:
    return source, r.record, r.line, r.offset, r.raw.encode("utf-8", "surrogatepass"), orjson.dumps(r.findings).decode()


class PostgresBackend:
    """The importer's PostgreSQL side (see :class:`synth.load.backend.Backend`)."""

    copy_text = True

    def __init__(self, url: str, tables: Tables | None = None) -> None:
        if psycopg is None:
            raise UsageError("PostgreSQL needs psycopg", hint="pip install 'alphanode-synth[postgres]'")
        self.url = url
        self.tables = tables or Tables()
        try:
            self.db = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise _mapped(exc, url) from exc

    def _sql(self, template: str) -> bytes:
        return self.tables.sql(template).encode()

    def _run(self, sql: str, params: Any = None) -> Any:
        try:
            return self.db.execute(self._sql(sql), params)
        except psycopg.Error as exc:
            raise _mapped(exc, self.url) from exc

    def _columns(self) -> dict[str, set[str]]:
        names = [self.tables.name(base) for base in BASES if base != "posts_fts"]
        rows = self._run(COLUMNS_OF, (self.tables.schema, names)).fetchall()
        return {name: set(columns) for name, columns in rows}

    def _version(self) -> int:
        return int(self._run("SELECT value FROM {synth_meta} WHERE key = 'layout_version'").fetchone()[0])

    def prepare(self) -> None:
        with self.db.transaction():
            self._run("SELECT pg_advisory_xact_lock(20261129)")  # two first imports must not race on DDL
            check_foreign(redacted(self.url), self._columns(), self.tables)
            if self.tables.schema:
                self._run(f'CREATE SCHEMA IF NOT EXISTS "{self.tables.schema}"')
            for statement in SCHEMA.split(";\n"):
                if statement.strip():
                    self._run(statement)
            if self._version() == 1:
                for statement in MIGRATE_1:
                    self._run(statement)
            if self._version() == 2:
                for statement in MIGRATE_2:
                    self._run(statement)
        for statement in STAGING.split(";\n"):
            self._run(statement)
        version = self._version()
        if version != LAYOUT_VERSION:
            raise DatabaseError(
                f"{redacted(self.url)}: tables of layout {version}, this synth writes layout {LAYOUT_VERSION}",
                hint="import into a new database or schema, or use the synth that wrote it",
            )

    def checkpoint(self, source: str) -> Checkpoint | None:
        row = self._run(
            "SELECT record, line, inserted, updated, unchanged, rejected FROM {synth_checkpoints} WHERE source = %s",
            (source,),
        ).fetchone()
        return None if row is None else Checkpoint(row[0], row[1], Counts(*row[2:]))

    def begin_source(self, source: str) -> None:
        """A source read from its start: its earlier rejects stay (reported once) until it finishes."""
        self._run("UPDATE {synth_rejects} SET current = false WHERE source = %s", (source,))

    def _copy(self, cur: Any, posts: list[PostRows], tables: tuple[str, str, str, str]) -> None:
        """COPY the rows of ``posts`` into ``tables`` (posts, tools, entities, links), as COPY text when given."""
        with cur.copy(f"COPY {tables[0]} ({', '.join(COLUMNS)}, line_digest) FROM STDIN".encode()) as copy:
            for post in posts:
                if post.copy is None:
                    copy.write_row((*post.post, post.digest))
                else:
                    digest = b"\\N" if post.digest is None else post.digest.encode()
                    copy.write(post.copy.post[:-1] + b"\t" + digest + b"\n")
        for attr, table in zip(("tools", "entities", "links"), tables[1:], strict=True):
            with cur.copy(f"COPY {table} ({CHILD_COLUMNS[attr][1]}) FROM STDIN".encode()) as copy:
                for post in posts:
                    if post.copy is None:
                        for row in getattr(post, attr):
                            copy.write_row(row)
                    else:
                        copy.write(getattr(post.copy, attr))

    def _stage(self, posts: list[PostRows]) -> None:
        with self.db.cursor() as cur:
            self._copy(cur, posts, ("stage_posts", "stage_tools", "stage_entities", "stage_links"))

    def _direct(self, posts: list[PostRows]) -> bool:
        """A fresh load: COPY straight into the tables (in a savepoint); False when an id is stored already."""
        names = tuple(self.tables.ref(base) for base in ("posts", "post_tools", "post_entities", "post_links"))
        try:
            with self.db.transaction(), self.db.cursor() as cur:
                self._copy(cur, posts, (names[0], names[1], names[2], names[3]))
        except psycopg.errors.UniqueViolation:
            return False
        return True

    def _changed(self, posts: list[PostRows]) -> set[str]:
        """Ids of the batch that are new or whose content hash differs (only their rows are copied); the
        unchanged ones take their line's digest when it differs (a post imported from another spelling)."""
        with self.db.cursor() as cur:
            with cur.copy(b"COPY stage_keys (id, content_hash, line_digest) FROM STDIN") as copy:
                for post in posts:
                    copy.write_row((post.id, post.content_hash, post.digest))
            cur.execute(
                self._sql(
                    "SELECT k.id FROM stage_keys k LEFT JOIN {posts} p ON p.id = k.id "
                    "WHERE p.id IS NULL OR p.content_hash <> k.content_hash"
                )
            )
            wanted = {row[0] for row in cur.fetchall()}
            cur.execute(self._sql(REDIGEST))
            return wanted

    def _merge(self, posts: list[PostRows], deferred: bool) -> tuple[int, int]:
        if deferred and posts and self._direct(posts):
            return len(posts), 0
        wanted = self._changed(posts)
        if not wanted:
            return 0, 0
        self._stage([p for p in posts if p.id in wanted])
        self._run(MERGE)
        for delete, insert in CHILD_MERGE:
            self._run(delete)
            self._run(insert)
        inserted, changed = self._run("SELECT count(*) FILTER (WHERE inserted), count(*) FROM stage_changed").fetchone()
        return int(inserted), int(changed) - int(inserted)

    def _stale(self, known: dict[str, str]) -> set[str]:
        """The ids of ``known`` whose stored line digest is no longer the one given."""
        if not known:
            return set()
        ids = list(known)
        return {row[0] for row in self._run(STALE, (ids, [known[i] for i in ids])).fetchall()}

    def write_batch(
        self,
        source: str,
        posts: list[PostRows],
        rejects: list[Reject],
        last: Checkpoint,
        repeated: int,
        known: dict[str, str],
    ) -> Counts:
        try:
            with self.db.transaction():
                stale = self._stale(known)
                if stale:
                    raise StaleLines(stale)  # rolls the transaction back
                inserted, updated = self._merge(posts, self._run(DEFERRED).fetchone() is not None)
                unchanged = len(posts) - inserted - updated + repeated + len(known)
                done = Counts(inserted, updated, unchanged, len(rejects))
                with self.db.cursor() as cur:
                    cur.executemany(
                        self._sql(REJECT),
                        [_reject_row(source, r) for r in rejects],
                    )
                total = Counts(last.counts.inserted, last.counts.updated, last.counts.unchanged, last.counts.rejected)
                total.add(done)
                self._run(
                    CHECKPOINT,
                    (source, last.record, last.line, total.inserted, total.updated, total.unchanged, total.rejected),
                )
        except psycopg.Error as exc:
            raise _mapped(exc, self.url) from exc
        return done

    def begin_load(self) -> bool:
        """Whether the indexes are deferred: yes for an empty ``posts`` (they are dropped now) or when an
        unfinished fresh load deferred them; otherwise they are made sure to exist."""
        try:
            with self.db.transaction():
                self._run("SELECT pg_advisory_xact_lock(20261129)")
                empty = self._run("SELECT NOT EXISTS (SELECT 1 FROM {posts})").fetchone()[0]
                deferred = self._run(DEFERRED).fetchone() is not None or bool(empty)
                if deferred:
                    self._run("INSERT INTO {synth_meta} VALUES ('deferred_indexes', '1') ON CONFLICT DO NOTHING")
                    for base, _ in INDEXES:
                        self._run(f"DROP INDEX IF EXISTS {self.tables.ref(base)}")
                else:
                    for _, statement in INDEXES:
                        self._run(statement)
        except psycopg.Error as exc:
            raise _mapped(exc, self.url) from exc
        return deferred

    def finish_load(self) -> bool:
        """Build the indexes a fresh load deferred, in one transaction with the end of the deferral."""
        try:
            with self.db.transaction():
                self._run("SELECT pg_advisory_xact_lock(20261129)")
                if self._run(DEFERRED).fetchone() is None:
                    return False
                self._run(INDEX_MEMORY)
                for _, statement in INDEXES:
                    self._run(statement)
                self._run(UNDEFERRED)
        except psycopg.Error as exc:
            raise _mapped(exc, self.url) from exc
        return True

    def known(self, ids: list[str]) -> dict[str, tuple[str | None, str]]:
        """The stored line digest and review date of each of ``ids`` that is stored."""
        rows = self._run(STORED, (ids,)).fetchall()
        return {pid: (digest, reviewed) for pid, digest, reviewed in rows}

    def finish_source(self, source: str) -> None:
        """The source is done: its checkpoint goes, and so do rejects of records that now passed."""
        with self.db.transaction():
            self._run("DELETE FROM {synth_rejects} WHERE source = %s AND NOT current", (source,))
            self._run("DELETE FROM {synth_checkpoints} WHERE source = %s", (source,))

    def rejects(self, sources: list[str]) -> Iterator[dict[str, Any]]:
        """The rejects of ``sources`` not yet written to a rejects file, in source and record order."""
        rows = self._run(
            'SELECT source, record, line, "offset", raw, findings FROM {synth_rejects} '
            "WHERE source = ANY(%s) AND reported IS NULL ORDER BY array_position(%s, source), record",
            (sources, sources),
        ).fetchall()
        for source, record, line, offset, raw, findings in rows:
            yield {
                "file": source.split("|", 1)[0], "record": record, "line": line, "offset": offset,
                "raw": bytes(raw).decode("utf-8", "surrogatepass"), "findings": orjson.loads(findings),
            }  # fmt: skip

    def mark_reported(self, sources: list[str], target: str) -> None:
        self._run(
            "UPDATE {synth_rejects} SET reported = %s WHERE source = ANY(%s) AND reported IS NULL", (target, sources)
        )

    def reported_in(self, sources: list[str]) -> list[str]:
        """The files that hold the current rejects of ``sources`` (in the order of ``sources``, then name)."""
        rows = self._run(
            "SELECT reported FROM {synth_rejects} WHERE source = ANY(%s) AND current AND reported <> '' "
            "GROUP BY reported ORDER BY min(array_position(%s, source)), reported",
            (sources, sources),
        ).fetchall()
        return [row[0] for row in rows]

    def sync(self, ids: set[str]) -> int:
        try:
            with self.db.transaction(), self.db.cursor() as cur:
                cur.execute(b"CREATE TEMP TABLE IF NOT EXISTS keep (id text PRIMARY KEY) ON COMMIT DELETE ROWS")
                with cur.copy(b"COPY keep (id) FROM STDIN") as copy:
                    for pid in ids:
                        copy.write_row((pid,))
                gone = "SELECT id FROM {posts} WHERE id NOT IN (SELECT id FROM keep)"
                for table, _ in CHILD_COLUMNS.values():
                    cur.execute(self._sql(f"DELETE FROM {{{table}}} WHERE post_id IN ({gone})"))
                cur.execute(self._sql(f"DELETE FROM {{posts}} WHERE id IN ({gone})"))
                return int(cur.rowcount)
        except psycopg.Error as exc:
            raise _mapped(exc, self.url) from exc

    def fetch(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        """The rows of one read-only statement (``%s`` placeholders): what ``check-index`` asks."""
        return list(self._run(sql, params).fetchall())

    def search(self, query: str, limit: int) -> list[tuple[str, str, float]]:
        """Every word must match (``plainto_tsquery``, so no query syntax leaks through); ``ts_rank`` order."""
        rows = self._run(
            "SELECT id, title, ts_rank(search, q) AS score FROM {posts}, plainto_tsquery('simple', %s) q "
            "WHERE search @@ q ORDER BY score DESC, id LIMIT %s",
            (query, limit),
        ).fetchall()
        return [(pid, title, float(score)) for pid, title, score in rows]

    def close(self) -> None:
        self.db.close()
