"""Ranked full-text search over imported posts (FTS5 in SQLite, ``tsvector`` in PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from synth.errors import DatabaseError, UsageError
from synth.load.backend import is_postgres, redacted
from synth.load.database import connect

__all__ = ["search"]


def search(db: str, query: str, *, limit: int = 10) -> list[tuple[str, str, float]]:
    """Ranked full-text search: (id, title, score) of the best ``limit`` posts, best first."""
    if not query.strip():
        raise UsageError("the search query is empty", hint="pass one or more words")
    shown = redacted(db)
    if not is_postgres(db) and not Path(db.removeprefix("sqlite:///")).exists():
        raise DatabaseError(f"no database at {shown}", hint=f"import posts first: synth import FILE --db {shown}")
    backend = connect(db)
    try:
        return backend.search(query, limit)
    except DatabaseError as exc:
        if "no such table" in exc.message or "does not exist" in exc.message:
            raise DatabaseError(
                f"no imported posts in {shown}", hint=f"import posts first: synth import FILE --db {shown}"
            ) from exc
        raise
    finally:
        backend.close()
