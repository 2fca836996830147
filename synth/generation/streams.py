"""The registry of random streams: every stream synth draws from has a fixed id, here and only here.

Draw *j* of stream *s* of post *i* is a hash of (seed, i, s, j) (:func:`synth.generation.rng.draws`),
so a stream's id, not its place in some list, decides its values. Ids are fixed forever and
grouped in reserved ranges, so that adding a stream to one group can never move another's:

=================  ===============  ===========================================================
range              owner            streams
=================  ===============  ===========================================================
0 - 99             generator        one per field group of a post (:data:`GENERATOR`); a new
                                    field takes the next free id, raising a budget is safe
100 - 199          invalid corpus   which posts the labelled invalid corpus breaks, and how
200 - 299          editions         the fate of each post from one edition to the next
300 - 399          workloads        the choices of a query workload (:mod:`synth.workload`)
1000 - 64999       revised text     revision *r* of a post redraws its text streams at
                                    ``1000 * r + id`` (:func:`revised`), *r* from 1 to 64
=================  ===============  ===========================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "DEFECTS",
    "EDITION_FATES",
    "GENERATOR",
    "MAX_EDITION",
    "MAX_REVISION",
    "RANGES",
    "REVISED_TEXT",
    "WORKLOAD_LOG",
    "WORKLOAD_PLAN",
    "WORKLOAD_RANK",
    "Stream",
    "generator_ids",
    "revised",
]

MAX_CHECKS: Final = 7  # production-check paragraphs, at most
MAX_FINALS: Final = 2  # final-note paragraphs, at most
MAX_PARAGRAPHS: Final = MAX_CHECKS + MAX_FINALS
FIRST_SENTENCE: Final = (6, 9)  # words of a paragraph's free-text sentence, fewest and most
SECOND_SENTENCE: Final = (4, 7)  # words of its optional second sentence
MAX_WORDS: Final = FIRST_SENTENCE[1] + SECOND_SENTENCE[1]  # word slots a paragraph draws


@dataclass(frozen=True, slots=True)
class Stream:
    """A random stream: its fixed id, its name, and how many draws a post takes from it."""

    id: int
    name: str
    draws: int


RANGES: Final = {
    "generator": range(100),
    "defects": range(100, 200),
    "editions": range(200, 300),
    "workloads": range(300, 400),
}

# The generator's streams, one per field group. NEVER renumber: a new field takes the next id.
GENERATOR: Final = (
    Stream(0, "topic", 3),  # stack, problem, scenario
    Stream(1, "tools", 11),  # own count, generic count, 6 own picks, 3 generic picks
    Stream(2, "body", 2 + MAX_PARAGRAPHS),  # counts, then paragraph picks
    Stream(3, "text", 4 * MAX_PARAGRAPHS),  # per paragraph: free text?, words, 2nd?, words
    Stream(4, "words", MAX_WORDS * MAX_PARAGRAPHS // 2),  # two 16-bit Zipf draws per value
    Stream(5, "checklist", 9),  # count, 8 picks
    Stream(6, "images", 1),
    Stream(7, "numbers", 14),  # view bucket, view fraction, 12 score terms
    Stream(8, "prose", 6),  # title, intro, summary, action, brief, difficulty
    Stream(9, "flags", 2),
    Stream(10, "revision", 5),  # status, major, minor, patch, days before the epoch
    Stream(11, "reference", 1),
    Stream(12, "notes", 3),
    Stream(13, "similar", 6),  # count, 5 picks
)
DEFECTS: Final = Stream(100, "defects", 3)  # broken?, kind, (spare)
EDITION_FATES: Final = Stream(200, "edition-fates", 64)  # one draw per edition step
MAX_EDITION: Final = EDITION_FATES.draws  # one fate draw per edition step; revisions stay below MAX_REVISION
# A workload's choices: which queries it plans, their frequency ranks, the query log it repeats.
WORKLOAD_PLAN: Final = Stream(300, "workload-plan", 1)
WORKLOAD_RANK: Final = Stream(301, "workload-rank", 1)
WORKLOAD_LOG: Final = Stream(302, "workload-log", 1)
REVISED_TEXT: Final = ("body", "text", "words", "checklist", "prose")  # what a revision rewrites
MAX_REVISION: Final = 64
_REVISION_BASE: Final = 1000


def generator_ids() -> dict[str, int]:
    """The generator's stream ids by name (what a post of the base corpus draws from)."""
    return {s.name: s.id for s in GENERATOR}


def revised(revision: int) -> dict[str, int]:
    """The stream ids of a post's text after ``revision`` revisions (1-64): the text streams move, the rest stay."""
    if not 1 <= revision <= MAX_REVISION:
        raise ValueError(f"revision {revision} is outside 1..{MAX_REVISION}")
    ids = generator_ids()
    return {name: _REVISION_BASE * revision + i if name in REVISED_TEXT else i for name, i in ids.items()}
