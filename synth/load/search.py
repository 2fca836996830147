"""Ranked full-text search over imported posts (FTS5 in SQLite, ``tsvector`` in PostgreSQL).

Every word of the query must match; a SQLite file is opened read-only (it is never changed,
and a read-only file or folder works). The two databases keep the index configurations they
were built with (SQLite ``unicode61 remove_diacritics 2``, PostgreSQL's ``simple``
configuration of the default parser), which tokenize differently:

* **Accents**: SQLite removes diacritics from the text and the query (``ünïcode``, ``café`` and
  ``l'été`` are found by ``unicode``, ``cafe``, ``ete``); PostgreSQL only lower-cases, so a query
  finds a word only with the same accents. Neither folds ``ß`` to ``ss`` or ligatures
  (``ﬁ``), splits CJK runs into words, or splits ``CamelCase``; both lower-case (``İ`` too).
* **Apostrophes and hyphens** split words in both (``it's`` is ``it`` + ``s``, ``’`` as ``'``),
  but a query word that splits is a *phrase* in SQLite (the parts next to each other, in order)
  and an AND of the parts anywhere in the post in PostgreSQL (``it's`` finds "it works, Bob's"
  there). PostgreSQL also indexes a hyphenated word whole and requires it: ``e-mail`` does not
  find "e mail" there.
* **Addresses, paths and numbers**: PostgreSQL's parser keeps an e-mail address, a host name, a
  file path, a decimal number and a version as one token, so their parts are not found
  (``example`` does not find ``foo@example.com``, ``3`` does not find ``3.14``); SQLite splits at
  every character that is not a letter or digit. ``_`` and ``+`` separate words in both.
* **Superscripts**: SQLite counts ``²`` as a letter (``x²`` is one token), PostgreSQL splits it.

Exactly which words match (each row is checked on both databases by
``tests/load/test_search.py``; "query" is one word of a query):

===============  ===============  ======  ==========
text in a post   query            SQLite  PostgreSQL
===============  ===============  ======  ==========
ünïcode          ünïcode          yes     yes
ünïcode          unicode          yes     no
café             cafe             yes     no
Straße           strasse          no      no
İstanbul         istanbul         yes     yes
it's             it's             yes     yes
it's             its              no      no
it's             s                yes     yes
it works, Bob's  it's             no      yes
don't            dont             no      no
l'été            ete              yes     no
o’clock          o'clock          yes     yes
e-mail           e-mail           yes     yes
e-mail           email            no      no
e-mail           mail             yes     yes
e mail           e-mail           yes     no
half-baked       half             yes     yes
foo@example.com  example          yes     no
foo@example.com  foo@example.com  yes     yes
www.example.org  example          yes     no
/usr/local/bin   usr              yes     no
3.14             3                yes     no
v1.2.3           v1               yes     no
snake_case       snake            yes     yes
C++              c                yes     yes
x²               x                no      yes
東京タワー            東京               no      no
ﬁle              file             no      no
CamelCase        camel            no      no
===============  ===============  ======  ==========
"""  # noqa: RUF002 - the typographic apostrophe is one of the cases

from __future__ import annotations

from pathlib import Path

from synth.errors import DatabaseError, UsageError
from synth.load.backend import is_postgres, redacted
from synth.load.database import connect, sqlite_path
from synth.load.tables import Tables

__all__ = ["search"]


def search(db: str, query: str, *, limit: int = 10, tables: Tables | None = None) -> list[tuple[str, str, float]]:
    """Ranked full-text search: (id, title, score) of the best ``limit`` posts, best first."""
    if not query.strip():
        raise UsageError("the search query is empty", hint="pass one or more words")
    shown = redacted(db)
    if not is_postgres(db) and not Path(sqlite_path(db)).is_file():
        raise DatabaseError(f"no database at {shown}", hint=f"import posts first: synth import FILE --db {shown}")
    backend = connect(db, tables, read_only=True)
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
