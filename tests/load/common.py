"""Helpers of the load tests: queries on either database, digests of every row, small inputs."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import orjson

from synth.generation.assemble import batch_json, post_dict
from synth.load.importer import ImportOptions, import_validation
from synth.load.rows import COLUMNS
from synth.schema.hash import seal

CHILDREN = ("post_tools", "post_entities", "post_links")


def query(db: str, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (``?`` placeholders for SQLite, ``%s`` for PostgreSQL)."""
    if db.startswith("postgresql://"):
        import psycopg  # noqa: PLC0415

        with psycopg.connect(db) as conn:
            return [tuple(row) for row in conn.execute(sql.encode(), params or None).fetchall()]
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def execute(db: str, *statements: str) -> None:
    """Run DDL/DML on either database, committed."""
    if db.startswith("postgresql://"):
        import psycopg  # noqa: PLC0415

        with psycopg.connect(db, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement.encode())
        return
    with sqlite3.connect(db) as conn:
        for statement in statements:
            conn.execute(statement)


def tables_of(db: str) -> set[str]:
    if db.startswith("postgresql://"):
        return {r[0] for r in query(db, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    return {r[0] for r in query(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def normal(value: Any) -> str:
    """A column value as text, the same for both databases (booleans as 0/1, JSON with sorted keys)."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, dict):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    if isinstance(value, str) and value.startswith("{"):
        return orjson.dumps(orjson.loads(value), option=orjson.OPT_SORT_KEYS).decode()
    return str(value)


def digest(db: str, prefix: str = "") -> str:
    """Every row of every post table (timestamps aside), in key order."""
    h = hashlib.sha256()
    for row in query(db, f"SELECT {', '.join(COLUMNS)} FROM {prefix}posts ORDER BY id"):
        h.update(repr([normal(v) for v in row]).encode())
    for table in CHILDREN:
        for row in query(db, f"SELECT * FROM {prefix}{table} ORDER BY post_id, position"):
            h.update(repr([str(v) for v in row]).encode())
    return h.hexdigest()


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def options(**kw: Any) -> ImportOptions:
    kw.setdefault("validation", import_validation(as_of="2030-01-01"))
    return ImportOptions(**kw)


def broken(index: int, seed: int = 0) -> bytes:
    """A post that fails the schema (its title is empty), as a JSON line."""
    post = post_dict(index, seed=seed)
    post["title"] = ""
    return orjson.dumps(post)


def mixed(count: int, bad: set[int], seed: int = 0) -> list[bytes]:
    """``count`` posts as lines, those at the 0-based positions ``bad`` broken."""
    good = batch_json(0, count, seed=seed)
    return [broken(k, seed) if k in bad else good[k] for k in range(count)]


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def sealed(post: dict[str, Any]) -> bytes:
    post["meta"]["hash"] = "0" * 24
    return seal(post)


def indexes(db: str) -> set[str]:
    """The names of the indexes of synth's tables in ``db``."""
    if db.startswith("postgresql://"):
        rows = query(db, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
    else:
        rows = query(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
    return {name for (name,) in rows}


# The secondary indexes both databases build (besides each one's own on posts).
SECONDARY = {"posts_stack", "post_tools_tool", "post_entities_name", "post_links_target"}


def deferred(db: str) -> bool:
    """Whether a fresh load's indexes are still deferred in ``db``."""
    return bool(query(db, "SELECT count(*) FROM synth_meta WHERE key = 'deferred_indexes'")[0][0])


def fts_intact(db: str) -> None:
    """SQLite: FTS5's own check that the index holds exactly the external content's text."""
    if not db.startswith("postgresql://"):
        with sqlite3.connect(db) as conn:
            conn.execute("INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)")
