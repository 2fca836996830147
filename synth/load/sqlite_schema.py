"""SQLite's tables, full-text table and secondary indexes, as synth creates them (layout 3)."""

from __future__ import annotations

from typing import Final

from synth.load.backend import LAYOUT_VERSION
from synth.load.tables import COMMON_INDEXES

__all__ = ["FTS_COLUMNS", "INDEXES", "REJECTS_COLUMNS", "SCHEMA"]

REJECTS_COLUMNS: Final = """(
    source TEXT NOT NULL, record INTEGER NOT NULL, line INTEGER NOT NULL, "offset" INTEGER NOT NULL,
    raw TEXT NOT NULL, findings TEXT NOT NULL, reported TEXT, current INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (source, record)
)"""
FTS_COLUMNS: Final = (
    "title, intro, body, content='{n_posts}', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'"
)
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
CREATE VIRTUAL TABLE IF NOT EXISTS {{posts_fts}} USING fts5 ({FTS_COLUMNS});
CREATE TABLE IF NOT EXISTS {{synth_checkpoints}} (
    source TEXT PRIMARY KEY, line INTEGER NOT NULL, inserted INTEGER NOT NULL, updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL, rejected INTEGER NOT NULL, record INTEGER
);
CREATE TABLE IF NOT EXISTS {{synth_rejects}} {REJECTS_COLUMNS};
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
