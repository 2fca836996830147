"""The two real tokenizers the workload rule is checked against: SQLite FTS5 and PostgreSQL ``simple``."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any


def sqlite_tokens(texts: Sequence[str]) -> list[list[str]]:
    """The tokens of each text under ``unicode61 remove_diacritics 2``, in position order."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5 (t, tokenize='unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')")
    db.executemany("INSERT INTO f (rowid, t) VALUES (?, ?)", [(i + 1, text) for i, text in enumerate(texts)])
    out: list[list[str]] = [[] for _ in texts]
    for term, doc in db.execute('SELECT term, doc FROM v ORDER BY doc, "offset"'):
        out[doc - 1].append(term)
    db.close()
    return out


def sqlite_query_tokens(db: sqlite3.Connection, key: str) -> list[str]:
    return [row[0] for row in db.execute("SELECT fts5_tokens(?)", (key,))]


def pg_lexemes(conn: Any, texts: Sequence[str]) -> list[list[tuple[int, str]]]:
    """The (position, lexeme) pairs of ``to_tsvector('simple', text)`` of each text, in position order."""
    rows = conn.execute(
        "SELECT t.ord, v.lexeme, v.positions FROM unnest(%s::text[]) WITH ORDINALITY t(txt, ord), "
        "unnest(to_tsvector('simple', t.txt)) v",
        (list(texts),),
    ).fetchall()
    out: list[list[tuple[int, str]]] = [[] for _ in texts]
    for ord_, lexeme, positions in rows:
        out[ord_ - 1] += [(p, lexeme) for p in positions]
    return [sorted(pairs) for pairs in out]


def pg_query_lexemes(conn: Any, keys: Sequence[str]) -> list[list[str]]:
    """What ``plainto_tsquery('simple', key)`` makes of each key (its lexemes, in order)."""
    rows = conn.execute(
        "SELECT t.ord, q.lexeme FROM unnest(%s::text[]) WITH ORDINALITY t(k, ord), "
        "LATERAL unnest(tsvector_to_array(to_tsvector('simple', t.k))) q(lexeme)",
        (list(keys),),
    ).fetchall()
    out: list[list[str]] = [[] for _ in keys]
    for ord_, lexeme in rows:
        out[ord_ - 1].append(lexeme)
    return out
