"""Assembly: post *i* of corpus *seed* as a pure function of (seed, i), from its plan.

Posts are made in batches: :func:`synth.generation.plan.plan_batch` plans the whole batch at
once, then each post is assembled from its plan. A plan depends only on (seed, post index), never
on the batch, so the bytes of a post do not depend on how posts are batched, sharded or spread on
workers. The hot path builds plain dicts in the model's key order and encodes them with orjson
(:func:`synth.schema.hash.seal`); the pydantic model is the contract the tests hold the dicts to,
not a step of the loop.

Distributions (documented in ``docs/post.md``):

* images per post: 0 (15%), 1 (45%), 2 (20%), 3 (12%), 4 (6%), 5 (2%);
* production-check paragraphs 2-7 (mostly 3-5), final-note paragraphs 1-2 (75% one); 60% of
  paragraphs carry a sentence of 6-9 words drawn with a Zipf law from the locale's
  vocabulary, and 30% of those a second one of 4-7 words;
* view counts: log-normal body (median about 12k) with a heavy tail, from a quantile table;
* scores: sums of three uniform draws (quality and clarity 40-100, freshness and depth 10-100);
* ``last_reviewed``: up to eight years before the fixed epoch 2025-01-01 (never the wall clock).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from synth.generation import vocab
from synth.generation.plan import DIFFICULTY, STATUS, Plan, Vocab, loaded, plan_batch
from synth.generation.request import (
    BATCH,
    EPOCH,
    GENERATOR,
    IMAGE_HOST,
    MAX_INDEX,
    MAX_SEED,
    SIMILAR_WINDOW,
    check_count,
    check_request,
    post_id,
)
from synth.generation.rng import distinct
from synth.generation.streams import FIRST_SENTENCE, MAX_CHECKS, MAX_WORDS
from synth.schema.constants import SCHEMA_VERSION, ZERO_HASH
from synth.schema.hash import seal

__all__ = [
    "BATCH",
    "EPOCH",
    "GENERATOR",
    "IMAGE_HOST",
    "MAX_INDEX",
    "MAX_SEED",
    "SIMILAR_WINDOW",
    "batch_dicts",
    "batch_json",
    "build",
    "check_count",
    "check_request",
    "image_blocks",
    "post_dict",
    "post_id",
    "post_json",
    "reading_time",
]

_SECOND_SLOT: Final = FIRST_SENTENCE[1]  # a paragraph's second sentence starts after the first's longest


# ---- assembly: one post from its plan (plain Python, dicts in schema key order) ----


def _paragraphs(
    picks: list[int], pool: tuple[str, ...], fill: dict[str, str], plan: Plan, at: int, words: vocab.Words
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
                paragraph += " " + sep.join(plan.words[w + _SECOND_SLOT : w + _SECOND_SLOT + two]) + end
        out.append(paragraph)
        at += 1
    return out


def _body(plan: Plan, v: Vocab, fill: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
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
    return [post_id(low + j) for j in distinct(row[1:], index - low, min(index, row[0]))]


def _tools(row: list[int], stack: vocab.Stack, generic: tuple[str, ...]) -> list[str]:
    n_own, n_generic, *picks = row
    own = [stack.tools[i] for i in distinct(picks[:6], len(stack.tools), n_own)]
    return own + [g for i in distinct(picks[6:], len(generic), n_generic) if (g := generic[i]) not in own]


def _revision_of(row: list[int], v: Vocab) -> dict[str, str]:
    status_i, major, minor, patch, days = row
    return {"status": STATUS[status_i][0], "version": f"{major}.{minor}.{patch}", "last_reviewed": v.dates[days]}


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


def build(index: int, plan: Plan, v: Vocab) -> dict[str, Any]:
    """Post ``index`` from its plan, as a dict in schema key order with the hash zeroed."""
    t = v.topics
    number = f"{index:06d}"
    pid = post_id(index)
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
            "difficulty": DIFFICULTY[difficulty_i][0],
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


def batch_dicts(
    first: int, count: int, *, seed: int = 0, locale: str = "en_US", streams: Mapping[str, int] | None = None
) -> list[dict[str, Any]]:
    """Posts ``first .. first + count - 1`` as dicts in schema key order, hash zeroed.

    ``streams`` maps the generator's stream names to other ids (see :mod:`synth.generation.streams`).
    """
    check_count(count)
    check_request(range(first, first + count), seed, locale)
    if not count:
        return []
    v = loaded(locale)
    return [build(first + i, plan, v) for i, plan in enumerate(plan_batch(seed, first, count, v, streams))]


def batch_json(
    first: int, count: int, *, seed: int = 0, locale: str = "en_US", streams: Mapping[str, int] | None = None
) -> list[bytes]:
    """Posts ``first .. first + count - 1`` as compact JSON (no newline): what ``synth generate`` writes."""
    return [seal(post) for post in batch_dicts(first, count, seed=seed, locale=locale, streams=streams)]


def post_dict(index: int, *, seed: int = 0, locale: str = "en_US") -> dict[str, Any]:
    """Post ``index`` as a plain dict in schema key order, hash filled in."""
    post = batch_dicts(index, 1, seed=seed, locale=locale)[0]
    seal(post)
    return post


def post_json(index: int, *, seed: int = 0, locale: str = "en_US") -> bytes:
    """Post ``index`` as compact JSON bytes (no newline)."""
    return batch_json(index, 1, seed=seed, locale=locale)[0]
