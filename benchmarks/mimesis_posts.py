"""The Mimesis peer of ``bench_generate.py``: a post of the Post shape, one Mimesis call per field.

Self-contained (Mimesis and the standard library only), because it is also the custom module of
OpenSearch Benchmark's ``generate-data`` peer, which runs in a virtualenv of its own:
:func:`generate_synthetic_document` is the function that command calls for each document.
"""

from __future__ import annotations

import itertools
from typing import Any

from mimesis import Generic

STATUSES = ("draft", "reviewed", "expanded", "revised", "archived")
DIFFICULTIES = ("beginner", "intermediate", "advanced", "expert")
_NUMBERS = itertools.count()


def _mimesis_meta(
    g: Generic, i: int, images: list[dict[str, str]], checklist: list[str], paragraphs: int
) -> dict[str, Any]:
    num, text = g.numeric, g.text
    stack, area = text.words(quantity=2)
    language = g.development.programming_language().lower()
    problem, scenario = text.sentence()[:-1], text.sentence()[:-1]
    return {
        "topic": f"{problem} / {stack}",
        "summary": text.text(quantity=2),
        "ai_outline": {"context": scenario, "problem": problem, "stack": stack, "recommended_action": text.sentence()},
        "ai_brief": text.text(quantity=2),
        "stack": [stack, area, language],
        "tools": list(dict.fromkeys(text.words(quantity=num.integer_number(3, 7)))),
        "code_language": language,
        "difficulty": g.random.choice(DIFFICULTIES),
        "reading_time": num.integer_number(1, 15),
        "view_count": num.integer_number(0, 10_000_000),
        "score": {key: num.integer_number(0, 100) for key in ("quality", "freshness", "depth", "clarity")},
        "revision": {
            "status": g.random.choice(STATUSES),
            "version": f"{num.integer_number(1, 3)}.{num.integer_number(0, 9)}.{num.integer_number(0, 19)}",
            "last_reviewed": g.datetime.date(start=2017, end=2024).isoformat(),
        },
        "reference": f"anp-ref-{i:06d}-{num.integer_number(0, 9999):04d}",
        "hash": g.cryptographic.hash()[:24],
        "flags": {
            "ai_generated_style": g.development.boolean(),
            "has_images": bool(images),
            "image_heavy": len(images) >= 3,
            "needs_human_review": g.development.boolean(),
        },
        "checklist": checklist,
        "entities": [
            {"name": stack, "type": "stack"},
            {"name": area, "type": "area"},
            {"name": problem, "type": "problem"},
        ],
        "image_sources": [
            {"source": image["source"], "url": g.internet.url(), "caption": image["caption"]} for image in images
        ],
        "payload": {
            "source_id": f"alphanode-{i:06d}",
            "generator": "mimesis",
            "paragraphs": paragraphs,
            "scenario": scenario,
            "seed": i,
        },
        "notes": list(dict.fromkeys(text.sentence() for _ in range(num.integer_number(3, 5)))),
    }


def mimesis_post(g: Generic, i: int) -> dict[str, Any]:
    """Post ``i`` in the Post shape, one Mimesis call per field."""
    num, text = g.numeric, g.text
    images = [{"caption": text.sentence(), "source": g.internet.hostname()} for _ in range(num.integer_number(0, 3))]
    checks = [text.text(quantity=4) for _ in range(num.integer_number(2, 7))]
    finals = [text.text(quantity=4) for _ in range(num.integer_number(1, 2))]
    checklist = list(dict.fromkeys(text.sentence() for _ in range(num.integer_number(3, 8))))
    similar = sorted({num.integer_number(0, 999_999) for _ in range(num.integer_number(0, 5))})
    return {
        "schema_version": 1,
        "id": f"alphanode-{i:06d}",
        "title": text.title(),
        "intro": text.text(quantity=3),
        "images": images,
        "sections": [
            {"kind": "paragraphs", "heading": "production checks", "paragraphs": checks},
            {"kind": "checklist", "heading": "implementation checklist", "items": checklist},
            {"kind": "paragraphs", "heading": "final notes", "paragraphs": finals},
        ],
        "meta": _mimesis_meta(g, i, images, checklist, len(checks) + len(finals)),
        "similar_posts": [f"alphanode-{n:06d}" for n in similar],
    }


def generate_synthetic_document(providers: dict[str, Any], **custom_lists: Any) -> dict[str, Any]:
    """OpenSearch Benchmark's hook: one document from its seeded Mimesis ``Generic`` provider."""
    return mimesis_post(providers["generic"], next(_NUMBERS))
