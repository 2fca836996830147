"""What the importer needs of a database (:class:`Backend`), the records it passes, and safe URLs.

Driver errors are mapped to :class:`~synth.errors.DatabaseError` once, inside each backend
(:mod:`synth.load.sqlite`, :mod:`synth.load.postgres`). A URL in a message goes through
:func:`redacted` (the password of the user part and of every query key naming a password
becomes ``***``, and so does its text anywhere else in the URL), and a driver's own text
through :func:`scrubbed` (every spelling of those passwords removed, since drivers echo parts
of the connection string), so no password is ever shown.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, Protocol

from synth.load.rows import PostRows

__all__ = [
    "LAYOUT_VERSION",
    "Address",
    "Backend",
    "Checkpoint",
    "Counts",
    "Reject",
    "StaleLines",
    "address",
    "is_postgres",
    "redacted",
    "scrubbed",
]

# 2: checkpoints and rejects name the record (its ordinal); rejects are written once.
# 3: posts keep the digest of the line they came from (re-imports skip such lines unparsed); a fresh
#    load builds its indexes at the end (synth_meta 'deferred_indexes' while it has not).
LAYOUT_VERSION: Final = 3


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
    """Where an unfinished import of a source stopped: the last record done (its 1-based ordinal
    in the source, ``None`` for a checkpoint of layout 1, which named only a line), its line, and
    what had been done by then."""

    record: int | None
    line: int
    counts: Counts


@dataclass(frozen=True, slots=True)
class Reject:
    """A rejected record, as the dead-letter table keeps it; ``record`` is its ordinal in the source."""

    line: int
    offset: int
    raw: str
    findings: list[dict[str, Any]]
    record: int = 0


class StaleLines(Exception):  # noqa: N818 - not an error: the batch is written again
    """Raised by ``write_batch`` (after rolling back) when stored posts that lines were matched to unparsed
    have changed since: those lines (``ids``) must be checked and the batch written again."""

    def __init__(self, ids: set[str]) -> None:
        super().__init__(f"{len(ids)} stored posts changed")
        self.ids = ids


class Backend(Protocol):
    """What the importer needs of a database.

    ``copy_text``: whether its batches want the rows as COPY text too. ``begin_load`` tells whether
    the indexes are deferred (a fresh load: they are dropped, or were by an unfinished one) and
    ``finish_load`` builds them (once; it returns whether it did). ``known`` gives the stored
    line digest and review date of ids. ``write_batch`` takes ``known`` (id -> line digest of the
    lines matched to a stored post unparsed) and raises :class:`StaleLines` when some no longer match.
    """

    copy_text: bool

    def prepare(self) -> None: ...
    def begin_load(self) -> bool: ...
    def finish_load(self) -> bool: ...
    def known(self, ids: list[str]) -> dict[str, tuple[str | None, str]]: ...
    def checkpoint(self, source: str) -> Checkpoint | None: ...
    def begin_source(self, source: str) -> None: ...
    def write_batch(
        self,
        source: str,
        posts: list[PostRows],
        rejects: list[Reject],
        last: Checkpoint,
        repeated: int,
        known: dict[str, str],
    ) -> Counts: ...
    def finish_source(self, source: str) -> None: ...
    def rejects(self, sources: list[str]) -> Iterator[dict[str, Any]]: ...
    def mark_reported(self, sources: list[str], target: str) -> None: ...
    def reported_in(self, sources: list[str]) -> list[str]: ...
    def sync(self, ids: set[str]) -> int: ...
    def search(self, query: str, limit: int) -> list[tuple[str, str, float]]: ...
    def fetch(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]: ...
    def close(self) -> None: ...


def is_postgres(db: str) -> bool:
    """Whether ``db`` names a PostgreSQL database (a ``postgresql://`` or ``postgres://`` URL)."""
    return db.startswith(("postgresql://", "postgres://"))


@dataclass(frozen=True, slots=True)
class _Parts:
    """A URL cut by hand (``urllib.parse`` raises on some malformed hosts that drivers still echo)."""

    head: str  # scheme://
    user: str
    password: str | None
    host: str  # host[:port], as written
    rest: str  # /path
    query: str
    fragment: str


def _cut(url: str) -> _Parts:
    scheme, sep, tail = url.partition("://")
    head = scheme + sep if sep else ""
    tail = tail if sep else url
    tail, hash_, fragment = tail.partition("#")
    tail, _, query = tail.partition("?")
    slash = tail.find("/")
    netloc, rest = (tail, "") if slash < 0 else (tail[:slash], tail[slash:])
    user, at, host = netloc.rpartition("@")
    if not at:
        return _Parts(head, "", None, netloc, rest, query, fragment if hash_ else "")
    name, colon, password = user.partition(":")
    return _Parts(head, name, password if colon else None, host, rest, query, fragment if hash_ else "")


def _query_items(query: str) -> Iterator[tuple[str, str, str]]:
    """(key, "=" or "", value) of each ``&``-separated query item, as written."""
    for item in query.split("&"):
        if item:
            yield item.partition("=")


def _secret_key(key: str) -> bool:
    return "password" in urllib.parse.unquote_plus(key).lower()


def redacted(db: str) -> str:
    """A database URL fit for messages: the password, in the user part or the query, replaced by ``***``,
    and so is any other part of the URL (user, host, path, query, fragment) where the password's text
    appears too."""
    parts = _cut(db)

    def hide(text: str) -> str:
        return scrubbed(text, db)

    netloc = hide(parts.host)
    if parts.user or parts.password is not None:
        netloc = f"{hide(parts.user)}{':***' if parts.password is not None else ''}@{netloc}"
    query = "&".join(
        f"{hide(key)}=***" if _secret_key(key) else f"{hide(key)}{sep}{hide(value)}"
        for key, sep, value in _query_items(parts.query)
    )
    text = parts.head + netloc + hide(parts.rest) + (f"?{query}" if parts.query else "")
    return text + (f"#{hide(parts.fragment)}" if parts.fragment else "")


def _secrets(db: str) -> list[str]:
    """Every spelling of every password of ``db`` (as written and decoded), longest first."""
    parts = _cut(db)
    found = [parts.password] if parts.password else []
    found += [value for key, _, value in _query_items(parts.query) if _secret_key(key) and value]
    spellings = {s for value in found for s in (value, urllib.parse.unquote(value), urllib.parse.unquote_plus(value))}
    return sorted((s for s in spellings if s), key=len, reverse=True)


def scrubbed(text: str, db: str) -> str:
    """A driver's message with every spelling of the passwords of ``db`` replaced by ``***``."""
    for secret in _secrets(db):
        text = text.replace(secret, "***")
    return text


@dataclass(frozen=True, slots=True)
class Address:
    """Where a PostgreSQL URL points: host, port, database and the search path of its ``options``."""

    host: str
    port: str
    database: str
    search_path: str | None


_SEARCH_PATH: Final = re.compile(r"search_path\s*=\s*([^\s]+)")


def address(db: str) -> Address:
    """The host (``localhost`` when the URL names none), port (5432), database (the user's name, as
    libpq does) and search path of a PostgreSQL URL; never the password."""
    parts = _cut(db)
    host, port = parts.host, ""
    if host.startswith("["):
        end = host.find("]")
        host, port = (host[: end + 1], host[end + 2 :]) if end >= 0 else (host, "")
    elif ":" in host:
        host, _, port = host.rpartition(":")
    database = urllib.parse.unquote(parts.rest.lstrip("/")) or urllib.parse.unquote(parts.user) or "postgres"
    options = [urllib.parse.unquote_plus(v) for k, _, v in _query_items(parts.query) if k == "options"]
    path = next((m.group(1) for text in options if (m := _SEARCH_PATH.search(text))), None)
    return Address(urllib.parse.unquote(host) or "localhost", port or "5432", database, path)
