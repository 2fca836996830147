"""Opening a database by URL: the SQLite or the PostgreSQL backend, with the names of synth's tables."""

from __future__ import annotations

import re
from typing import Final

from synth.errors import UsageError
from synth.load.backend import Backend, is_postgres, redacted
from synth.load.tables import Tables

__all__ = ["check_url", "connect", "lookup", "sqlite_path"]

# A libpq key/value connection string ("host=... password=..."), which --db does not take.
_CONNINFO: Final = re.compile(r"^\s*(host|hostaddr|port|dbname|user|password|service|sslmode)\s*=", re.IGNORECASE)


def sqlite_path(db: str) -> str:
    """The file of a SQLite ``--db`` (``sqlite:///path`` or a path)."""
    return db.removeprefix("sqlite:///")


def check_url(db: str, tables: Tables | None = None) -> None:
    """Refuse, without connecting, a ``--db`` that no backend takes (or a schema for SQLite)."""
    if is_postgres(db):
        return
    if tables is not None and tables.schema is not None:
        raise UsageError(
            "schema is for PostgreSQL databases",
            hint="use --table-prefix to keep synth's tables apart in SQLite",
            parameter="schema",
        )
    if "://" in sqlite_path(db):
        raise UsageError(
            f"unsupported database URL {redacted(db)!r}", hint="use a SQLite file path or postgresql://..."
        )
    if _CONNINFO.match(db):
        raise UsageError(
            "--db takes a postgresql:// URL, not a key=value connection string",
            hint="write it as postgresql://user:password@host:port/database",
        )


def connect(db: str, tables: Tables | None = None, *, read_only: bool = False) -> Backend:
    """The backend of a database URL: ``postgresql://...`` or a SQLite file (``sqlite:///path`` or a path).

    ``tables`` names synth's tables (prefix, PostgreSQL schema); ``read_only`` opens a SQLite file
    without changing it (search).
    """
    tables = tables or Tables()
    check_url(db, tables)
    if is_postgres(db):
        from synth.load.postgres import PostgresBackend  # noqa: PLC0415 - optional dependency

        return PostgresBackend(db, tables)
    from synth.load.sqlite import SQLiteBackend  # noqa: PLC0415

    return SQLiteBackend(sqlite_path(db), tables, read_only=read_only)


def lookup(db: str, tables: Tables | None = None) -> Backend:
    """A second connection, for the importer's reader to look up stored line digests (read-only in SQLite)."""
    return connect(db, tables, read_only=True)
