"""What a request for posts may ask, and the fixed values both engines share.

The bounds of seeds and post indices, the checks of a request, post ids, the fixed strings of a
post and the dates ``last_reviewed`` takes. Nothing here needs numpy or pydantic, so the
compiled engine's path (:mod:`synth.generation.native`) and the CLI start without them; the
Python reference (:mod:`~synth.generation.plan`, :mod:`~synth.generation.assemble`) takes these
from here and re-exports them.
"""

from __future__ import annotations

import datetime as _dt
import functools
from typing import Final

from synth.errors import GenerationError
from synth.generation import vocab

__all__ = [
    "BATCH",
    "EPOCH",
    "GENERATOR",
    "IMAGE_HOST",
    "MAX_INDEX",
    "MAX_SEED",
    "REVIEW_DAYS",
    "SIMILAR_WINDOW",
    "check_count",
    "check_request",
    "post_id",
    "review_dates",
]

GENERATOR: Final = "anp content synthesizer"
MAX_SEED: Final = 2**63 - 1
MAX_INDEX: Final = 10**12 - 1
BATCH: Final = 500  # posts the Python reference plans at once
IMAGE_HOST: Final = "picsum.photos"
SIMILAR_WINDOW: Final = 5000  # links point at most this many posts back
EPOCH: Final = _dt.date(2025, 1, 1)  # the fixed "today" of every corpus (never the wall clock)
REVIEW_DAYS: Final = 8 * 365  # last_reviewed: up to eight years before the epoch


def post_id(index: int) -> str:
    """The id of post ``index``: its number zero-padded to six digits."""
    return f"alphanode-{index:06d}"


def check_count(count: int, start: int = 0) -> None:
    """Raise :class:`GenerationError` unless ``count`` and ``start`` are zero or more."""
    if count < 0 or start < 0:
        name = "count" if count < 0 else "start"
        raise GenerationError(
            f"{name} {min(count, start)} is negative", hint=f"pass zero or a positive {name}", parameter=name
        )


def check_request(indices: range, seed: int, locale: str) -> None:
    """Raise :class:`GenerationError` unless every post of ``indices`` can be made (seed, indices, locale)."""
    if not 0 <= seed <= MAX_SEED:
        raise GenerationError(f"seed {seed} is out of range", hint=f"use a seed from 0 to {MAX_SEED}", parameter="seed")
    if indices and not (indices.start >= 0 and indices.stop - 1 <= MAX_INDEX):
        raise GenerationError(
            f"post indices {indices.start}..{indices.stop - 1} are out of range",
            hint=f"use indices from 0 to {MAX_INDEX}",
        )
    vocab.words(locale)  # raises for an unknown locale


@functools.cache
def review_dates() -> tuple[str, ...]:
    """``last_reviewed`` by days before the epoch: entry *d* is the ISO date *d* days before it."""
    return tuple((EPOCH - _dt.timedelta(days=d)).isoformat() for d in range(REVIEW_DAYS))
