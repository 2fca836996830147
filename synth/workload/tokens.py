"""The tokenizer of query workloads: which words a query may use, and where a text holds them.

SQLite's FTS5 ``unicode61 remove_diacritics 2`` tokenizer and PostgreSQL's default parser with
the ``simple`` configuration agree on most words but not on all: SQLite splits ``node.js`` into
``node`` and ``js`` where PostgreSQL keeps one ``host`` token, SQLite folds ``Tür`` to ``tur``
where PostgreSQL keeps ``tür``, PostgreSQL reads ``3-2-1`` as ``3``, ``-2``, ``-1``. A workload
only asks for words on which both agree, so its expected answers hold on both (the rule is
documented in ``docs/queries.md`` and checked against both engines by ``tests/workload``):

* A text is cut into *segments* at whitespace. A *run* is a maximal sequence of letters and
  digits; a *clean* run is made only of :data:`CLEAN` characters: ASCII letters and digits,
  ``ß``, and the caseless letters of the Arabic, Hebrew, CJK (Han, kana) and Hangul blocks
  (Unicode 6.1, the version of SQLite's tables). Its *key* is its lower case.
* A segment is *plain* when, apart from its clean runs, it holds only :data:`SAFE` punctuation
  (``, ; ! ? ( ) " ' _`` and the like, CJK punctuation included) and, at its end only, full stops
  and colons. Both engines cut a plain segment into exactly its runs, at the same positions.
* A segment is *hyphenated* when it is plain once the hyphens between two letter runs are taken
  out (``on-call``): both engines index each part (PostgreSQL adds the compound as an extra
  token at its own position), so its parts serve term queries but not phrases.
* Any other segment is *dirty* (``node.js``, ``utf-8``, ``c++``, ``Tür``, a run of marks or
  of another script): its runs are not used, and neither are the keys either engine could make
  of them (:func:`taints`), wherever else they occur. A text with ``<`` is dirty as a whole
  (PostgreSQL reads tags, which may span whitespace).

CJK text has no spaces between words: both engines index a whole run between punctuation or
spaces as one token, so a CJK key is such a whole run (a word inside a run is found by neither).
Arabic and Hebrew are written right to left but stored in logical order; their letters are
caseless, and words carrying marks (harakat) are dirty (SQLite removes the marks, PostgreSQL
keeps them). Non-ASCII letters assume a database whose ``LC_CTYPE`` is a UTF-8 locale (the
default nearly everywhere); PostgreSQL's parser treats every non-ASCII character as a letter in
the ``C`` locale.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import string
import threading
import unicodedata
from collections.abc import Callable
from typing import Final, Generic, NamedTuple, TypeVar

__all__ = [
    "CLEAN",
    "DIRTY",
    "MAX_RUN",
    "SAFE",
    "Tokens",
    "is_key",
    "keys_of",
    "sqlite_tokens",
    "taints",
    "tokenize",
]

# Letters whose case, if any, only ASCII folding touches; all present in Unicode 6.1.
_LETTERS: Final = (
    "A-Za-z\u00df"
    "\u05d0-\u05ea"  # Hebrew letters
    "\u0621-\u063a\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5"  # Arabic letters (no tatweel, no marks)
    "\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3005"  # hiragana, katakana, iteration marks
    "\u3400-\u4db5\u4e00-\u9fcb"  # CJK unified ideographs (extension A and the base block, as of 6.1)
    "\uac00-\ud7a3"  # Hangul syllables
)
CLEAN: Final = _LETTERS + "0-9"
# Punctuation both engines treat as a plain separator wherever it stands (see tests/workload).
SAFE: Final = (
    "!\"#$%'()*,;=?[]^_`{|}"
    "\u00a1\u00ab\u00b7\u00bb\u00bf\u2013\u2014\u2018\u2019\u201c\u201d\u2026"
    "\u060c\u061b\u061f"  # Arabic comma, semicolon, question mark
    "\u3000\u3001\u3002\u3008\u3009\u300a\u300b\u300c\u300d\u300e\u300f\u3010\u3011\u30fb"
    "\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f"
)
MAX_RUN: Final = 200  # longer runs are dirty (PostgreSQL drops words over 2,047 bytes)
DIRTY: Final = "\x01"  # the token standing for a dirty segment in a token list

_RUN: Final = re.compile(f"[{CLEAN}]+")
_KEY: Final = re.compile(f"[{CLEAN}]{{1,{MAX_RUN}}}")
# A character that is neither clean, safe nor whitespace, or a full stop or colon with more after it.
_CLOSING: Final = re.escape(SAFE.replace("_", ""))  # what may follow a final full stop or colon
_SLOW: Final = re.compile(f"[^{CLEAN}{re.escape(SAFE)}\\s.:]|[.:](?![{_CLOSING}.:]*(?:\\s|$))")
_HYPHENATED: Final = re.compile(f"(?<![{CLEAN}-])[{_LETTERS}]+(?:-[{_LETTERS}]+)+(?![{CLEAN}-])")
_WIDE: Final = re.compile(r"[^\W_]+")
_SCRIPTS: Final = re.compile(r"[a-z0-9]+|[^\W_a-z0-9]+")  # PostgreSQL may cut a run where ASCII meets the rest


def is_key(text: str) -> bool:
    """Whether ``text`` is a usable key: one clean run in lower case, at most :data:`MAX_RUN` long."""
    return _KEY.fullmatch(text) is not None and text == text.lower()


def keys_of(text: str) -> list[str]:
    """The keys of a query string that the rule admits (its clean runs, lower case), in order."""
    return _RUN.findall(text.lower())


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.category(c).startswith("M"))


def _has_marks(text: str) -> bool:
    return any(unicodedata.category(c).startswith("M") for c in unicodedata.normalize("NFKD", text))


_LOCAL: Final = threading.local()


def sqlite_tokens(text: str) -> list[str]:
    """The tokens SQLite's ``unicode61 remove_diacritics 2`` tokenizer makes of ``text`` (asked of SQLite)."""
    db = getattr(_LOCAL, "db", None)
    if db is None:
        db = _LOCAL.db = sqlite3.connect(":memory:")
        db.execute("CREATE VIRTUAL TABLE t USING fts5 (x, tokenize='unicode61 remove_diacritics 2')")
        db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    db.execute("DELETE FROM t")
    db.execute("INSERT INTO t (rowid, x) VALUES (1, ?)", (text,))
    return [row[0] for row in db.execute('SELECT term FROM v ORDER BY "offset"')]


@functools.lru_cache(maxsize=1 << 16)
def taints(segment: str) -> frozenset[str]:
    """Every key SQLite or PostgreSQL could make of a dirty segment: its runs as written, without
    marks and diacritics, and cut where ASCII meets another script (a generous superset: none
    of these keys is used); for a segment with combining marks, also the tokens SQLite makes of
    it (it cuts at some marks and removes others, by its Unicode 6.1 tables)."""
    found: set[str] = set()
    for variant in {segment.lower(), _strip_marks(segment.lower()), _strip_marks(segment).lower()}:
        found.update(_WIDE.findall(variant))
        found.update(_SCRIPTS.findall(variant))
    if not segment.isascii() and _has_marks(segment):
        found.update(sqlite_tokens(segment))
    return frozenset(found)


_NONE: Final[frozenset[str]] = frozenset()
T = TypeVar("T")
_ASCII_RUN: Final = re.compile(r"[a-z0-9]+")
_ASCII_PLAIN: Final = {ord(c): None for c in string.ascii_letters + string.digits + string.whitespace + SAFE + ".:"
                       if c.isascii()}  # fmt: skip
_DOT: Final = re.compile(f"[.:](?![{_CLOSING}.:]*(?:\\s|$))")


class Tokens(NamedTuple):
    """A text as the engines index it: its tokens in order, with what may not be used.

    ``tokens`` holds one entry per token position both engines agree on: a key, or
    :data:`DIRTY` for a dirty segment. ``taint`` holds keys that must not be queried at all,
    ``hyphen`` the keys seen in hyphenated segments (usable in term queries, not in phrases).
    """

    tokens: list[str]
    taint: frozenset[str] = _NONE
    hyphen: frozenset[str] = _NONE


def _plain(text: str) -> list[str] | None:
    """The runs of a plain text (one every engine cuts into exactly its runs), or None."""
    if text.isascii():
        if text.translate(_ASCII_PLAIN) or _DOT.search(text):
            return None
        runs = _ASCII_RUN.findall(text.lower())
    elif _SLOW.search(text):
        return None
    else:
        runs = _RUN.findall(text.lower())
    if len(text) > MAX_RUN and max(map(len, runs), default=0) > MAX_RUN:
        return None
    return runs


def tokenize(text: str) -> Tokens:
    """The tokens of one text (a title, an intro, a paragraph or a checklist item)."""
    runs = _plain(text)
    if runs is not None:
        return Tokens(runs)
    if "<" in text:
        return Tokens([DIRTY] if _WIDE.search(text) else [], taints(text))
    tokens: list[str] = []
    taint: set[str] = set()
    hyphen: set[str] = set()
    for segment in text.split():
        _segment(segment, tokens, taint, hyphen)
    return Tokens(tokens, frozenset(taint), frozenset(hyphen))


def _segment(segment: str, tokens: list[str], taint: set[str], hyphen: set[str]) -> None:
    runs = _plain(segment)
    if runs is None:
        joined = _HYPHENATED.sub(lambda m: m.group().replace("-", " "), segment)
        runs = _plain(joined) if joined != segment else None
        if runs is not None:
            hyphen.update(runs)
    if runs is None:
        taint |= taints(segment)
        tokens.append(DIRTY)
    else:
        tokens += runs


class SentenceCache(Generic[T]):
    """:func:`tokenize` with the sentences of a text remembered: templates repeat sentences often.

    A text is cut after each full stop that a space follows (a separator wherever it stands, and
    the end of a segment); calling the cache gives, per sentence, ``convert`` of its tokens, made
    once per distinct sentence. The sentences' tokens, joined, are ``tokenize(text)``'s (their
    taints together, its taint). A text with ``<`` is one sentence. At most ``size`` sentences
    are remembered (the memory is emptied when full).
    """

    def __init__(self, convert: Callable[[Tokens], T], size: int = 1 << 16) -> None:
        self.convert, self.size = convert, size
        self.known: dict[str, T] = {}

    def __call__(self, text: str) -> list[T]:
        known = self.known
        out = []
        for sentence in [text] if "<" in text else text.split(". "):
            value = known.get(sentence)
            if value is None:
                if len(known) >= self.size:
                    known.clear()
                value = known[sentence] = self.convert(tokenize(sentence))
            out.append(value)
        return out
