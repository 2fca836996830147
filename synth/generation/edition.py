"""Editions of a corpus, for sync tests: edition E is a deterministic next state of edition E-1.

Edition 1 is the corpus itself. From each edition to the next, decided per post by its own
random stream (so any post of any edition is a pure function of seed, index and edition):

* 3% of the posts present are removed (for good);
* 10% are revised: new body text, checklist and prose, the same topic, the version's minor
  number raised by one and the patch reset, status ``revised``, reviewed 30 days later
  (never after the fixed epoch), and a new hash;
* 5% of the base count are added as new posts, numbered after every earlier post.

Links (``similar_posts``) to posts removed by an edition are dropped from that edition.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from synth.errors import UsageError
from synth.generation.assemble import build
from synth.generation.plan import EPOCH, Plan, loaded, plan_batch
from synth.generation.rng import draws, seed_key
from synth.generation.streams import EDITION_FATES, revised
from synth.schema.hash import seal

__all__ = ["ADD", "REMOVE", "REVISE", "edition_lines", "edition_members"]

REMOVE: Final = 0.03
REVISE: Final = 0.10
ADD: Final = 0.05
MAX_EDITION: Final = EDITION_FATES.draws  # one fate draw per edition step; revisions stay below MAX_REVISION
_BATCH: Final = 500


def _added(count: int) -> int:
    return (count * 5 + 99) // 100 if count else 0


@dataclass(frozen=True, slots=True)
class Member:
    """A post present in an edition: its index and how many times it has been revised."""

    index: int
    revisions: int


def _fates(seed: int, first: int, count: int, born: int, edition: int) -> Iterator[Member]:
    """Members among posts ``first ..`` that appeared in edition ``born``, as of ``edition``."""
    steps = edition - born
    if steps <= 0:
        yield from (Member(i, 0) for i in range(first, first + count))
        return
    u = draws(seed_key(seed), first, count, EDITION_FATES.id, EDITION_FATES.draws)[:, born:edition]
    removed = (u < int(REMOVE * 2**32)).any(axis=1)
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


def _edition_post(member: Member, plan: Plan, seed: int, locale: str, present: set[int] | None) -> bytes:
    v = loaded(locale)
    post = build(member.index, plan, v)
    if member.revisions:
        twin = plan_batch(seed, member.index, 1, v, revised(member.revisions))[0]
        _revise(post, build(member.index, twin, v), member.revisions)
    if present is not None:
        post["similar_posts"] = [s for s in post["similar_posts"] if int(s[10:]) in present]
    return seal(post)


def edition_lines(count: int, edition: int, *, seed: int = 0, locale: str = "en_US") -> Iterator[bytes]:
    """The JSON lines of ``edition`` (edition 1 is the corpus itself, byte for byte)."""
    members = list(edition_members(count, edition, seed))
    present = {m.index for m in members} if edition > 1 else None
    v = loaded(locale)
    for at in range(0, len(members), _BATCH):
        batch = members[at : at + _BATCH]
        low, high = batch[0].index, batch[-1].index + 1
        plans = plan_batch(seed, low, high - low, v)
        for member in batch:
            yield _edition_post(member, plans[member.index - low], seed, locale, present)
