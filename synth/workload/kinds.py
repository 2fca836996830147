"""The query kinds: what each asks, how candidates are planned from a sample, how the final ones are chosen.

Planning reads the first posts of the corpus (:class:`Sample`) and proposes more candidates
than needed for each kind; the scan answers all of them over the whole corpus; :func:`select`
then keeps, per kind, the wanted number among the safe ones (in planned order), and draws the
``term`` queries Zipf-like by document frequency, a third each from the head (the words in at
least 10% of the posts), the tail (in at most 0.1%, or one post) and the torso in between.

* ``term``: one word; ``all-terms``: two or three words of one post; ``phrase``: two to five
  consecutive words of one field of a post;
* ``filter``: one to three exact conditions taken from a post (keywords, tools, flags, and
  ranges of view count, scores and review dates around its values); ``term+filter``: one or
  two words and one or two conditions of one post;
* ``id``: a post by id (sampled ids, and some ids the sample does not hold); ``similar``:
  the posts whose ``similar_posts`` names a post;
* ``absent``: made-up words, word pairs, reversed phrases, parts of CJK runs and
  contradictory filters whose answer the scan finds empty (only those are kept).

Every choice is a draw of the workload's own random stream (:mod:`synth.generation.streams`),
so the same corpus and seed give the same workload.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from synth.generation.assemble import post_id
from synth.generation.rng import distinct, draws, seed_key
from synth.generation.streams import WORKLOAD_PLAN, Stream
from synth.workload.scan import Result, field_value, pieces
from synth.workload.spec import FIELDS, KINDS, Clauses, Cond
from synth.workload.tokens import DIRTY, tokenize

__all__ = ["SHARES", "Candidate", "Dice", "Sample", "plan", "select", "shares"]

# Per cent of a workload of each kind.
SHARES: Final = {"term": 25, "all-terms": 15, "phrase": 15, "filter": 12, "term+filter": 10, "id": 8,
                 "similar": 8, "absent": 7}  # fmt: skip
_SPARE: Final = {"term": 2.0, "absent": 4.0}  # candidates planned per wanted query (others: 1.5)
_HEAD, _TAIL = 0.10, 0.001
_BLOCK: Final = 4096


class Dice:
    """Uniform 32-bit draws of one workload stream, in order."""

    def __init__(self, seed: int, stream: Stream = WORKLOAD_PLAN) -> None:
        self.key, self.stream, self.at = seed_key(seed), stream.id, 0
        self.block: list[int] = []

    def u32(self) -> int:
        if not self.block:
            self.block = draws(self.key, self.at, _BLOCK, self.stream, 1)[:, 0].tolist()[::-1]
            self.at += _BLOCK
        return self.block.pop()

    def below(self, n: int) -> int:
        return self.u32() * n >> 32

    def pick(self, items: Sequence[Any]) -> Any:
        return items[self.below(len(items))]

    def weighted(self, table: Sequence[tuple[Any, int]]) -> Any:
        """A value of ``table`` ((value, weight) pairs) with probability proportional to its weight."""
        point = self.below(sum(w for _, w in table))
        for value, weight in table:
            if point < weight:
                return value
            point -= weight
        raise AssertionError("unreachable")  # pragma: no cover


def shares(size: int) -> dict[str, int]:
    """How many queries of each kind a workload of ``size`` holds (largest remainders; each kind one at least)."""
    exact = {k: size * s / 100 for k, s in SHARES.items()}
    out = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (out[k] - exact[k], KINDS.index(k)))[: size - sum(out.values())]:
        out[k] += 1
    if size >= len(KINDS):
        for k in KINDS:
            while out[k] == 0:
                donor = max(out, key=lambda d: (out[d], -KINDS.index(d)))
                out[donor], out[k] = out[donor] - 1, out[k] + 1
    return out


@dataclass(slots=True)
class _Post:
    """A post of the sample: its id, its texts as tokens, its words, its meta and links."""

    pid: str
    texts: list[list[str]]
    keys: list[str]  # distinct clean words, in order of first appearance
    meta: dict[str, Any]
    links: list[str]


@dataclass(slots=True)
class Sample:
    """The first posts of a corpus, tokenized: what planning draws from."""

    posts: list[_Post] = field(default_factory=list)
    df: Counter[str] = field(default_factory=Counter)
    taint: set[str] = field(default_factory=set)
    hyphen: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, posts: Iterable[dict[str, Any]]) -> Sample:
        sample = cls()
        for post in posts:
            texts = []
            for text in pieces(post):
                t = tokenize(text)
                texts.append(t.tokens)
                sample.taint |= t.taint
                sample.hyphen |= t.hyphen
            keys = list(dict.fromkeys(k for tokens in texts for k in tokens if k != DIRTY))
            sample.df.update(keys)
            sample.posts.append(_Post(post["id"], texts, keys, post["meta"], list(post["similar_posts"])))
        for key in sample.taint:
            sample.df.pop(key, None)
        return sample

    def usable(self, post: _Post) -> list[str]:
        return [k for k in post.keys if k in self.df]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A planned query: its kind and clauses."""

    kind: str
    clauses: Clauses


def _priority(items: Sequence[Any], k: int, dice: Dice) -> list[Any]:
    """``k`` of ``items`` (ranked, most frequent first) drawn with weight 1/rank (priority sampling, integers only)."""
    scored = sorted(((dice.u32() + 1) * rank, rank) for rank in range(1, len(items) + 1))
    return [items[rank - 1] for _, rank in scored[:k]]


_COND_FIELDS: Final = tuple(FIELDS)


def _cond(name: str, post: _Post, sample: Sample, dice: Dice) -> Cond | None:
    """A condition on ``name`` that ``post`` meets (a range reaches out to another sample post's value)."""
    kind = FIELDS[name].type
    if kind == "tool":
        return Cond("tool", value=dice.pick(post.meta["tools"])) if post.meta["tools"] else None
    value = field_value(post.meta, name)
    if value is None:
        return None
    if kind in ("keyword", "flag"):
        return Cond(name, value=value)
    low, high = sorted((value, field_value(dice.pick(sample.posts).meta, name)))
    return Cond(name, low=low, high=high)


def _conds(post: _Post, sample: Sample, dice: Dice, count: int) -> tuple[Cond, ...]:
    names = [_COND_FIELDS[i] for i in distinct([dice.u32() for _ in range(count)], len(_COND_FIELDS), count)]
    return tuple(c for c in (_cond(n, post, sample, dice) for n in names) if c is not None)


def _words(post: _Post, sample: Sample, dice: Dice, count: int) -> tuple[str, ...]:
    keys = sample.usable(post)
    if len(keys) < count:
        return ()
    chosen = sorted(distinct([dice.u32() for _ in range(count)], len(keys), count))
    return tuple(keys[i] for i in chosen)


def _run(post: _Post, sample: Sample, dice: Dice, length: int) -> tuple[str, ...]:
    """``length`` consecutive clean words of one text of ``post`` (empty when none found in a few tries)."""
    texts = [t for t in post.texts if len(t) >= length]
    for _ in range(8 if texts else 0):
        tokens = dice.pick(texts)
        at = dice.below(len(tokens) - length + 1)
        run = tuple(tokens[at : at + length])
        if all(k in sample.df and k not in sample.hyphen for k in run):
            return run
    return ()


_LENGTHS: Final = ((2, 30), (3, 35), (4, 20), (5, 15))


def _term(sample: Sample, dice: Dice, n: int) -> list[Clauses]:
    ranked = sorted(sample.df, key=lambda k: (-sample.df[k], k))
    return [Clauses(terms=(k,)) for k in _priority(ranked, n, dice)]


def _all_terms(sample: Sample, dice: Dice, n: int) -> list[Clauses]:
    return [Clauses(terms=_words(dice.pick(sample.posts), sample, dice, dice.weighted(((2, 7), (3, 3)))))
            for _ in range(n)]  # fmt: skip


def _phrase(sample: Sample, dice: Dice, n: int) -> list[Clauses]:
    return [Clauses(phrase=_run(dice.pick(sample.posts), sample, dice, dice.weighted(_LENGTHS))) for _ in range(n)]


def _filter(sample: Sample, dice: Dice, n: int) -> list[Clauses]:
    return [Clauses(filter=_conds(dice.pick(sample.posts), sample, dice, dice.weighted(((1, 4), (2, 4), (3, 2)))))
            for _ in range(n)]  # fmt: skip


def _term_filter(sample: Sample, dice: Dice, n: int) -> list[Clauses]:
    out = []
    for _ in range(n):
        post = dice.pick(sample.posts)
        terms = _words(post, sample, dice, dice.weighted(((1, 7), (2, 3))))
        out.append(Clauses(terms=terms, filter=_conds(post, sample, dice, dice.weighted(((1, 6), (2, 4))))))
    return out


def _id(sample: Sample, dice: Dice, n: int) -> list[Clauses]:
    """Mostly ids of sampled posts; one in four an id the sample does not hold (past it, or in a gap)."""
    numbers = sorted(int(p.pid[10:]) for p in sample.posts)
    held, top = set(numbers), numbers[-1]
    gaps = list(itertools.islice((i for i in range(numbers[0], top) if i not in held), 10_000))
    out = []
    for _ in range(n):
        if dice.below(4):
            out.append(Clauses(id=dice.pick(sample.posts).pid))
        elif gaps and dice.below(2):
            out.append(Clauses(id=post_id(dice.pick(gaps))))
        else:
            out.append(Clauses(id=post_id(top + 1 + dice.below(max(10, len(numbers))))))
    return out


def _similar(sample: Sample, dice: Dice, n: int) -> list[Clauses]:
    return [Clauses(linked_to=dice.pick(sample.posts).pid) for _ in range(n)]


def _made_up(sample: Sample, dice: Dice) -> Clauses:
    """Two words of the corpus glued into one that is not (a typo a user could make)."""
    ranked = sorted(sample.df, key=lambda k: (-sample.df[k], k))
    a, b = dice.pick(ranked), dice.pick(ranked)
    return Clauses(terms=(a + b,)) if a + b not in sample.df and a != b else Clauses()


def _apart(sample: Sample, dice: Dice) -> Clauses:
    """Two rare words of different posts (kept if no post holds both)."""
    a, b = _words(dice.pick(sample.posts), sample, dice, 1), _words(dice.pick(sample.posts), sample, dice, 1)
    rare = a and b and a != b and sample.df[a[0]] <= 3 and sample.df[b[0]] <= 3
    return Clauses(terms=(*a, *b)) if rare else Clauses()


def _reversed(sample: Sample, dice: Dice) -> Clauses:
    run = _run(dice.pick(sample.posts), sample, dice, dice.weighted(((2, 1), (3, 1))))
    return Clauses(phrase=run[::-1]) if run and run != run[::-1] else Clauses()


def _inside_run(sample: Sample, dice: Dice) -> Clauses:
    """The first half of a long CJK run: a word both engines cannot find inside the run."""
    keys = _words(dice.pick(sample.posts), sample, dice, 1)
    if keys and not keys[0].isascii() and len(keys[0]) >= 4:
        part = keys[0][: len(keys[0]) // 2]
        return Clauses(terms=(part,)) if part not in sample.df else Clauses()
    return Clauses()


def _contradiction(sample: Sample, dice: Dice) -> Clauses:
    """A stack with a code language of another post (kept if no post has both)."""
    a, b = dice.pick(sample.posts).meta, dice.pick(sample.posts).meta
    if a["code_language"] == b["code_language"]:
        return Clauses()
    return Clauses(
        filter=(Cond("stack", value=field_value(a, "stack")), Cond("code_language", value=b["code_language"]))
    )


_ABSENT: Final = (_made_up, _apart, _reversed, _inside_run, _contradiction)


def _absent(sample: Sample, dice: Dice, n: int) -> list[Clauses]:
    return [_ABSENT[i % len(_ABSENT)](sample, dice) for i in range(n)]


_PLANNERS: Final[dict[str, Callable[[Sample, Dice, int], list[Clauses]]]] = {
    "term": _term, "all-terms": _all_terms, "phrase": _phrase, "filter": _filter, "term+filter": _term_filter,
    "id": _id, "similar": _similar, "absent": _absent,
}  # fmt: skip


def plan(sample: Sample, wanted: dict[str, int], seed: int) -> list[Candidate]:
    """Candidates of every kind (more than wanted), without repeats or empty ones, in planned order."""
    if not sample.posts:
        return []
    dice = Dice(seed)
    seen: set[Clauses] = set()
    out = []
    for kind in KINDS:
        spare = _SPARE.get(kind, 1.5)
        for clauses in _PLANNERS[kind](sample, dice, int(wanted[kind] * spare) + (10 if spare > 1 else 0)):
            if (
                clauses.as_dict()
                and clauses not in seen
                and (kind != "term+filter" or (clauses.terms and clauses.filter))
            ):
                seen.add(clauses)
                out.append(Candidate(kind, clauses))
    return out


def _band(df: int, posts: int) -> int:
    return 0 if df >= _HEAD * posts else 2 if df <= max(1, _TAIL * posts) else 1


def _terms(chosen_from: list[int], counts: list[int], keys: list[tuple[str, ...]], want: int, posts: int,
           dice: Dice) -> list[int]:  # fmt: skip
    """The term queries to keep, of ``chosen_from``: Zipf-like by frequency, a third from each band."""
    ranked = sorted(range(len(chosen_from)), key=lambda j: (-counts[j], keys[j]))
    bands: list[list[int]] = [[], [], []]
    for j in ranked:
        bands[_band(counts[j], posts)].append(j)
    chosen: list[int] = []
    for b, members in enumerate(bands):
        chosen += _priority(members, min(len(members), want // 3 + (b < want % 3)), dice)
    taken = set(chosen)
    chosen += _priority([j for j in ranked if j not in taken], want - len(chosen), dice)
    return sorted(chosen_from[j] for j in chosen)


def _keep(candidate: Candidate, count: int, safe: bool) -> bool:
    if not safe:
        return False
    if candidate.kind == "absent":
        return count == 0
    return count > 0 or candidate.kind in ("id", "similar")


def select(candidates: list[Candidate], result: Result, wanted: dict[str, int], seed: int) -> list[int]:
    """Indices (into ``candidates``) of the final queries: ``wanted`` of each kind where possible.

    A kind short of safe candidates leaves its places to the others, in the order of :data:`KINDS`.
    """
    dice = Dice(seed + 1)
    usable: dict[str, list[int]] = {k: [] for k in KINDS}
    counts = result.counts
    for i, c in enumerate(candidates):
        if _keep(c, counts[i], result.safe[i]):
            usable[c.kind].append(i)
    total = sum(wanted.values())
    need = {k: min(wanted[k], len(usable[k])) for k in KINDS}
    for k in KINDS:
        need[k] += min(len(usable[k]) - need[k], total - sum(need.values()))
    chosen: list[int] = []
    for k in KINDS:
        if k == "term":
            keys = [candidates[i].clauses.terms for i in usable[k]]
            chosen += _terms(usable[k], [counts[i] for i in usable[k]], keys, need[k], result.posts, dice)
        else:
            chosen += usable[k][: need[k]]
    return chosen
