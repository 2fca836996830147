"""The one streaming pass over a corpus that answers every planned query exactly.

Posts arrive as dicts (or JSON bytes) and are gathered in chunks of :data:`CHUNK`. For each
chunk the pass builds, with plain Python per post and numpy per chunk:

* a token stream: every token of the title, the intro and each paragraph and checklist item
  (:mod:`synth.workload.tokens`), as the id of a query word, :data:`OTHER` for any other word,
  :data:`DIRTY_ID` for a segment the engines may cut differently, :data:`POST` between posts,
  with the start of each field and piece marked;
* a presence matrix (query words x posts), the filter fields as integer columns, and the
  tools and links that filter and ``linked_to`` clauses name;
* the 128-bit hash of each post id (as limbs, :mod:`synth.workload.answers`).

Each query is a conjunction of boolean masks over the chunk; the posts it selects go to its
:class:`~synth.workload.answers.Tally`. A phrase is matched by hashing word windows; a match
counts only if it lies inside one field piece with no dirty segment in it, and a phrase with a
match that does not (one an engine could find and another not) is marked unsafe, as is every
query using a word seen in a dirty segment (or, for phrases, in a hyphenated one).
Memory is bounded by the chunk and the queries, not by the corpus.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import orjson

from synth.workload import native
from synth.workload.answers import Answer, Tally, id_limbs
from synth.workload.spec import FIELDS, Clauses, Cond
from synth.workload.tokens import DIRTY, SentenceCache, Tokens, taints

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["CHUNK", "DIRTY_ID", "OTHER", "POST", "Result", "Scan", "field_value", "pieces"]

CHUNK: Final = 4096
OTHER, DIRTY_ID, POST = -1, -2, -3
_OFFSET: Final = 3  # added to token ids so that every one is a non-negative index
LONG: Final = 12_000  # posts with more tokens than this: PostgreSQL caps positions at 16,383
_MULT: Final = np.uint64(0x9E3779B97F4A7C15)
_CATEGORIES: Final = tuple(n for n, f in FIELDS.items() if f.type in ("keyword", "flag", "integer", "date"))
_COLUMN: Final = {name: k for k, name in enumerate(_CATEGORIES)}


def pieces(post: dict[str, Any]) -> list[str]:
    """The searchable texts of a post: what the importer indexes (the title, the intro, and the
    body: every paragraph and checklist item in section order)."""
    body = [text for s in post["sections"] for text in s.get("paragraphs", s.get("items", []))]
    if any("<" in text for text in body):
        body = ["\n".join(body)]  # a tag may span pieces: the body is tokenized whole
    return [post["title"], post["intro"], *body]


def field_value(meta: dict[str, Any], name: str) -> Any:
    """The value of filter field ``name`` in a post's meta (None when the post has none)."""
    value: Any = meta
    for step in FIELDS[name].path[1:]:
        if not isinstance(value, list):
            value = value[step]
        elif len(value) > int(step):
            value = value[int(step)]
        else:
            return None
    return value


@dataclass(frozen=True, slots=True)
class _Probe:
    """A query as the scan evaluates it: word, phrase, tool and link indices instead of strings."""

    terms: tuple[int, ...]
    phrase: int | None
    conds: tuple[Cond, ...]
    number: int | None
    link: int | None


@dataclass(slots=True)
class Result:
    """What the pass found: each query's answer and whether both engines are sure to give it."""

    tally: Tally
    safe: list[bool]
    posts: int

    @property
    def counts(self) -> list[int]:
        return [int(c) for c in self.tally.counts]

    def answer(self, query: int) -> Answer:
        return self.tally.answer(query)


class _Vocabulary:
    """The strings the queries name, as small integers."""

    def __init__(self, clauses: list[Clauses]) -> None:
        self.words: dict[str, int] = {DIRTY: DIRTY_ID}
        self.phrase_index: dict[tuple[int, ...], int] = {}
        self.tools: dict[str, int] = {}
        self.links: dict[str, int] = {}
        self.probes = [self._probe(c) for c in clauses]

    def _word(self, key: str) -> int:
        return self.words.setdefault(key, len(self.words) - 1)

    def _probe(self, c: Clauses) -> _Probe:
        terms = tuple(self._word(t) for t in c.terms)
        phrase = None
        if c.phrase:
            words = tuple(self._word(t) for t in c.phrase)
            phrase = self.phrase_index.setdefault(words, len(self.phrase_index))
        for cond in c.filter:
            if cond.field == "tool":
                self.tools.setdefault(cond.value, len(self.tools))
        link = None if c.linked_to is None else self.links.setdefault(c.linked_to, len(self.links))
        number = None if c.id is None else int(c.id[10:])
        return _Probe(terms, phrase, c.filter, number, link)

    @property
    def size(self) -> int:
        return len(self.words) - 1

    @property
    def phrases(self) -> list[tuple[int, ...]]:
        return list(self.phrase_index)  # insertion order: index k is phrase k


@dataclass(slots=True)
class _Chunk:
    """The posts of one chunk, as lists while they arrive (see :class:`_Builder`)."""

    pids: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    stream: array[int] = field(default_factory=lambda: array("q"))
    lengths: list[int] = field(default_factory=list)  # stream entries of each post, its POST mark included
    rows: list[tuple[int, ...]] = field(default_factory=list)
    tools: list[tuple[int, int]] = field(default_factory=list)
    links: list[tuple[int, int]] = field(default_factory=list)


_DATES: dict[str, int] = {}


def _day(text: str) -> int:
    """The ordinal of a YYYY-MM-DD date (remembered: a corpus has few distinct dates)."""
    day = _DATES.get(text)
    if day is None:
        day = _dt.date.fromisoformat(text).toordinal()
        if len(_DATES) < 1 << 16:
            _DATES[text] = day
    return day


class _Builder:
    """Turns posts into the lists of a chunk; tracks which query words the corpus makes unsafe."""

    def __init__(self, vocabulary: _Vocabulary) -> None:
        self.v = vocabulary
        self.codes: dict[str, dict[Any, int]] = {name: {} for name in _CATEGORIES if FIELDS[name].type == "keyword"}
        self.taint = np.zeros(vocabulary.size, dtype=bool)
        self.hyphen = np.zeros(vocabulary.size, dtype=bool)
        self.chunk = _Chunk()
        self.sentences = SentenceCache(self._convert)

    def add(self, post: dict[str, Any]) -> None:
        c, meta = self.chunk, post["meta"]
        ordinal = len(c.pids)
        c.pids.append(post["id"])
        c.numbers.append(int(post["id"][10:]))
        c.hashes.append(meta["hash"])
        stream, start = c.stream, len(c.stream)
        for text in pieces(post):
            for ids, taint, hyphen in self.sentences(text):
                stream.extend(ids)
                if taint or hyphen:
                    self.taint[list(taint)] = True
                    self.hyphen[list(hyphen)] = True
            stream.append(DIRTY_ID)  # between texts: no phrase match may span it (as across a dirty segment)
        stream.append(POST)
        c.lengths.append(len(stream) - start)
        c.rows.append(self._row(meta))
        tools, links = self.v.tools, self.v.links
        c.tools += [(tools[t], ordinal) for t in meta["tools"] if t in tools]
        c.links += [(links[t], ordinal) for t in post["similar_posts"] if t in links]

    def _convert(self, tokens: Tokens) -> tuple[array[int], tuple[int, ...], tuple[int, ...]]:
        """A sentence's tokens as word ids, and the query words it taints (for all, for phrases)."""
        words = self.v.words
        get = words.get
        return (
            array("q", [get(t, OTHER) for t in tokens.tokens]),
            tuple(words[k] for k in tokens.taint if k in words),
            tuple(words[k] for k in tokens.hyphen if k in words),
        )

    def _row(self, meta: dict[str, Any]) -> tuple[int, ...]:
        row = []
        for name in _CATEGORIES:
            value = field_value(meta, name)
            kind = FIELDS[name].type
            if kind == "keyword":
                codes = self.codes[name]
                row.append(-1 if value is None else codes.setdefault(value, len(codes)))
            elif kind == "date":
                row.append(_day(value))
            else:
                row.append(int(value))
        return tuple(row)

    def take(self) -> _Chunk:
        chunk, self.chunk = self.chunk, _Chunk()
        return chunk


@dataclass(slots=True)
class _Arrays:
    """A chunk as numpy arrays (see the module docstring)."""

    numbers: npt.NDArray[np.int64]
    limbs: npt.NDArray[np.int64]
    present: npt.NDArray[np.bool_]
    columns: npt.NDArray[np.int64]
    tools: npt.NDArray[np.bool_]
    links: npt.NDArray[np.bool_]
    phrases: npt.NDArray[np.bool_]


def _matrix(pairs: list[tuple[int, int]], rows: int, n: int) -> npt.NDArray[np.bool_]:
    out = np.zeros((rows, n), dtype=bool)
    if pairs:
        at = np.array(pairs, dtype=np.int64)
        out[at[:, 0], at[:, 1]] = True
    return out


def _step(code: npt.NDArray[np.uint64], ids: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """The rolling 64-bit hash of word windows, one word longer (wrapping arithmetic)."""
    return code * _MULT + (ids + _OFFSET).astype(np.uint64)


def _codes(rows: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """The hash of each row of word ids (a phrase, or a window of the stream)."""
    code = np.zeros(len(rows), dtype=np.uint64)
    for k in range(rows.shape[1]):
        code = _step(code, rows[:, k])
    return code


_BUCKETS: Final = 20  # bits of a word pair's hash the bigram filter keeps


def _bucket(code: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The top bits of a mixed hash (the rolling hash's top bits hardly depend on its last word)."""
    return ((code ^ (code >> np.uint64(29))) * _MULT) >> np.uint64(64 - _BUCKETS)


class _Phrases:
    """Phrase matching over a chunk's stream; remembers the phrases an engine could answer differently.

    Windows are filtered by their first two words (a bit table of hashed pairs), then matched
    by the hash of the whole window and checked word by word.
    """

    def __init__(self, phrases: list[tuple[int, ...]], size: int) -> None:
        self.phrases = phrases
        self.unsafe = np.zeros(len(phrases), dtype=bool)
        self.by_length: dict[int, tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], npt.NDArray[np.uint64]]] = {}
        for length in sorted({len(p) for p in phrases}):
            which = np.array([k for k, p in enumerate(phrases) if len(p) == length], dtype=np.intp)
            ids = np.array([phrases[k] for k in which], dtype=np.int64).reshape(len(which), length)
            codes = _codes(ids)
            order = np.argsort(codes, kind="stable")
            self.by_length[length] = (which[order], ids[order], codes[order])
        self.first = np.zeros(size + _OFFSET, dtype=bool)
        self.pairs = np.zeros(1 << _BUCKETS, dtype=bool)
        if phrases:
            heads = np.array([p[:2] for p in phrases], dtype=np.int64)
            self.first[heads[:, 0] + _OFFSET] = True
            self.pairs[_bucket(_codes(heads))] = True
        self.longest = max((len(p) for p in phrases), default=0)

    def _windows(self, loose: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.intp], list[npt.NDArray[np.uint64]]]:
        """Start positions whose first two words may begin a phrase, and their hashes by length (index 0: one word)."""
        at = np.flatnonzero(self.first[loose[: len(loose) - self.longest] + _OFFSET])
        two = _step(_step(np.zeros(len(at), dtype=np.uint64), loose[at]), loose[at + 1])
        keep = self.pairs[_bucket(two)]
        at, code = at[keep], two[keep]
        codes = [code, code]
        for k in range(2, self.longest):
            code = _step(code, loose[at + k])
            codes.append(code)
        return at, codes

    def hits(self, chunk: _Chunk, post_of: npt.NDArray[np.intp], long: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """(phrases x posts) mask of clean matches; marks phrases with an unclean match as unsafe."""
        clean = np.zeros((len(self.phrases), len(chunk.pids)), dtype=bool)
        if not self.phrases:
            return clean
        stream = np.frombuffer(chunk.stream, dtype=np.int64)
        orig = np.flatnonzero(stream != DIRTY_ID)
        loose = np.concatenate([stream[orig], np.full(self.longest, POST)])  # dirty segments and text ends taken out
        starts, by_length = self._windows(loose)
        found = np.zeros_like(clean)
        for length, (which, ids, codes) in self.by_length.items():
            code = by_length[length - 1]
            slot = np.minimum(np.searchsorted(codes, code), len(codes) - 1)
            match = np.flatnonzero(codes[slot] == code)
            at, slot = starts[match], slot[match]
            exact = (ids[slot] == loose[at[:, None] + np.arange(length)]).all(axis=1)
            at, slot = at[exact], slot[exact]
            first, last = orig[at], orig[at + length - 1]
            posts = post_of[first]
            ok = (last - first == length - 1) & ~long[posts]
            found[which[slot], posts] = True
            clean[which[slot[ok]], posts[ok]] = True
        self.unsafe |= (found & ~clean).any(axis=1)
        return clean


def _cond_mask(cond: Cond, a: _Arrays, builder: _Builder, v: _Vocabulary) -> npt.NDArray[np.bool_]:
    kind = FIELDS[cond.field].type
    out: npt.NDArray[np.bool_]
    if kind == "tool":
        out = a.tools[v.tools[cond.value]]
        return out
    column = a.columns[:, _COLUMN[cond.field]]
    if kind == "keyword":
        out = column == builder.codes[cond.field].get(cond.value, -2)
    elif kind == "flag":
        out = column == int(cond.value)
    else:
        low, high = (_day(cond.low), _day(cond.high)) if kind == "date" else (cond.low, cond.high)
        out = (column >= low) & (column <= high)
    return out


def _mask(probe: _Probe, a: _Arrays, builder: _Builder, v: _Vocabulary) -> npt.NDArray[np.bool_]:
    masks = []
    if probe.number is not None:
        masks.append(a.numbers == probe.number)
    if probe.link is not None:
        masks.append(a.links[probe.link])
    masks += [a.present[t] for t in probe.terms]
    if probe.phrase is not None:
        masks.append(a.phrases[probe.phrase])
    masks += [_cond_mask(c, a, builder, v) for c in probe.conds]
    out: npt.NDArray[np.bool_] = masks[0].copy()
    for m in masks[1:]:
        out &= m
    return out


def _one_word(probe: _Probe) -> bool:
    return (
        len(probe.terms) == 1
        and probe.phrase is None
        and not probe.conds
        and probe.number is None
        and probe.link is None
    )


class Scan:
    """Answers ``clauses`` (one per query) over the posts fed to it, chunk by chunk.

    With the native scan (``engine`` auto when it is built, or native; :mod:`synth.workload.native`),
    posts given as JSON bytes are read by it; dicts, and the posts it declines, are read here.
    """

    def __init__(self, clauses: list[Clauses], *, max_ids: int, engine: str = "auto") -> None:
        if any(not (c.terms or c.phrase or c.filter or c.id or c.linked_to) for c in clauses):
            raise ValueError("a query without clauses")
        self.v = _Vocabulary(clauses)
        self.builder = _Builder(self.v)
        self.phrases = _Phrases(self.v.phrases, self.v.size)
        self.tally = Tally(len(clauses), max_ids)
        self.posts = 0
        single = [(q, p.terms[0]) for q, p in enumerate(self.v.probes) if _one_word(p)]
        self.others = np.array([q for q, p in enumerate(self.v.probes) if not _one_word(p)], dtype=np.intp)
        self.single_queries = np.array([q for q, _ in single], dtype=np.intp)
        self.single_words = np.array([w for _, w in single], dtype=np.intp)
        self.native = _native_scanner(self.v, max_ids) if native.use_native(engine) else None

    def feed(self, posts: Iterable[dict[str, Any] | bytes]) -> None:
        """Scan ``posts`` (dicts, or JSON bytes); call as often as needed, then :meth:`result`."""
        builder, lines = self.builder, []
        for post in posts:
            if isinstance(post, bytes) and self.native is not None:
                lines.append(post)
                if len(lines) >= CHUNK:
                    self._native_chunk(lines)
                    lines = []
                continue
            self._add(orjson.loads(post) if isinstance(post, bytes) else post)
        if lines:
            self._native_chunk(lines)
        if builder.chunk.pids:
            self._evaluate(builder.take())

    def _add(self, post: dict[str, Any]) -> None:
        self.builder.add(post)
        if len(self.builder.chunk.pids) >= CHUNK:
            self._evaluate(self.builder.take())

    def _native_chunk(self, lines: list[bytes]) -> None:
        """Posts read and answered by the native scan; those it declines are read here."""
        scanner: Any = self.native
        refused, dirty = scanner.add(lines)
        words, taint = self.v.words, self.builder.taint
        for segment in dirty:
            hit = [w for k in taints(segment) if (w := words.get(k, -1)) >= 0]
            taint[hit] = True
        ids = scanner.pending()
        scanner.evaluate(b"".join(hashlib.blake2b(pid.encode(), digest_size=16).digest() for pid in ids))
        for i in refused:
            self._add(orjson.loads(lines[i]))

    def _merge_native(self) -> None:
        """Adds the native scan's answers and marks to this scan's (once: later posts are read here)."""
        scanner, self.native = self.native, None
        if scanner is None:
            return
        for q, (count, total, numbers, hash_) in enumerate(scanner.answers()):
            self.tally.merge(q, count, total, numbers, hash_)
        self.builder.hyphen[scanner.hyphen()] = True
        self.phrases.unsafe[scanner.unsafe_phrases()] = True
        self.posts += scanner.posts

    def _arrays(self, chunk: _Chunk) -> _Arrays:
        n, v = len(chunk.pids), self.v
        stream = np.frombuffer(chunk.stream, dtype=np.int64)
        post_of = np.repeat(np.arange(n, dtype=np.intp), chunk.lengths)
        long = np.array(chunk.lengths, dtype=np.int64) > LONG
        present = np.zeros((v.size, n), dtype=bool)
        words = stream >= 0
        present[stream[words], post_of[words]] = True
        return _Arrays(
            numbers=np.array(chunk.numbers, dtype=np.int64),
            limbs=id_limbs(chunk.pids),
            present=present,
            columns=np.array(chunk.rows, dtype=np.int64).reshape(n, len(_CATEGORIES)),
            tools=_matrix(chunk.tools, len(v.tools), n),
            links=_matrix(chunk.links, len(v.links), n),
            phrases=self.phrases.hits(chunk, post_of, long),
        )

    def _evaluate(self, chunk: _Chunk) -> None:
        a = self._arrays(chunk)
        self.tally.add_words(self.single_queries, self.single_words, a.present, a.numbers, a.limbs)
        probes, tally = self.v.probes, self.tally
        for q in self.others.tolist():
            probe = probes[q]
            rows = np.flatnonzero(_mask(probe, a, self.builder, self.v))
            tally.add(q, rows, a.numbers, a.limbs)
            if probe.number is not None and len(rows):
                tally.hashes[q] = chunk.hashes[int(rows[0])]
        self.posts += len(chunk.pids)

    def result(self) -> Result:
        """The answers, and for each query whether its words and phrase are safe on both engines."""
        self._merge_native()
        taint, hyphen, unsafe = self.builder.taint, self.builder.hyphen, self.phrases.unsafe
        safe = []
        for p in self.v.probes:
            ok = not any(taint[t] for t in p.terms)
            if p.phrase is not None:
                words = self.v.phrases[p.phrase]
                ok = ok and not unsafe[p.phrase] and not any(taint[t] or hyphen[t] for t in words)
            safe.append(ok)
        return Result(self.tally, safe, self.posts)


def _native_scanner(v: _Vocabulary, max_ids: int) -> Any:
    """The native scan of these queries, or None when one of them is beyond it (Python answers all)."""
    words = [k for k, i in sorted(v.words.items(), key=lambda item: item[1]) if i >= 0]
    return native.scanner(words, v.phrases, v.tools, v.links, v.probes, max_ids, categories=_CATEGORIES, day=_day)
