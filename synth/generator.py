"""The synthesizer: post *i* of corpus *seed* as a pure function of (seed, i).

Posts are made in batches: the random draws of every stream (see :data:`STREAMS`) for the
whole batch come from :func:`synth.rng.draws` at once, then each post is assembled from its
rows. Draw *j* of a stream depends only on (seed, post index, stream, j), never on the batch,
so the bytes of a post do not depend on how posts are batched, sharded or spread on workers.
The hot path builds plain dicts in the model's key order and encodes them with orjson; the
pydantic model is the contract the tests hold the dicts to, not a step of the loop.

Distributions (documented in the README):

* images per post: 0 (15%), 1 (45%), 2 (20%), 3 (12%), 4 (6%), 5 (2%);
* production-check paragraphs 2-7 (mostly 3-5), final-note paragraphs 1-2 (75% one); 60% of
  paragraphs carry a sentence of 6-9 words drawn with a Zipf law from the locale's
  vocabulary, and 30% of those a second one of 4-7 words;
* view counts: log-normal body (median about 12k) with a heavy tail, from a quantile table;
* scores: sums of three uniform draws (quality and clarity 40-100, freshness and depth 10-100);
* ``last_reviewed``: up to eight years before the fixed epoch 2025-01-01 (never the wall clock).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import gc
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeAlias

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    from synth.model import Post
import orjson

from synth import vocab
from synth._constants import SCHEMA_VERSION, ZERO_HASH
from synth.errors import GenerationError
from synth.rng import distinct, draws, seed_key

__all__ = [
    "BATCH",
    "EPOCH",
    "GENERATOR",
    "STREAMS",
    "batch_json",
    "check_request",
    "generate",
    "generate_post",
    "image_blocks",
    "post_dict",
    "post_id",
    "post_json",
    "reading_time",
    "seal",
]

GENERATOR: Final = "anp content synthesizer"
EPOCH: Final = _dt.date(2025, 1, 1)
MAX_SEED: Final = 2**63 - 1
MAX_INDEX: Final = 10**12 - 1
BATCH: Final = 500
IMAGE_HOST: Final = "picsum.photos"
SIMILAR_WINDOW: Final = 5000
MAX_CHECKS: Final = 7
MAX_FINALS: Final = 2
MAX_WORDS: Final = 16

# The streams and their budgets of draws. APPEND ONLY: a stream's draws depend on its
# position here, so a new field takes a new stream at the end; raising a budget is safe.
STREAMS: Final = (
    ("topic", 3),  # stack, problem, scenario
    ("tools", 11),  # own count, generic count, 6 own picks, 3 generic picks
    ("body", 2 + MAX_CHECKS + MAX_FINALS),  # counts, then paragraph picks
    ("text", 4 * (MAX_CHECKS + MAX_FINALS)),  # per paragraph: free text?, words, 2nd?, words
    ("words", MAX_WORDS * (MAX_CHECKS + MAX_FINALS) // 2),  # two 16-bit Zipf draws per value
    ("checklist", 9),  # count, 8 picks
    ("images", 1),
    ("numbers", 14),  # view bucket, view fraction, 12 score terms
    ("prose", 6),  # title, intro, summary, action, brief, difficulty
    ("flags", 2),
    ("revision", 5),  # status, major, minor, patch, days before the epoch
    ("reference", 1),
    ("notes", 3),
    ("similar", 6),  # count, 5 picks
)
_STREAM_IDS: Final = {name: (position, budget) for position, (name, budget) in enumerate(STREAMS)}

# Cumulative thresholds on a draw reduced to range(1000).
_IMAGES: Final = (150, 600, 800, 920, 980, 1000)
_CHECKS: Final = (0, 0, 150, 450, 750, 900, 970, 1000)
_SIMILAR: Final = (250, 400, 600, 800, 920, 1000)
_NOTES: Final = (700, 900, 1000)
_DIFFICULTY: Final = (("beginner", 200), ("intermediate", 650), ("advanced", 930), ("expert", 1000))
_STATUS: Final = (("draft", 80), ("reviewed", 450), ("expanded", 700), ("revised", 950), ("archived", 1000))
_MAJOR: Final = (700, 920, 1000)  # major version 1, 2, 3
_REVIEW_DAYS: Final = 8 * 365


def post_id(index: int) -> str:
    """The id of post ``index``: its number zero-padded to six digits."""
    return f"alphanode-{index:06d}"


@dataclass(frozen=True, slots=True)
class _Vocab:
    topics: vocab.Topics
    words: vocab.Words
    word_table: npt.NDArray[np.object_]
    views: npt.NDArray[np.int64]
    views_next: npt.NDArray[np.int64]
    dates: tuple[str, ...]


@functools.cache
def _vocab(locale: str) -> _Vocab:
    words = vocab.words(locale)
    views = np.array(vocab.distributions().view_count, dtype=np.int64)
    views_next = np.append(views[1:], views[-1] * 4)
    dates = tuple((EPOCH - _dt.timedelta(days=d)).isoformat() for d in range(_REVIEW_DAYS))
    return _Vocab(vocab.topics(), words, np.array(words.table, dtype=object), views, views_next, dates)


def check_request(indices: range, seed: int, locale: str) -> None:
    """Raise :class:`GenerationError` unless every post of ``indices`` can be made."""
    if not 0 <= seed <= MAX_SEED:
        raise GenerationError(f"seed {seed} is out of range", hint=f"use a seed from 0 to {MAX_SEED}")
    if indices and not (indices.start >= 0 and indices.stop - 1 <= MAX_INDEX):
        raise GenerationError(
            f"post indices {indices.start}..{indices.stop - 1} are out of range",
            hint=f"use indices from 0 to {MAX_INDEX}",
        )
    _vocab(locale)


# ---- planning: every decision with a fixed range, for a whole batch at once (numpy) ----

I64: TypeAlias = "npt.NDArray[np.int64]"


def _scale(u: I64, n: int) -> I64:
    """32-bit draws reduced to ``range(n)`` (``u * n >> 32``)."""
    return (u * n) >> 32


def _bucket(u: I64, thresholds: tuple[int, ...]) -> I64:
    """Index of the first cumulative per-mille threshold above each draw."""
    return np.searchsorted(np.array(thresholds), _scale(u, 1000), side="right").astype(np.int64)


class _Plan(NamedTuple):
    """One post's decisions; each field is a row of :func:`_plan` (see there for the layout)."""

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


def _plan(seed: int, first: int, count: int, v: _Vocab, streams: Sequence[int] | None = None) -> list[_Plan]:
    """The decisions of posts ``first .. first + count - 1`` from their streams' draws.

    ``streams`` gives the stream id each of :data:`STREAMS` draws from (default: its position).
    """
    key = seed_key(seed)
    ids = range(len(STREAMS)) if streams is None else streams
    raw = {
        name: draws(key, first, count, stream, budget).astype(np.int64)
        for (name, budget), stream in zip(STREAMS, ids, strict=True)
    }
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
    columns: dict[str, list[Any]] = {
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
    return list(map(_Plan._make, zip(*columns.values(), strict=True)))


def _lengths(u: I64) -> I64:
    """Per paragraph, the word counts of its first and second free-text sentence (0: none)."""
    with_text, first, more, second = (u[:, i::4] for i in range(4))
    one = np.where(_scale(with_text, 1000) < 600, 6 + _scale(first, 4), 0)
    two = np.where((one > 0) & (_scale(more, 1000) < 300), 4 + _scale(second, 4), 0)
    return np.stack([one, two], axis=2).reshape(len(u), -1)


def _words(u: I64, table: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Two Zipf words per draw: the low and the high 16 bits index the 2**16-slot table."""
    halves = np.stack([u & 0xFFFF, u >> 16], axis=2).reshape(len(u), -1)
    return table[halves]


def _numbers(u: I64, v: _Vocab) -> I64:
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
    return np.column_stack([*picks, _bucket(u[:, 5], tuple(th for _, th in _DIFFICULTY))])


def _revision(u: I64) -> I64:
    return np.column_stack(
        [
            _bucket(u[:, 0], tuple(th for _, th in _STATUS)),
            1 + _bucket(u[:, 1], _MAJOR),
            _scale(u[:, 2], 10),
            _scale(u[:, 3], 20),
            _scale(u[:, 4], _REVIEW_DAYS),
        ]
    )


# ---- assembly: one post from its plan (plain Python, dicts in schema key order) ----


def _paragraphs(
    picks: list[int], pool: tuple[str, ...], fill: dict[str, str], plan: _Plan, at: int, words: vocab.Words
) -> list[str]:
    """The picked paragraphs with their free-text sentences; ``at`` is the first paragraph's slot."""
    sep, end = words.separator, words.terminator
    out = []
    for p in picks:
        template = pool[p]
        paragraph = template.format_map(fill) if "{" in template else template
        one, two = plan.lengths[2 * at], plan.lengths[2 * at + 1]
        if one:
            w = MAX_WORDS * at
            paragraph += " " + sep.join(plan.words[w : w + one]) + end
            if two:
                paragraph += " " + sep.join(plan.words[w + 9 : w + 9 + two]) + end
        out.append(paragraph)
        at += 1
    return out


def _body(plan: _Plan, v: _Vocab, fill: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """The production-check paragraphs, the checklist and the final-note paragraphs."""
    t = v.topics
    n_checks, n_finals, *picks = plan.body
    check_picks = distinct(picks[:MAX_CHECKS], len(t.check_paragraphs), n_checks)
    final_picks = distinct(picks[MAX_CHECKS:], len(t.final_paragraphs), n_finals)
    checks = _paragraphs(check_picks, t.check_paragraphs, fill, plan, 0, v.words)
    finals = _paragraphs(final_picks, t.final_paragraphs, fill, plan, n_checks, v.words)
    n_items, *item_picks = plan.checklist
    items = t.checklist_items
    return checks, [items[i] for i in distinct(item_picks, len(items), n_items)], finals


def image_blocks(count: int, number: str, caption_stem: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The image blocks and image sources of a post: captions ``<stem> visual reference <n>``, urls with its number."""
    blocks, sources = [], []
    for n in range(1, count + 1):
        caption = f"{caption_stem} visual reference {n}"
        name = f"anp-{number}" if n == 1 else f"anp-{number}-{n}"
        blocks.append({"caption": caption, "source": IMAGE_HOST})
        sources.append({"source": IMAGE_HOST, "url": f"https://{IMAGE_HOST}/seed/{name}/1200/630", "caption": caption})
    return blocks, sources


def _similar(row: list[int], index: int) -> list[str]:
    """Ids of up to five earlier posts: every prefix of a corpus is closed under these links."""
    low = max(0, index - SIMILAR_WINDOW)
    return [f"alphanode-{low + j:06d}" for j in distinct(row[1:], index - low, min(index, row[0]))]


def _tools(row: list[int], stack: vocab.Stack, generic: tuple[str, ...]) -> list[str]:
    n_own, n_generic, *picks = row
    own = [stack.tools[i] for i in distinct(picks[:6], len(stack.tools), n_own)]
    return own + [g for i in distinct(picks[6:], len(generic), n_generic) if (g := generic[i]) not in own]


def _revision_of(row: list[int], v: _Vocab) -> dict[str, str]:
    status_i, major, minor, patch, days = row
    return {"status": _STATUS[status_i][0], "version": f"{major}.{minor}.{patch}", "last_reviewed": v.dates[days]}


def _flags(row: list[bool], images: int) -> dict[str, bool]:
    return {
        "ai_generated_style": row[0],
        "has_images": images > 0,
        "image_heavy": images >= 3,
        "needs_human_review": row[1],
    }


def _notes(row: list[int], notes: tuple[str, ...]) -> list[str]:
    """The sample's three standing notes, then the drawn ones."""
    count, *picks = row
    return [*notes[:3], *(notes[3 + i] for i in distinct(picks, len(notes) - 3, count))]


def _build(index: int, plan: _Plan, v: _Vocab) -> dict[str, Any]:
    """Post ``index`` from its plan, as a dict in schema key order with the hash zeroed."""
    t = v.topics
    number = f"{index:06d}"
    pid = f"alphanode-{number}"
    stack, problem, scenario = t.stacks[plan.topic[0]], t.problems[plan.topic[1]], t.scenarios[plan.topic[2]]
    tools = _tools(plan.tools, stack, t.generic_tools)
    fill = {"problem": problem, "stack": stack.name, "scenario": scenario, "tool": tools[0]}
    checks, checklist, finals = _body(plan, v, fill)
    images, image_sources = image_blocks(plan.images, number, f"{problem} with {stack.name}")
    views, quality, freshness, depth, clarity = plan.numbers
    title_i, intro_i, summary_i, action_i, brief_i, difficulty_i = plan.prose
    title = t.title_templates[title_i].format_map(fill)
    intro = t.intro_templates[intro_i].format_map(fill)
    outline = {"context": scenario, "problem": problem, "stack": stack.name,
               "recommended_action": t.recommended_actions[action_i]}  # fmt: skip
    entities = [{"name": stack.name, "type": "stack"}, {"name": stack.area, "type": "area"},
                {"name": problem, "type": "problem"}]  # fmt: skip
    payload = {"source_id": pid, "generator": GENERATOR, "paragraphs": len(checks) + len(finals),
               "scenario": scenario, "seed": index}  # fmt: skip
    return {
        "schema_version": SCHEMA_VERSION,
        "id": pid,
        "title": title,
        "intro": intro,
        "images": images,
        "sections": [
            {"kind": "paragraphs", "heading": "production checks", "paragraphs": checks},
            {"kind": "checklist", "heading": "implementation checklist", "items": checklist},
            {"kind": "paragraphs", "heading": "final notes", "paragraphs": finals},
        ],
        "meta": {
            "topic": f"{problem} / {stack.name}",
            "summary": t.summary_templates[summary_i].format_map(fill),
            "ai_outline": outline,
            "ai_brief": t.brief_templates[brief_i],
            "stack": [stack.name, stack.area, stack.language],
            "tools": tools,
            "code_language": stack.language,
            "difficulty": _DIFFICULTY[difficulty_i][0],
            "reading_time": reading_time(title, intro, checks, checklist, finals),
            "view_count": views,
            "score": {"quality": quality, "freshness": freshness, "depth": depth, "clarity": clarity},
            "revision": _revision_of(plan.revision, v),
            "reference": f"anp-ref-{number}-{plan.reference:04d}",
            "hash": ZERO_HASH,
            "flags": _flags(plan.flags, len(images)),
            "checklist": checklist,
            "entities": entities,
            "image_sources": image_sources,
            "payload": payload,
            "notes": _notes(plan.notes, t.notes),
        },
        "similar_posts": _similar(plan.similar, index),
    }


def reading_time(title: str, intro: str, *parts: list[str]) -> int:
    """Minutes to read the article at 40 words a minute (words: spaces plus one per piece of text)."""
    pieces = [title, intro, *(text for part in parts for text in part)]
    words = sum(text.count(" ") for text in pieces) + len(pieces)
    return min(600, max(1, (words + 20) // 40))


_HASH_FIELD: Final = b'"hash":"' + ZERO_HASH.encode() + b'"'


def seal(post: dict[str, Any]) -> bytes:
    """Fill in ``meta.hash`` of a post dict whose hash is zeroed; returns its compact JSON.

    The hash is defined on exactly these bytes: the post's compact JSON in schema key order
    with the hash set to 24 zeros (see :func:`synth.model.content_hash`). A JSON string value
    cannot contain the unescaped ``"hash":"000..."``, so the first match is the field.
    """
    data = orjson.dumps(post)
    digest = hashlib.sha256(data).hexdigest()[:24]
    post["meta"]["hash"] = digest
    return data.replace(_HASH_FIELD, b'"hash":"' + digest.encode() + b'"', 1)


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector: posts are acyclic, and its passes cost a quarter of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def batch_dicts(first: int, count: int, *, seed: int = 0, locale: str = "en_US") -> list[dict[str, Any]]:
    """Posts ``first .. first + count - 1`` as dicts in schema key order, hash zeroed."""
    check_request(range(first, first + count), seed, locale)
    v = _vocab(locale)
    with _without_cycle_collection():
        return [_build(first + i, plan, v) for i, plan in enumerate(_plan(seed, first, count, v))]


def batch_json(first: int, count: int, *, seed: int = 0, locale: str = "en_US") -> list[bytes]:
    """Posts ``first .. first + count - 1`` as compact JSON (no newline): what ``synth generate`` writes."""
    return [seal(post) for post in batch_dicts(first, count, seed=seed, locale=locale)]


def post_dict(index: int, *, seed: int = 0, locale: str = "en_US") -> dict[str, Any]:
    """Post ``index`` as a plain dict in schema key order, hash filled in."""
    post = batch_dicts(index, 1, seed=seed, locale=locale)[0]
    seal(post)
    return post


def post_json(index: int, *, seed: int = 0, locale: str = "en_US") -> bytes:
    """Post ``index`` as compact JSON bytes (no newline)."""
    return batch_json(index, 1, seed=seed, locale=locale)[0]


def generate_post(index: int, *, seed: int = 0, locale: str = "en_US") -> Post:
    """Post ``index`` (0-based) of corpus ``seed``, alone: equal to that line of a generated file."""
    from synth.model import Post  # noqa: PLC0415 - pydantic stays out of the generator's start-up

    return Post.model_validate_json(post_json(index, seed=seed, locale=locale))


def generate(count: int, *, seed: int = 0, start: int = 0, locale: str = "en_US") -> Iterator[Post]:
    """Posts ``start .. start + count - 1`` of corpus ``seed``, in order, as models."""
    from synth.model import Post  # noqa: PLC0415 - pydantic stays out of the generator's start-up

    if count < 0:
        raise GenerationError(f"count {count} is negative", hint="ask for zero or more posts")
    for first in range(start, start + count, BATCH):
        for data in batch_json(first, min(BATCH, start + count - first), seed=seed, locale=locale):
            yield Post.model_validate_json(data)
