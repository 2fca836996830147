"""SQLite's statements for :mod:`synth.load.sqlite`: the schema, its migrations and the statements of a load.

Table and index names are templates (``{posts}``, ``{i_posts_keys}``...) that
:meth:`synth.load.tables.Tables.sql` fills in (``--table-prefix``).
"""

from __future__ import annotations

from typing import Final

from synth.load.backend import LAYOUT_VERSION
from synth.load.changes import CHILDREN, TEXT
from synth.load.rows import COLUMNS
from synth.load.tables import COMMON_INDEXES

__all__ = [
    "BY_KEYS",
    "CHECKPOINT",
    "CHILD_SQL",
    "HASHES",
    "HASHSIZE",
    "INDEXES",
    "INDEX_BATCH",
    "INSERT",
    "KEEP_OLD_TEXT",
    "KNOWN",
    "MIGRATE_1",
    "MIGRATE_2",
    "REBUILD",
    "REDIGEST",
    "REJECT",
    "REJECTS_TABLE",
    "SCHEMA",
    "SEARCH",
    "STALE",
    "TEMP_TABLES",
    "TEXTS",
    "UPDATE",
]

REJECTS_TABLE: Final = """(
    source TEXT NOT NULL, record INTEGER NOT NULL, line INTEGER NOT NULL, "offset" INTEGER NOT NULL,
    raw TEXT NOT NULL, findings TEXT NOT NULL, reported TEXT, current INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (source, record)
)"""
SCHEMA: Final = f"""
CREATE TABLE IF NOT EXISTS {{synth_meta}} (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS {{posts}} (
    id TEXT PRIMARY KEY NOT NULL, number INTEGER NOT NULL, title TEXT NOT NULL, intro TEXT NOT NULL,
    body TEXT NOT NULL, topic TEXT NOT NULL, problem TEXT NOT NULL, stack TEXT NOT NULL, area TEXT,
    code_language TEXT NOT NULL, difficulty TEXT NOT NULL, reading_time INTEGER NOT NULL,
    view_count INTEGER NOT NULL, quality INTEGER NOT NULL, freshness INTEGER NOT NULL, depth INTEGER NOT NULL,
    clarity INTEGER NOT NULL, status TEXT NOT NULL, version TEXT NOT NULL, last_reviewed TEXT NOT NULL,
    reference TEXT NOT NULL, content_hash TEXT NOT NULL, ai_generated_style INTEGER NOT NULL,
    has_images INTEGER NOT NULL, image_heavy INTEGER NOT NULL, needs_human_review INTEGER NOT NULL,
    doc TEXT NOT NULL, line_digest TEXT,
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE IF NOT EXISTS {{post_tools}} (
    post_id TEXT NOT NULL, position INTEGER NOT NULL, tool TEXT NOT NULL, PRIMARY KEY (post_id, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS {{post_entities}} (
    post_id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
    PRIMARY KEY (post_id, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS {{post_links}} (
    post_id TEXT NOT NULL, position INTEGER NOT NULL, target_id TEXT NOT NULL, PRIMARY KEY (post_id, position)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS {{posts_fts}} USING fts5 (
    title, intro, body, content='{{n_posts}}', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS {{synth_checkpoints}} (
    source TEXT PRIMARY KEY, line INTEGER NOT NULL, inserted INTEGER NOT NULL, updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL, rejected INTEGER NOT NULL, record INTEGER
);
CREATE TABLE IF NOT EXISTS {{synth_rejects}} {REJECTS_TABLE};
INSERT OR IGNORE INTO {{synth_meta}} (key, value) VALUES ('layout_version', '{LAYOUT_VERSION}')
"""
# The indexes besides the primary keys: a fresh load builds them (and the FTS index) at the end.
# posts_keys covers what re-imports look up by id (hash, line digest, review date), which in the
# table sit behind the long text columns, on overflow pages.
INDEXES: Final = (
    (
        "posts_keys",
        "CREATE INDEX IF NOT EXISTS {i_posts_keys} ON {posts} (id, content_hash, line_digest, last_reviewed)",
    ),
    ("posts_view_count", "CREATE INDEX IF NOT EXISTS {i_posts_view_count} ON {posts} (view_count)"),
    *COMMON_INDEXES,
)
REBUILD: Final = "INSERT INTO {posts_fts} ({n_posts_fts}) VALUES ('rebuild')"
# FTS5 writes out a segment each time its pending terms pass `hashsize` (1 MiB by default), then merges
# the segments: with 16 MiB the rebuild of a fresh load of 20,000 posts took 0.70 s against 1.10-1.51 s
# (and a batch of an incremental import flushes once, not a segment a MiB). Kept in the table's config;
# at most 16 MiB more memory while writing.
HASHSIZE: Final = "INSERT INTO {posts_fts} ({n_posts_fts}, rank) VALUES ('hashsize', 16777216)"
# Layout 1 -> 2, in one transaction: checkpoints gain the record (NULL: a layout-1 checkpoint, which
# the importer does not trust and restarts); rejects are keyed by record, and those of finished
# sources count as reported ('': to a file of layout 1's), so that they are not written again.
MIGRATE_1: Final = (
    "ALTER TABLE {synth_checkpoints} ADD COLUMN record INTEGER",
    "ALTER TABLE {synth_rejects} RENAME TO {n_synth_rejects}_v1",
    "CREATE TABLE {synth_rejects} " + REJECTS_TABLE,
    'INSERT INTO {synth_rejects} (source, record, line, "offset", raw, findings, reported, current) '
    'SELECT source, line, line, "offset", raw, findings, '
    "CASE WHEN source IN (SELECT source FROM {synth_checkpoints}) THEN NULL ELSE '' END, 1 FROM {n_synth_rejects}_v1",
    "DROP TABLE {n_synth_rejects}_v1",
    "UPDATE {synth_meta} SET value = '2' WHERE key = 'layout_version'",
)
# Layout 2 -> 3: posts keep their line's digest (NULL for those imported before: checked in full once).
MIGRATE_2: Final = (
    "ALTER TABLE {posts} ADD COLUMN line_digest TEXT",
    "UPDATE {synth_meta} SET value = '3' WHERE key = 'layout_version'",
)

INSERT: Final = (
    f"INSERT INTO {{posts}} ({', '.join(COLUMNS)}, line_digest) VALUES ({', '.join('?' * (len(COLUMNS) + 1))})"
)
UPDATE: Final = (
    f"UPDATE {{posts}} SET {', '.join(f'{c} = ?' for c in COLUMNS[1:])}, line_digest = ?, "
    "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?"
)
REDIGEST: Final = "UPDATE {posts} SET line_digest = ? WHERE id = ? AND line_digest IS NOT ?"
# Lookups by id, each one row of JSON: sqlite3 lets go of the GIL at every row it steps to, and with the
# importer's reader thread wanting it too, each row of a 2,000-row result waited for the GIL (26 ms a batch).
STALE: Final = (
    "SELECT json_group_array(j.key) FROM json_each(?) AS j "
    "LEFT JOIN {posts} AS p ON p.id = j.key AND p.line_digest = j.value WHERE p.id IS NULL"
)
KNOWN: Final = (
    "SELECT json_group_array(json_array(p.id, p.line_digest, p.last_reviewed)) "
    "FROM json_each(?) AS j CROSS JOIN {posts} AS p ON p.id = j.value"
)
HASHES: Final = (
    "SELECT json_group_object(p.id, p.content_hash) FROM json_each(?) AS j CROSS JOIN {posts} AS p ON p.id = j.value"
)
TEXTS: Final = (
    f"SELECT json_group_object(p.id, json_array({', '.join(f'p.{c}' for c in TEXT)})) "
    "FROM json_each(?) AS j CROSS JOIN {posts} AS p ON p.id = j.value"
)
# They read only columns of posts_keys, but the planner takes the primary key's index (unique) and then
# the row, whose key columns sit behind the text on overflow pages: 2.5-4 times slower.
BY_KEYS: Final = ("{posts} AS p ON", "{posts} AS p INDEXED BY {i_posts_keys} ON")
# temp.batch: the batch's posts whose text is indexed, 'new' or 'changed'; temp.old_text: the text of
# the changed ones before their update, for FTS5's 'delete' (an external content table keeps no copy).
TEMP_TABLES: Final = (
    "CREATE TEMP TABLE IF NOT EXISTS batch (id TEXT PRIMARY KEY, state TEXT NOT NULL)",
    "CREATE TEMP TABLE IF NOT EXISTS old_text (rowid INTEGER PRIMARY KEY, title TEXT, intro TEXT, body TEXT)",
)
KEEP_OLD_TEXT: Final = (
    "INSERT INTO temp.old_text (rowid, title, intro, body) SELECT p.rowid, p.title, p.intro, p.body "
    "FROM temp.batch b CROSS JOIN {posts} p ON p.id = b.id WHERE b.state = 'changed'"
)
# One statement, rowid by rowid: each changed post's old entries out, then its new ones in. FTS5 writes
# its pending terms out as a segment whenever a rowid is lower than the last one it was given, so all
# the removals first and then the additions wrote a segment more a batch: 0.6 against 0.3-0.4 s for
# 2,860 changed posts in ten batches (docs/performance.md).
INDEX_BATCH: Final = (
    "INSERT INTO {posts_fts} ({n_posts_fts}, rowid, title, intro, body) SELECT command, rid, title, intro, body FROM ("
    "SELECT 'delete' AS command, rowid AS rid, title, intro, body, 0 AS step FROM temp.old_text UNION ALL "
    "SELECT NULL, p.rowid, p.title, p.intro, p.body, 1 FROM temp.batch b CROSS JOIN {posts} p ON p.id = b.id"
    ") ORDER BY rid, step"
)
# child table -> (its insert, its stored rows of some posts: post_id -> rows without post_id)
CHILD_SQL: Final = {
    table: (
        f"INSERT INTO {{{table}}} (post_id, {', '.join(columns)}) VALUES ({', '.join('?' * (len(columns) + 1))})",
        f"SELECT json_group_object(post_id, json(rows)) FROM (SELECT post_id, json_group_array(json_array("
        f"{', '.join(columns)})) AS rows FROM {{{table}}} WHERE post_id IN (SELECT value FROM json_each(?)) "
        "GROUP BY post_id)",
    )
    for table, (_, columns) in CHILDREN.items()
}
CHECKPOINT: Final = (
    "INSERT OR REPLACE INTO {synth_checkpoints} (source, record, line, inserted, updated, unchanged, rejected) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# A reject already written to a file keeps its mark when the same source rejects it alike again.
REJECT: Final = (
    'INSERT INTO {synth_rejects} (source, record, line, "offset", raw, findings) VALUES (?, ?, ?, ?, ?, ?) '
    'ON CONFLICT (source, record) DO UPDATE SET line = excluded.line, "offset" = excluded."offset", '
    "reported = CASE WHEN raw = excluded.raw AND findings = excluded.findings THEN reported END, "
    "raw = excluded.raw, findings = excluded.findings, current = 1"
)
SEARCH: Final = (
    "SELECT p.id, p.title, bm25({posts_fts}, 10.0, 4.0, 1.0) AS score FROM {posts_fts} "
    "JOIN {posts} p ON p.rowid = {posts_fts}.rowid WHERE {posts_fts} MATCH ? ORDER BY score, p.id LIMIT ?"
)
