"""PostgreSQL's statements for :mod:`synth.load.postgres`: the schema, its migrations, the staging
tables and the set-based merge of a batch.

Table and index names are templates (``{posts}``, ``{i_posts_search}``...) that
:meth:`synth.load.tables.Tables.sql` fills in (``--table-prefix``, ``--schema``).
"""

from __future__ import annotations

from typing import Final

from synth.load.backend import LAYOUT_VERSION
from synth.load.changes import CHILDREN
from synth.load.rows import COLUMNS
from synth.load.tables import COMMON_INDEXES

__all__ = [
    "CHECKPOINT",
    "CHILD_COLUMNS",
    "CHILD_MERGE",
    "COLUMNS_OF",
    "INDEXES",
    "INDEX_MEMORY",
    "MERGE",
    "MIGRATE_1",
    "MIGRATE_2",
    "REDIGEST",
    "REJECT",
    "SCHEMA",
    "STAGING",
    "STALE",
    "STORED",
]

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
CREATE TABLE IF NOT EXISTS {{synth_meta}} (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS {{posts}} (
    {_POST_COLUMNS},
    line_digest text,
    imported_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', intro), 'B')
        || setweight(to_tsvector('simple', body), 'C')
    ) STORED
);
CREATE TABLE IF NOT EXISTS {{post_tools}} (
    post_id text NOT NULL, position integer NOT NULL, tool text NOT NULL, PRIMARY KEY (post_id, position));
CREATE TABLE IF NOT EXISTS {{post_entities}} (
    post_id text NOT NULL, position integer NOT NULL, name text NOT NULL, type text NOT NULL,
    PRIMARY KEY (post_id, position));
CREATE TABLE IF NOT EXISTS {{post_links}} (
    post_id text NOT NULL, position integer NOT NULL, target_id text NOT NULL, PRIMARY KEY (post_id, position));
CREATE TABLE IF NOT EXISTS {{synth_checkpoints}} (
    source text PRIMARY KEY, line bigint NOT NULL, inserted bigint NOT NULL, updated bigint NOT NULL,
    unchanged bigint NOT NULL, rejected bigint NOT NULL, record bigint);
CREATE TABLE IF NOT EXISTS {{synth_rejects}} (
    source text NOT NULL, line bigint NOT NULL, "offset" bigint NOT NULL, raw bytea NOT NULL, findings text NOT NULL,
    record bigint NOT NULL, reported text, current boolean NOT NULL DEFAULT true, PRIMARY KEY (source, record));
INSERT INTO {{synth_meta}} (key, value) VALUES ('layout_version', '{LAYOUT_VERSION}') ON CONFLICT DO NOTHING
"""
# Layout 1 -> 2 (under the DDL lock, in one transaction): checkpoints gain the record (NULL: a layout-1
# checkpoint, which the importer does not trust and restarts); rejects are keyed by record, kept
# in NUL-safe types, and those of finished sources count as reported ('': to a file of layout 1's).
MIGRATE_1: Final = (
    "ALTER TABLE {synth_checkpoints} ADD COLUMN record bigint",
    "ALTER TABLE {synth_rejects} ADD COLUMN record bigint",
    "UPDATE {synth_rejects} SET record = line",
    "ALTER TABLE {synth_rejects} ALTER COLUMN record SET NOT NULL",
    "ALTER TABLE {synth_rejects} ALTER COLUMN raw TYPE bytea USING convert_to(raw, 'UTF8')",
    "ALTER TABLE {synth_rejects} ALTER COLUMN findings TYPE text USING findings::text",
    "ALTER TABLE {synth_rejects} ADD COLUMN reported text",
    "UPDATE {synth_rejects} SET reported = '' WHERE source NOT IN (SELECT source FROM {synth_checkpoints})",
    "ALTER TABLE {synth_rejects} ADD COLUMN current boolean NOT NULL DEFAULT true",
    "ALTER TABLE {synth_rejects} DROP CONSTRAINT {i_synth_rejects_pkey}",
    "ALTER TABLE {synth_rejects} ADD PRIMARY KEY (source, record)",
    "UPDATE {synth_meta} SET value = '2' WHERE key = 'layout_version'",
)
# Layout 2 -> 3: posts keep their line's digest (NULL for those imported before: checked in full once).
MIGRATE_2: Final = (
    "ALTER TABLE {posts} ADD COLUMN IF NOT EXISTS line_digest text",
    "UPDATE {synth_meta} SET value = '3' WHERE key = 'layout_version'",
)
# The indexes besides the primary keys: a fresh load builds them at the end, as pg_restore does.
INDEXES: Final = (
    ("posts_search", "CREATE INDEX IF NOT EXISTS {i_posts_search} ON {posts} USING gin (search)"),
    *COMMON_INDEXES,
)
INDEX_MEMORY: Final = "SET LOCAL maintenance_work_mem = '256MB'"
STORED: Final = "SELECT id, line_digest, last_reviewed::text FROM {posts} WHERE id = ANY(%s)"
STALE: Final = (  # only the few that differ come back
    "SELECT k.id FROM unnest(%s::text[], %s::text[]) AS k (id, digest) "
    "LEFT JOIN {posts} p ON p.id = k.id AND p.line_digest = k.digest WHERE p.id IS NULL"
)
REDIGEST: Final = (
    "UPDATE {posts} p SET line_digest = s.line_digest FROM stage_keys s "
    "WHERE p.id = s.id AND p.content_hash = s.content_hash AND s.line_digest IS NOT NULL "
    "AND p.line_digest IS DISTINCT FROM s.line_digest"
)
STAGING: Final = """
CREATE TEMP TABLE IF NOT EXISTS stage_posts (LIKE {posts} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_tools (LIKE {post_tools}) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_entities (LIKE {post_entities}) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_links (LIKE {post_links}) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_changed (id text PRIMARY KEY, inserted boolean NOT NULL) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_keys (id text PRIMARY KEY, content_hash text NOT NULL, line_digest text)
    ON COMMIT DELETE ROWS
"""
# PostRows attribute -> (child table, its columns for COPY)
CHILD_COLUMNS: Final = {attr: (table, ", ".join(("post_id", *columns))) for table, (attr, columns) in CHILDREN.items()}
# A changed post's child rows are replaced only where they differ (synth.load.changes): its stored rows
# that the batch does not have go, the batch's rows not stored come in (every child column is NOT NULL).
# The changed ids are looked up through the primary key (`= ANY(ARRAY(...))`): joined to the staging
# table, whose size the planner cannot know, they made it scan the whole child table every batch.
CHILD_MERGE: Final = tuple(
    (
        f"DELETE FROM {{{table}}} t WHERE t.post_id = ANY(ARRAY(SELECT id FROM stage_changed)) "
        f"AND ({', '.join(f't.{c}' for c in columns.split(', '))}) NOT IN (SELECT {columns} FROM stage_{attr})",
        f"INSERT INTO {{{table}}} ({columns}) SELECT {columns} FROM stage_{attr} s "
        "WHERE s.post_id IN (SELECT id FROM stage_changed) AND NOT EXISTS "
        f"(SELECT 1 FROM {{{table}}} t WHERE t.post_id = s.post_id AND t.position = s.position) "
        "ON CONFLICT (post_id, position) DO NOTHING",
    )
    for attr, (table, columns) in CHILD_COLUMNS.items()
)
MERGE: Final = f"""
WITH upserted AS (
    INSERT INTO {{posts}} AS p ({", ".join(COLUMNS)}, line_digest)
    SELECT {", ".join(COLUMNS)}, line_digest FROM stage_posts
    ON CONFLICT (id) DO UPDATE SET {", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:])},
    line_digest = EXCLUDED.line_digest, updated_at = now()
    WHERE p.content_hash IS DISTINCT FROM EXCLUDED.content_hash
    RETURNING p.id, (p.xmax = 0) AS inserted
)
INSERT INTO stage_changed SELECT id, inserted FROM upserted
"""
# A reject already written to a file keeps its mark when the same source rejects it alike again.
REJECT: Final = (
    'INSERT INTO {synth_rejects} AS r (source, record, line, "offset", raw, findings) '
    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (source, record) DO UPDATE SET "
    'line = EXCLUDED.line, "offset" = EXCLUDED."offset", raw = EXCLUDED.raw, findings = EXCLUDED.findings, '
    "reported = CASE WHEN r.raw = EXCLUDED.raw AND r.findings = EXCLUDED.findings THEN r.reported END, "
    "current = true"
)
COLUMNS_OF: Final = """
SELECT c.relname, array_agg(a.attname::text) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = coalesce(%s, current_schema()) AND c.relname = ANY(%s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
GROUP BY c.relname
"""
CHECKPOINT: Final = (
    "INSERT INTO {synth_checkpoints} (source, record, line, inserted, updated, unchanged, rejected) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (source) DO UPDATE "
    "SET record = EXCLUDED.record, line = EXCLUDED.line, inserted = EXCLUDED.inserted, "
    "updated = EXCLUDED.updated, unchanged = EXCLUDED.unchanged, rejected = EXCLUDED.rejected"
)
