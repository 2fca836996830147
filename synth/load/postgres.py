"""PostgreSQL backend (extra ``postgres``, psycopg 3): COPY into staging tables, set-based merge.

Each batch is copied (``COPY ... FROM STDIN``) into temporary staging tables, then merged in
one statement: ``INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE the content hash differs``,
whose ``RETURNING`` tells inserted from updated rows; child rows are replaced for exactly
those posts. The full-text index is a generated ``tsvector`` column (``simple`` configuration:
no stemming, so every language tokenizes alike) with a GIN index. Batch, rejects and
checkpoint commit together.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import orjson

from synth.errors import DatabaseError, UsageError
from synth.load.backend import LAYOUT_VERSION, Checkpoint, Counts, Reject, redacted
from synth.load.rows import COLUMNS, PostRows

try:
    import psycopg
except ImportError:  # pragma: no cover - depends on the installed extras
    psycopg = None  # type: ignore[assignment]

__all__ = ["PostgresBackend"]

_TYPES: Final = {
    "number": "bigint", "reading_time": "integer", "view_count": "bigint", "quality": "smallint",
    "freshness": "smallint", "depth": "smallint", "clarity": "smallint", "last_reviewed": "date",
    "ai_generated_style": "boolean", "has_images": "boolean", "image_heavy": "boolean",
    "needs_human_review": "boolean", "doc": "jsonb",
}  # fmt: skip
_POST_COLUMNS: Final = ",\n    ".join(
    f"{c} {_TYPES.get(c, 'text')}{' PRIMARY KEY' if c == 'id' else ' NOT NULL' if c != 'area' else ''}" for c in COLUMNS
)
SCHEMA: Final = f"""
CREATE TABLE IF NOT EXISTS synth_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS posts (
    {_POST_COLUMNS},
    imported_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', intro), 'B')
        || setweight(to_tsvector('simple', body), 'C')
    ) STORED
);
CREATE INDEX IF NOT EXISTS posts_search ON posts USING gin (search);
CREATE INDEX IF NOT EXISTS posts_stack ON posts (stack);
CREATE TABLE IF NOT EXISTS post_tools (
    post_id text NOT NULL, position integer NOT NULL, tool text NOT NULL, PRIMARY KEY (post_id, position));
CREATE INDEX IF NOT EXISTS post_tools_tool ON post_tools (tool);
CREATE TABLE IF NOT EXISTS post_entities (
    post_id text NOT NULL, position integer NOT NULL, name text NOT NULL, type text NOT NULL,
    PRIMARY KEY (post_id, position));
CREATE INDEX IF NOT EXISTS post_entities_name ON post_entities (type, name);
CREATE TABLE IF NOT EXISTS post_links (
    post_id text NOT NULL, position integer NOT NULL, target_id text NOT NULL, PRIMARY KEY (post_id, position));
CREATE INDEX IF NOT EXISTS post_links_target ON post_links (target_id);
CREATE TABLE IF NOT EXISTS synth_checkpoints (
    source text PRIMARY KEY, line bigint NOT NULL, inserted bigint NOT NULL, updated bigint NOT NULL,
    unchanged bigint NOT NULL, rejected bigint NOT NULL);
CREATE TABLE IF NOT EXISTS synth_rejects (
    source text NOT NULL, line bigint NOT NULL, "offset" bigint NOT NULL, raw text NOT NULL, findings jsonb NOT NULL,
    PRIMARY KEY (source, line));
INSERT INTO synth_meta (key, value) VALUES ('layout_version', '{LAYOUT_VERSION}') ON CONFLICT DO NOTHING;
"""
_STAGING: Final = """
CREATE TEMP TABLE IF NOT EXISTS stage_posts (LIKE posts INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_tools (LIKE post_tools) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_entities (LIKE post_entities) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_links (LIKE post_links) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_changed (id text PRIMARY KEY, inserted boolean NOT NULL) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_keys (id text PRIMARY KEY, content_hash text NOT NULL) ON COMMIT DELETE ROWS;
"""
_CHILD_COLUMNS: Final = {
    "tools": ("post_tools", "post_id, position, tool"),
    "entities": ("post_entities", "post_id, position, name, type"),
    "links": ("post_links", "post_id, position, target_id"),
}
_MERGE: Final = f"""
WITH upserted AS (
    INSERT INTO posts AS p ({", ".join(COLUMNS)})
    SELECT {", ".join(COLUMNS)} FROM stage_posts
    ON CONFLICT (id) DO UPDATE SET {", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:])}, updated_at = now()
    WHERE p.content_hash IS DISTINCT FROM EXCLUDED.content_hash
    RETURNING p.id, (p.xmax = 0) AS inserted
)
INSERT INTO stage_changed SELECT id, inserted FROM upserted
"""


def _mapped(exc: Exception, url: str) -> DatabaseError:
    """A psycopg error as a message that says what to do."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    where = redacted(url)
    if "password" in text or "authentication" in text:
        return DatabaseError(f"{where}: authentication failed ({text})", hint="check the user and password in --db")
    if "Connection refused" in text or "could not connect" in text or "connection failed" in text:
        return DatabaseError(f"{where}: cannot connect ({text})", hint="check the server is running and the URL")
    if "does not exist" in text and "database" in text:
        return DatabaseError(f"{where}: {text}", hint="create the database or fix its name in --db")
    if "lock" in text:
        return DatabaseError(f"{where}: lock timeout ({text})", hint="wait for the other session or stop it")
    if "No space left" in text or "disk full" in text:
        return DatabaseError(f"{where}: the disk is full", hint="free space and run the same command again")
    return DatabaseError(f"{where}: {text}", hint="check the server log")


class PostgresBackend:
    """The importer's PostgreSQL side (see :class:`synth.load.backend.Backend`)."""

    def __init__(self, url: str) -> None:
        if psycopg is None:
            raise UsageError("PostgreSQL needs psycopg", hint="pip install 'alphanode-synth[postgres]'")
        self.url = url
        try:
            self.db = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise _mapped(exc, url) from exc

    def _run(self, sql: str, params: Any = None) -> Any:
        try:
            return self.db.execute(sql.encode(), params)
        except psycopg.Error as exc:
            raise _mapped(exc, self.url) from exc

    def prepare(self) -> None:
        with self.db.transaction():
            self._run("SELECT pg_advisory_xact_lock(20261129)")  # two first imports must not race on DDL
            for statement in (SCHEMA + _STAGING).split(";\n"):
                if statement.strip():
                    self._run(statement)
        version = self._run("SELECT value FROM synth_meta WHERE key = 'layout_version'").fetchone()[0]
        if int(version) != LAYOUT_VERSION:
            raise DatabaseError(
                f"tables of layout {version}, this synth writes layout {LAYOUT_VERSION}",
                hint="import into a new database or schema",
            )

    def checkpoint(self, source: str) -> Checkpoint | None:
        row = self._run(
            "SELECT line, inserted, updated, unchanged, rejected FROM synth_checkpoints WHERE source = %s", (source,)
        ).fetchone()
        return None if row is None else Checkpoint(row[0], Counts(*row[1:]))

    def begin_source(self, source: str) -> None:
        self._run("DELETE FROM synth_rejects WHERE source = %s", (source,))

    def _stage(self, posts: list[PostRows]) -> None:
        with self.db.cursor() as cur:
            with cur.copy(f"COPY stage_posts ({', '.join(COLUMNS)}) FROM STDIN".encode()) as copy:
                for post in posts:
                    copy.write_row(post.post)
            for attr, (_, columns) in _CHILD_COLUMNS.items():
                with cur.copy(f"COPY stage_{attr} ({columns}) FROM STDIN".encode()) as copy:
                    for post in posts:
                        for row in getattr(post, attr):
                            copy.write_row(row)

    def _changed(self, posts: list[PostRows]) -> set[str]:
        """Ids of the batch that are new or whose content hash differs (only their rows are copied)."""
        with self.db.cursor() as cur:
            with cur.copy(b"COPY stage_keys (id, content_hash) FROM STDIN") as copy:
                for post in posts:
                    copy.write_row((post.id, post.content_hash))
            cur.execute(
                b"SELECT k.id FROM stage_keys k LEFT JOIN posts p ON p.id = k.id "
                b"WHERE p.id IS NULL OR p.content_hash <> k.content_hash"
            )
            return {row[0] for row in cur.fetchall()}

    def _merge(self, posts: list[PostRows]) -> tuple[int, int]:
        wanted = self._changed(posts)
        if not wanted:
            return 0, 0
        self._stage([p for p in posts if p.id in wanted])
        self._run(_MERGE)
        for attr, (table, columns) in _CHILD_COLUMNS.items():
            self._run(f"DELETE FROM {table} t USING stage_changed c WHERE t.post_id = c.id")
            self._run(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM stage_{attr} s "
                "WHERE s.post_id IN (SELECT id FROM stage_changed)"
            )
        inserted, changed = self._run("SELECT count(*) FILTER (WHERE inserted), count(*) FROM stage_changed").fetchone()
        return int(inserted), int(changed) - int(inserted)

    def write_batch(
        self, source: str, posts: list[PostRows], rejects: list[Reject], line: int, before: Counts, repeated: int
    ) -> Counts:
        try:
            with self.db.transaction():
                inserted, updated = self._merge(posts)
                done = Counts(inserted, updated, len(posts) - inserted - updated + repeated, len(rejects))
                with self.db.cursor() as cur:
                    cur.executemany(
                        b'INSERT INTO synth_rejects (source, line, "offset", raw, findings) '
                        b"VALUES (%s, %s, %s, %s, %s) "
                        b"ON CONFLICT (source, line) DO UPDATE SET raw = EXCLUDED.raw, findings = EXCLUDED.findings",
                        [
                            (
                                source,
                                r.line,
                                r.offset,
                                r.raw.replace("\x00", "\\u0000"),
                                orjson.dumps(r.findings).decode(),
                            )
                            for r in rejects
                        ],
                    )
                total = Counts(before.inserted, before.updated, before.unchanged, before.rejected)
                total.add(done)
                self._run(
                    "INSERT INTO synth_checkpoints VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (source) DO UPDATE "
                    "SET line = EXCLUDED.line, inserted = EXCLUDED.inserted, updated = EXCLUDED.updated, "
                    "unchanged = EXCLUDED.unchanged, rejected = EXCLUDED.rejected",
                    (source, line, total.inserted, total.updated, total.unchanged, total.rejected),
                )
        except psycopg.Error as exc:
            raise _mapped(exc, self.url) from exc
        return done

    def finish_source(self, source: str) -> None:
        self._run("DELETE FROM synth_checkpoints WHERE source = %s", (source,))

    def rejects(self, sources: list[str]) -> Iterator[dict[str, Any]]:
        rows = self._run(
            'SELECT source, line, "offset", raw, findings FROM synth_rejects WHERE source = ANY(%s) '
            "ORDER BY array_position(%s, source), line",
            (sources, sources),
        ).fetchall()
        for source, line, offset, raw, findings in rows:
            yield {"file": source.split("|", 1)[0], "line": line, "offset": offset, "raw": raw, "findings": findings}

    def sync(self, ids: set[str]) -> int:
        try:
            with self.db.transaction(), self.db.cursor() as cur:
                cur.execute(b"CREATE TEMP TABLE IF NOT EXISTS keep (id text PRIMARY KEY) ON COMMIT DELETE ROWS")
                with cur.copy(b"COPY keep (id) FROM STDIN") as copy:
                    for pid in ids:
                        copy.write_row((pid,))
                gone = "SELECT id FROM posts WHERE id NOT IN (SELECT id FROM keep)"
                for table, _ in _CHILD_COLUMNS.values():
                    cur.execute(f"DELETE FROM {table} WHERE post_id IN ({gone})".encode())
                cur.execute(f"DELETE FROM posts WHERE id IN ({gone})".encode())
                return int(cur.rowcount)
        except psycopg.Error as exc:
            raise _mapped(exc, self.url) from exc

    def fetch(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        """The rows of one read-only statement (``%s`` placeholders): what ``check-index`` asks."""
        return list(self._run(sql, params).fetchall())

    def search(self, query: str, limit: int) -> list[tuple[str, str, float]]:
        """Every word must match (``plainto_tsquery``, so no query syntax leaks through); ``ts_rank`` order."""
        rows = self._run(
            "SELECT id, title, ts_rank(search, q) AS score FROM posts, plainto_tsquery('simple', %s) q "
            "WHERE search @@ q ORDER BY score DESC, id LIMIT %s",
            (query, limit),
        ).fetchall()
        return [(pid, title, float(score)) for pid, title, score in rows]

    def close(self) -> None:
        self.db.close()
