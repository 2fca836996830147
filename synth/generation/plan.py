"""Planning: every decision of a batch of posts with a fixed range, from their streams' draws (numpy).

The draws of every stream (:mod:`synth.generation.streams`) for the whole batch come from
:func:`synth.generation.rng.draws` at once; each decision reduces a 32-bit draw to its range
(``u * n >> 32``) or to a bucket of a cumulative per-mille table. Nothing here depends on the
batch: row *k* of a batch starting at *first* is exactly the plan of post ``first + k`` alone.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeAlias

import numpy as np

from synth.generation import vocab
from synth.generation.request import EPOCH, REVIEW_DAYS, review_dates
from synth.generation.rng import draws, seed_key
from synth.generation.streams import FIRST_SENTENCE, GENERATOR, SECOND_SENTENCE, generator_ids

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["DIFFICULTY", "EPOCH", "STATUS", "Plan", "Vocab", "loaded", "plan_batch"]

# Cumulative thresholds on a draw reduced to range(1000).
_IMAGES: Final = (150, 600, 800, 920, 980, 1000)
_CHECKS: Final = (0, 0, 150, 450, 750, 900, 970, 1000)
_SIMILAR: Final = (250, 400, 600, 800, 920, 1000)
_NOTES: Final = (700, 900, 1000)
DIFFICULTY: Final = (("beginner", 200), ("intermediate", 650), ("advanced", 930), ("expert", 1000))
STATUS: Final = (("draft", 80), ("reviewed", 450), ("expanded", 700), ("revised", 950), ("archived", 1000))
_MAJOR: Final = (700, 920, 1000)  # major version 1, 2, 3
_BUDGETS: Final = {s.name: s.draws for s in GENERATOR}

I64: TypeAlias = "npt.NDArray[np.int64]"


@dataclass(frozen=True, slots=True)
class Vocab:
    """A locale's pools, loaded once: topics, words (with the Zipf table as an array), numbers, dates."""

    topics: vocab.Topics
    words: vocab.Words
    word_table: npt.NDArray[np.object_]
    views: npt.NDArray[np.int64]
    views_next: npt.NDArray[np.int64]
    dates: tuple[str, ...]


@functools.cache
def loaded(locale: str) -> Vocab:
    """The vocabulary of ``locale`` (raises :class:`~synth.errors.GenerationError` for an unknown one)."""
    words = vocab.words(locale)
    views = np.array(vocab.distributions().view_count, dtype=np.int64)
    views_next = np.append(views[1:], views[-1] * 4)
    return Vocab(vocab.topics(), words, np.array(words.table, dtype=object), views, views_next, review_dates())


class Plan(NamedTuple):
    """One post's decisions; each field is a row of :func:`plan_batch` (see there for the layout)."""

    topic: list[int]
    tools: list[int]
    body: list[int]
    lengths: list[int]
    words: list[str]
    checklist: list[int]
    images: int
    numbers: list[int]
    prose: list[int]
    flags: list[bool]
    revision: list[int]
    reference: int
    notes: list[int]
    similar: list[int]


def _scale(u: I64, n: int) -> I64:
    """32-bit draws reduced to ``range(n)`` (``u * n >> 32``)."""
    return (u * n) >> 32


def _between(u: I64, bounds: tuple[int, int]) -> I64:
    """32-bit draws reduced to ``bounds[0] .. bounds[1]`` inclusive."""
    return bounds[0] + _scale(u, bounds[1] - bounds[0] + 1)


def _bucket(u: I64, thresholds: tuple[int, ...]) -> I64:
    """Index of the first cumulative per-mille threshold above each draw."""
    return np.searchsorted(np.array(thresholds), _scale(u, 1000), side="right").astype(np.int64)


def plan_batch(seed: int, first: int, count: int, v: Vocab, streams: Mapping[str, int] | None = None) -> list[Plan]:
    """The plans of posts ``first .. first + count - 1``.

    ``streams`` maps stream names to ids (default: the generator's, :mod:`synth.generation.streams`).
    """
    key = seed_key(seed)
    ids = streams or generator_ids()
    raw = {name: draws(key, first, count, ids[name], budget).astype(np.int64) for name, budget in _BUDGETS.items()}
    columns = _columns(raw, v)
    return list(map(Plan._make, zip(*(columns[name] for name in Plan._fields), strict=True)))


def _columns(raw: dict[str, I64], v: Vocab) -> dict[str, list[Any]]:
    t = v.topics
    u = raw["topic"]
    topic = np.column_stack(
        [_scale(u[:, 0], len(t.stacks)), _scale(u[:, 1], len(t.problems)), _scale(u[:, 2], len(t.scenarios))]
    )
    u = raw["tools"]
    tools = np.column_stack([3 + _scale(u[:, 0], 4), 1 + _scale(u[:, 1], 3), u[:, 2:]])
    u = raw["body"]
    body = np.column_stack([_bucket(u[:, 0], _CHECKS), 1 + (_scale(u[:, 1], 1000) < 250), u[:, 2:]])
    u = raw["checklist"]
    checklist = np.column_stack([3 + _scale(u[:, 0], 6), u[:, 1:]])
    return {
        "topic": topic.tolist(),
        "tools": tools.tolist(),
        "body": body.tolist(),
        "lengths": _lengths(raw["text"]).tolist(),
        "words": _words(raw["words"], v.word_table).tolist(),
        "checklist": checklist.tolist(),
        "images": _bucket(raw["images"][:, 0], _IMAGES).tolist(),
        "numbers": _numbers(raw["numbers"], v).tolist(),
        "prose": _prose(raw["prose"], t).tolist(),
        "flags": (_scale(raw["flags"], 1000) < np.array([850, 150])).tolist(),
        "revision": _revision(raw["revision"]).tolist(),
        "reference": _scale(raw["reference"][:, 0], 10000).tolist(),
        "notes": np.column_stack([_bucket(raw["notes"][:, 0], _NOTES), raw["notes"][:, 1:]]).tolist(),
        "similar": np.column_stack([_bucket(raw["similar"][:, 0], _SIMILAR), raw["similar"][:, 1:]]).tolist(),
    }


def _lengths(u: I64) -> I64:
    """Per paragraph, the word counts of its first and second free-text sentence (0: none)."""
    with_text, first, more, second = (u[:, i::4] for i in range(4))
    one = np.where(_scale(with_text, 1000) < 600, _between(first, FIRST_SENTENCE), 0)
    two = np.where((one > 0) & (_scale(more, 1000) < 300), _between(second, SECOND_SENTENCE), 0)
    return np.stack([one, two], axis=2).reshape(len(u), -1)


def _words(u: I64, table: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Two Zipf words per draw: the low and the high 16 bits index the 2**16-slot table."""
    halves = np.stack([u & 0xFFFF, u >> 16], axis=2).reshape(len(u), -1)
    return table[halves]


def _numbers(u: I64, v: Vocab) -> I64:
    """View count (quantile bucket plus linear interpolation) and the four scores."""
    bucket = _scale(u[:, 0], len(v.views))
    low, high = v.views[bucket], v.views_next[bucket]
    views = low + ((high - low) * (u[:, 1] >> 12) >> 20)
    terms = [_scale(u[:, 2 + i], 21 if i < 3 or i >= 9 else 31) for i in range(12)]
    quality, freshness, depth, clarity = (terms[i] + terms[i + 1] + terms[i + 2] for i in range(0, 12, 3))
    return np.column_stack([views, 40 + quality, 10 + freshness, 10 + depth, 40 + clarity])


def _prose(u: I64, t: vocab.Topics) -> I64:
    sizes = (
        len(t.title_templates),
        len(t.intro_templates),
        len(t.summary_templates),
        len(t.recommended_actions),
        len(t.brief_templates),
    )
    picks = [_scale(u[:, i], n) for i, n in enumerate(sizes)]
    return np.column_stack([*picks, _bucket(u[:, 5], tuple(th for _, th in DIFFICULTY))])


def _revision(u: I64) -> I64:
    return np.column_stack(
        [
            _bucket(u[:, 0], tuple(th for _, th in STATUS)),
            1 + _bucket(u[:, 1], _MAJOR),
            _scale(u[:, 2], 10),
            _scale(u[:, 3], 20),
            _scale(u[:, 4], REVIEW_DAYS),
        ]
    )
