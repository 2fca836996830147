"""What the importer needs of a database (:class:`Backend`) and the records it passes.

Driver errors are mapped to :class:`~synth.errors.DatabaseError` once, inside each backend
(:mod:`synth.load.sqlite`, :mod:`synth.load.postgres`); URLs in messages go through
:func:`redacted`, so no password is ever shown.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, Protocol

from synth.load.rows import PostRows

__all__ = ["LAYOUT_VERSION", "Backend", "Checkpoint", "Counts", "Reject", "is_postgres", "redacted"]

LAYOUT_VERSION: Final = 1


@dataclass(slots=True)
class Counts:
    """What a batch, a source or a run did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, other: Counts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected

    @property
    def records(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.rejected


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where an unfinished import of a source stopped, and what it had done by then."""

    line: int
    counts: Counts


@dataclass(frozen=True, slots=True)
class Reject:
    """A rejected record, as the dead-letter table keeps it."""

    line: int
    offset: int
    raw: str
    findings: list[dict[str, Any]]


class Backend(Protocol):
    """What the importer needs of a database."""

    def prepare(self) -> None: ...
    def checkpoint(self, source: str) -> Checkpoint | None: ...
    def begin_source(self, source: str) -> None: ...
    def write_batch(
        self, source: str, posts: list[PostRows], rejects: list[Reject], line: int, before: Counts, repeated: int
    ) -> Counts: ...
    def finish_source(self, source: str) -> None: ...
    def rejects(self, sources: list[str]) -> Iterator[dict[str, Any]]: ...
    def sync(self, ids: set[str]) -> int: ...
    def search(self, query: str, limit: int) -> list[tuple[str, str, float]]: ...
    def fetch(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]: ...
    def close(self) -> None: ...


def is_postgres(db: str) -> bool:
    """Whether ``db`` names a PostgreSQL database (a ``postgresql://`` or ``postgres://`` URL)."""
    return db.startswith(("postgresql://", "postgres://"))


def redacted(db: str) -> str:
    """A database URL fit for messages: the password, in the user part or the query, replaced by ``***``."""
    parts = urllib.parse.urlsplit(db)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        if ":" in user:
            user = user.split(":", 1)[0] + ":***"
        netloc = f"{user}@{host}"
    query = "&".join(
        f"{key}=***" if "password" in urllib.parse.unquote_plus(key).lower() else f"{key}={value}" if sep else key
        for key, sep, value in (item.partition("=") for item in parts.query.split("&") if item)
    )
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=query))
