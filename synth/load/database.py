"""Opening a database by URL: the SQLite or the PostgreSQL backend."""

from __future__ import annotations

from synth.errors import UsageError
from synth.load.backend import Backend, is_postgres, redacted

__all__ = ["connect"]


def connect(db: str) -> Backend:
    """The backend of a database URL: ``postgresql://...`` or a SQLite file (``sqlite:///path`` or a path)."""
    if is_postgres(db):
        from synth.load.postgres import PostgresBackend  # noqa: PLC0415 - optional dependency

        return PostgresBackend(db)
    from synth.load.sqlite import SQLiteBackend  # noqa: PLC0415

    path = db.removeprefix("sqlite:///") if db.startswith("sqlite:///") else db
    if "://" in path:
        raise UsageError(
            f"unsupported database URL {redacted(db)!r}", hint="use a SQLite file path or postgresql://..."
        )
    return SQLiteBackend(path)
