"""Editions of a corpus, for sync tests: edition E is a deterministic next state of edition E-1.

Edition 1 is the corpus itself. From each edition to the next, decided per post by its own
random stream (so any post of any edition is a pure function of seed, index and edition):

* 3% of the posts present are removed (for good);
* 10% are revised: new body text, checklist and prose, the same topic, the version's minor
  number raised by one and the patch reset, status ``revised``, reviewed 30 days later
  (never after the fixed epoch), and a new hash;
* 5% of the base count are added as new posts, numbered after every earlier post.

Links (``similar_posts``) to posts removed by an edition are dropped from that edition.

Editions stream like the base corpus, in bounded memory: whether a post is present in an
edition is itself a pure function of (seed, count, index, edition) (:func:`present_in`), so the
targets of a batch's links are looked up in the window of posts they can point to (the
:data:`~synth.generation.request.SIMILAR_WINDOW` before the batch), never in a set of every post.

The posts come from either engine (:mod:`synth.generation.engines`) as bytes; the edition's
changes are made in Python over them: a post neither revised nor losing a link is written as it
came, any other is decoded, given its revision (the text of its twin, the same post drawn from
the revised streams) and its remaining links, and sealed again. The bytes do not depend on the
engine.
"""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

import numpy as np
import orjson

from synth.errors import UsageError
from synth.generation import engines
from synth.generation.request import EPOCH, SIMILAR_WINDOW
from synth.generation.rng import draws, seed_key
from synth.generation.streams import EDITION_FATES, MAX_EDITION, revised
from synth.schema.hash import seal

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["ADD", "MAX_EDITION", "REMOVE", "REVISE", "edition_lines", "edition_members", "present_in"]

REMOVE: Final = 0.03
REVISE: Final = 0.10
ADD: Final = 0.05
_BATCH: Final = 1000


def _added(count: int) -> int:
    return (count * 5 + 99) // 100 if count else 0


@dataclass(frozen=True, slots=True)
class Member:
    """A post present in an edition: its index and how many times it has been revised."""

    index: int
    revisions: int


def _fate_draws(seed: int, first: int, count: int, born: int, edition: int) -> npt.NDArray[np.uint64]:
    """The fate draws of posts ``first ..`` for the steps from edition ``born`` to ``edition`` (a column a step)."""
    return draws(seed_key(seed), first, count, EDITION_FATES.id, edition)[:, born:edition]


def _removed(u: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    return cast("npt.NDArray[np.bool_]", (u < int(REMOVE * 2**32)).any(axis=1))


def _fates(seed: int, first: int, count: int, born: int, edition: int) -> Iterator[Member]:
    """Members among posts ``first ..`` that appeared in edition ``born``, as of ``edition``."""
    steps = edition - born
    if steps <= 0:
        yield from (Member(i, 0) for i in range(first, first + count))
        return
    u = _fate_draws(seed, first, count, born, edition)
    removed = _removed(u)
    revisions = (u < int((REMOVE + REVISE) * 2**32)).sum(axis=1)
    for offset in np.flatnonzero(~removed).tolist():
        yield Member(first + offset, int(revisions[offset]))


def edition_members(count: int, edition: int, seed: int = 0) -> Iterator[Member]:
    """The posts of ``edition`` of the corpus of ``count`` base posts, in index order."""
    if not 1 <= edition <= MAX_EDITION:
        raise UsageError(f"edition {edition} is out of range", hint=f"use 1 to {MAX_EDITION}", parameter="edition")
    for first in range(0, count, 10_000):
        yield from _fates(seed, first, min(10_000, count - first), 1, edition)
    start = count
    for born in range(2, edition + 1):
        yield from _fates(seed, start, _added(count), born, edition)
        start += _added(count)


def _blocks(count: int, edition: int) -> Iterator[tuple[int, int, int]]:
    """(first index, end, edition born) of the base posts and of each edition's added posts, up to ``edition``."""
    yield 0, count, 1
    added = _added(count)
    for born in range(2, edition + 1):
        yield count + (born - 2) * added, count + (born - 1) * added, born


def present_in(count: int, edition: int, first: int, end: int, seed: int = 0) -> npt.NDArray[np.bool_]:
    """Whether each post ``first .. end - 1`` is present in ``edition`` of the corpus of ``count`` posts.

    The same answer as membership in :func:`edition_members`, for one window of indices.
    """
    mask = np.zeros(max(0, end - first), dtype=bool)
    for low, high, born in _blocks(count, edition):
        a, z = max(first, low), min(end, high)
        if a < z and edition > born:
            mask[a - first : z - first] = ~_removed(_fate_draws(seed, a, z - a, born, edition))
        elif a < z:
            mask[a - first : z - first] = True
    return mask


@dataclass(frozen=True, slots=True)
class _Window:
    """The posts present in an edition among ``first .. first + len(mask) - 1``; others are looked up alone."""

    first: int
    mask: npt.NDArray[np.bool_]
    count: int
    edition: int
    seed: int

    def __contains__(self, index: object) -> bool:
        if not isinstance(index, int):
            return False
        at = index - self.first
        if 0 <= at < len(self.mask):
            return bool(self.mask[at])
        return bool(present_in(self.count, self.edition, index, index + 1, self.seed)[0])


def _revise(post: dict[str, Any], twin: dict[str, Any], revisions: int) -> None:
    """Give ``post`` the text of ``twin`` (same topic) and the bumps of ``revisions`` revisions."""
    post["title"], post["intro"], post["sections"] = twin["title"], twin["intro"], twin["sections"]
    meta, twin_meta = post["meta"], twin["meta"]
    for key in ("summary", "ai_brief", "checklist", "reading_time"):
        meta[key] = twin_meta[key]
    meta["ai_outline"]["recommended_action"] = twin_meta["ai_outline"]["recommended_action"]
    meta["payload"]["paragraphs"] = twin_meta["payload"]["paragraphs"]
    major, minor, _ = meta["revision"]["version"].split(".")
    reviewed = _dt.date.fromisoformat(meta["revision"]["last_reviewed"]) + _dt.timedelta(days=30 * revisions)
    meta["revision"] = {
        "status": "revised",
        "version": f"{major}.{int(minor) + revisions}.0",
        "last_reviewed": min(reviewed, EPOCH).isoformat(),
    }


def _edition_post(
    member: Member, line: bytes, seed: int, locale: str, present: _Window | None, engine: engines.Resolved
) -> bytes:
    """The line of ``member`` in its edition, from its line in the corpus (``line``)."""
    if not member.revisions and present is None:
        return line
    post = orjson.loads(line)
    kept = [s for s in post["similar_posts"] if present is None or int(s[10:]) in present]
    if not member.revisions and len(kept) == len(post["similar_posts"]):
        return line
    if member.revisions:
        streams = revised(member.revisions)
        twin = engines.batch_json(member.index, 1, seed=seed, locale=locale, streams=streams, engine=engine)[0]
        _revise(post, orjson.loads(twin), member.revisions)
    post["similar_posts"] = kept
    return seal(post)


def edition_lines(
    count: int, edition: int, *, seed: int = 0, locale: str = "en_US", engine: engines.Engine = "auto"
) -> Iterator[bytes]:
    """The JSON lines of ``edition`` (edition 1 is the corpus itself, byte for byte), streamed batch by batch."""
    members = edition_members(count, edition, seed)
    which = engines.resolve(engine)
    while batch := list(itertools.islice(members, _BATCH)):
        low, high = batch[0].index, batch[-1].index + 1
        lines = engines.batch_json(low, high - low, seed=seed, locale=locale, engine=which)
        present = None
        if edition > 1:  # links point back at most SIMILAR_WINDOW posts
            window = max(0, low - SIMILAR_WINDOW)
            present = _Window(window, present_in(count, edition, window, high, seed), count, edition, seed)
        for member in batch:
            yield _edition_post(member, lines[member.index - low], seed, locale, present, which)
