"""The synthesizer: post *i* of corpus *seed* as a pure function of (seed, i).

Each field draws from its own :class:`~synth.rng.Stream` (named below, e.g. ``b"topic"``),
so a post is regenerable alone and adding a field never changes the others. The hot path
builds plain dicts in the model's key order and encodes them with orjson; the pydantic
model is the contract that tests hold the dicts to, not a step of the loop.

Distributions (documented in the README):

* images per post: 0 (15%), 1 (45%), 2 (20%), 3 (12%), 4 (6%), 5 (2%);
* production-check paragraphs 2-7 (mode 3-4), final-note paragraphs 1-2; 60% of paragraphs
  carry 1-2 sentences of free text whose words follow a Zipf law over the locale's vocabulary;
* view counts: log-normal body (median ~12k) with a heavy tail, from a quantile table;
* scores: triangular, quality/clarity centred higher than depth/freshness;
* ``last_reviewed``: up to eight years before the fixed epoch 2025-01-01 (never the wall clock).
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import orjson

from synth import vocab
from synth.errors import GenerationError
from synth.model import SCHEMA_VERSION, ZERO_HASH, Post
from synth.rng import Stream, post_key

__all__ = [
    "EPOCH",
    "GENERATOR",
    "check_request",
    "generate",
    "generate_post",
    "post_dict",
    "post_id",
    "post_json",
    "seal",
]

GENERATOR: Final = "anp content synthesizer"
EPOCH: Final = _dt.date(2025, 1, 1)
MAX_SEED: Final = 2**63 - 1
MAX_INDEX: Final = 10**12 - 1
IMAGE_HOST: Final = "picsum.photos"
SIMILAR_WINDOW: Final = 5000

# Cumulative per-mille thresholds: value k is drawn when below(1000) < thresholds[k].
_IMAGES: Final = (150, 600, 800, 920, 980, 1000)
_CHECK_PARAGRAPHS: Final = (0, 0, 150, 450, 750, 900, 970, 1000)
_SIMILAR: Final = (250, 400, 600, 800, 920, 1000)
_DIFFICULTY: Final = (("beginner", 200), ("intermediate", 650), ("advanced", 930), ("expert", 1000))
_STATUS: Final = (("draft", 80), ("reviewed", 450), ("expanded", 700), ("revised", 950), ("archived", 1000))
_MAJOR: Final = ((1, 700), (2, 920), (3, 1000))


def _bucket(r: int, thresholds: tuple[int, ...]) -> int:
    """The index of the first cumulative per-mille threshold above ``r`` (``r`` in 0..999)."""
    k = 0
    while r >= thresholds[k]:
        k += 1
    return k


def _weighted(r: int, table: tuple[tuple[Any, int], ...]) -> Any:
    for value, threshold in table:
        if r < threshold:
            return value
    raise AssertionError("thresholds must end at 1000")  # pragma: no cover


def post_id(index: int) -> str:
    """The id of post ``index``: its number zero-padded to six digits."""
    return f"alphanode-{index:06d}"


@dataclass(frozen=True, slots=True)
class _Vocab:
    topics: vocab.Topics
    words: vocab.Words
    views: tuple[int, ...]


@functools.cache
def _vocab(locale: str) -> _Vocab:
    return _Vocab(vocab.topics(), vocab.words(locale), vocab.distributions().view_count)


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


def _paragraphs(
    stream: Stream, text: Stream, words: vocab.Words, pool: tuple[str, ...], count: int, fill: dict[str, str]
) -> list[str]:
    """``count`` distinct paragraphs of ``pool``; 60% get one or two sentences of Zipf free text."""
    out = []
    table, sep, end = words.table, words.separator, words.terminator
    for template in stream.sample(pool, count):
        paragraph = template.format_map(fill) if "{" in template else template
        with_text, first, more, second = text.draw(1000, 11, 1000, 11)
        if with_text < 600:
            paragraph += " " + sep.join(text.table(table, 6 + first)) + end
            if more < 300:
                paragraph += " " + sep.join(text.table(table, 6 + second)) + end
        out.append(paragraph)
    return out


def _body(key: bytes, v: _Vocab, fill: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """The production-check paragraphs, the checklist and the final-note paragraphs."""
    body, text, checklist = Stream(key, b"body"), Stream(key, b"text"), Stream(key, b"checklist")
    t = v.topics
    n_checks, n_finals, n_items = body.draw(1000, 1000, 6)
    checks = _paragraphs(body, text, v.words, t.check_paragraphs, _bucket(n_checks, _CHECK_PARAGRAPHS), fill)
    finals = _paragraphs(body, text, v.words, t.final_paragraphs, 1 + (n_finals < 250), fill)
    return checks, checklist.sample(t.checklist_items, 3 + n_items), finals


def _images(key: bytes, number: str, caption_stem: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    count = _bucket(Stream(key, b"images").below(1000), _IMAGES)
    blocks, sources = [], []
    for n in range(1, count + 1):
        caption = f"{caption_stem} visual reference {n}"
        seed_name = f"anp-{number}" if n == 1 else f"anp-{number}-{n}"
        blocks.append({"caption": caption, "source": IMAGE_HOST})
        sources.append(
            {"source": IMAGE_HOST, "url": f"https://{IMAGE_HOST}/seed/{seed_name}/1200/630", "caption": caption}
        )
    return blocks, sources


def _similar(key: bytes, index: int) -> list[str]:
    """Ids of up to five earlier posts: every prefix of a corpus is closed under these links."""
    stream = Stream(key, b"similar")
    k = min(index, _bucket(stream.below(1000), _SIMILAR))
    low = max(0, index - SIMILAR_WINDOW)
    return [f"alphanode-{j:06d}" for j in stream.sample(range(low, index), k)]


def _numbers(key: bytes, views: tuple[int, ...]) -> tuple[int, dict[str, int]]:
    """A heavy-tailed view count and the four scores (each a sum of three uniform draws)."""
    b, frac, *s = Stream(key, b"numbers").draw(len(views), 1 << 20, *_SCORE_RADIXES)
    low = views[b]
    high = views[b + 1] if b + 1 < len(views) else low * 4
    score = {
        "quality": 40 + s[0] + s[1] + s[2],
        "freshness": 10 + s[3] + s[4] + s[5],
        "depth": 10 + s[6] + s[7] + s[8],
        "clarity": 40 + s[9] + s[10] + s[11],
    }
    return low + ((high - low) * frac >> 20), score


_SCORE_RADIXES: Final = (21, 21, 21, 31, 31, 31, 31, 31, 31, 21, 21, 21)


def _revision(key: bytes) -> dict[str, str]:
    status, major, minor, patch, days = Stream(key, b"revision").draw(1000, 1000, 10, 20, 8 * 365)
    reviewed = _dt.date.fromordinal(_EPOCH_ORDINAL - days)
    return {
        "status": _weighted(status, _STATUS),
        "version": f"{_weighted(major, _MAJOR)}.{minor}.{patch}",
        "last_reviewed": reviewed.isoformat(),
    }


_EPOCH_ORDINAL: Final = EPOCH.toordinal()


def post_dict(index: int, *, seed: int = 0, locale: str = "en_US") -> dict[str, Any]:
    """Post ``index`` of corpus ``seed`` as a plain dict in schema key order, hash zeroed.

    :func:`seal` fills in the hash; :func:`post_json` does both and encodes the post.
    """
    check_request(range(index, index + 1), seed, locale)
    v = _vocab(locale)
    t = v.topics
    key = post_key(seed, index)
    number = f"{index:06d}"
    pid = f"alphanode-{number}"

    stack_i, problem_i, scenario_i = Stream(key, b"topic").draw(len(t.stacks), len(t.problems), len(t.scenarios))
    stack, problem, scenario = t.stacks[stack_i], t.problems[problem_i], t.scenarios[scenario_i]
    tools_stream = Stream(key, b"tools")
    n_own, n_generic = tools_stream.draw(4, 3)
    tools = tools_stream.sample(stack.tools, 3 + n_own)
    tools += [g for g in tools_stream.sample(t.generic_tools, 1 + n_generic) if g not in tools]
    fill = {"problem": problem, "stack": stack.name, "scenario": scenario, "tool": tools[0]}

    checks, checklist, finals = _body(key, v, fill)
    images, image_sources = _images(key, number, f"{problem} with {stack.name}")
    views, score = _numbers(key, v.views)
    title_i, intro_i, summary_i, action_i, brief_i, difficulty = Stream(key, b"prose").draw(
        len(t.title_templates),
        len(t.intro_templates),
        len(t.summary_templates),
        len(t.recommended_actions),
        len(t.brief_templates),
        1000,
    )
    title = t.title_templates[title_i].format_map(fill)
    intro = t.intro_templates[intro_i].format_map(fill)
    ai_style, review = Stream(key, b"flags").draw(1000, 1000)
    text = " ".join([title, intro, *checks, *checklist, *finals])
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
            "ai_outline": {
                "context": scenario,
                "problem": problem,
                "stack": stack.name,
                "recommended_action": t.recommended_actions[action_i],
            },
            "ai_brief": t.brief_templates[brief_i],
            "stack": [stack.name, stack.area, stack.language],
            "tools": tools,
            "code_language": stack.language,
            "difficulty": _weighted(difficulty, _DIFFICULTY),
            "reading_time": max(1, (text.count(" ") + 21) // 40),
            "view_count": views,
            "score": score,
            "revision": _revision(key),
            "reference": f"anp-ref-{number}-{Stream(key, b'reference').below(10000):04d}",
            "hash": ZERO_HASH,
            "flags": {
                "ai_generated_style": ai_style < 850,
                "has_images": bool(images),
                "image_heavy": len(images) >= 3,
                "needs_human_review": review < 150,
            },
            "checklist": checklist,
            "entities": [
                {"name": stack.name, "type": "stack"},
                {"name": stack.area, "type": "area"},
                {"name": problem, "type": "problem"},
            ],
            "image_sources": image_sources,
            "payload": {
                "source_id": pid,
                "generator": GENERATOR,
                "paragraphs": len(checks) + len(finals),
                "scenario": scenario,
                "seed": index,
            },
            "notes": _notes(key, t.notes),
        },
        "similar_posts": _similar(key, index),
    }


def _notes(key: bytes, pool: tuple[str, ...]) -> list[str]:
    """The sample's three standing notes, sometimes followed by one or two more."""
    stream = Stream(key, b"notes")
    extra = stream.sample(pool[3:], _bucket(stream.below(1000), (700, 900, 1000)))
    return [*pool[:3], *extra]


_HASH_FIELD: Final = b'"hash":"' + ZERO_HASH.encode() + b'"'


def seal(post: dict[str, Any]) -> bytes:
    """Fill in ``meta.hash`` of a post dict whose hash is zeroed; returns its compact JSON.

    The hash is defined on exactly these bytes: the post's compact JSON in schema key order
    with the hash set to 24 zeros (see :func:`synth.model.content_hash`). A JSON string
    value cannot contain the unescaped ``"hash":"000..."``, so the first match is the field.
    """
    data = orjson.dumps(post)
    digest = hashlib.sha256(data).hexdigest()[:24]
    post["meta"]["hash"] = digest
    return data.replace(_HASH_FIELD, b'"hash":"' + digest.encode() + b'"', 1)


def post_json(index: int, *, seed: int = 0, locale: str = "en_US") -> bytes:
    """Post ``index`` as compact JSON bytes (no newline): the bytes ``synth generate`` writes."""
    return seal(post_dict(index, seed=seed, locale=locale))


def generate_post(index: int, *, seed: int = 0, locale: str = "en_US") -> Post:
    """Post ``index`` (0-based) of corpus ``seed``, alone: equal to that line of a generated file."""
    return Post.model_validate_json(post_json(index, seed=seed, locale=locale))


def generate(count: int, *, seed: int = 0, start: int = 0, locale: str = "en_US") -> Iterator[Post]:
    """Posts ``start`` to ``start + count - 1`` of corpus ``seed``, in order."""
    if count < 0:
        raise GenerationError(f"count {count} is negative", hint="ask for zero or more posts")
    for index in range(start, start + count):
        yield generate_post(index, seed=seed, locale=locale)
