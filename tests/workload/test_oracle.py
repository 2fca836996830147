"""The expected answers against an independent brute force: Python ``re`` over the posts' text, plain dict lookups.

Nothing here uses the workload's tokenizer, scan or field table: a word matches where it stands
between non-word characters (any case), a phrase where its words follow each other with only
non-word characters between them inside one text, a filter where the post's own fields say so.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest

from synth.generation.assemble import batch_dicts
from synth.schema.hash import seal
from synth.workload.spec import KINDS
from synth.workload.workload import Query, queries

_WORD = r"[^\W_]"


def _texts(post: dict[str, Any]) -> list[str]:
    return [post["title"], post["intro"]] + [
        text for section in post["sections"] for text in section.get("paragraphs", section.get("items", []))
    ]


def _word(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!{_WORD}){re.escape(term)}(?!{_WORD})", re.IGNORECASE)


def _phrase(words: list[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<!{_WORD})" + r"[\W_]+".join(map(re.escape, words)) + rf"(?!{_WORD})", re.IGNORECASE)


_PATHS = {
    "stack": lambda m: m["ai_outline"]["stack"],
    "area": lambda m: m["stack"][1] if len(m["stack"]) > 1 else None,
    "code_language": lambda m: m["code_language"],
    "difficulty": lambda m: m["difficulty"],
    "status": lambda m: m["revision"]["status"],
    "view_count": lambda m: m["view_count"],
    "last_reviewed": lambda m: m["revision"]["last_reviewed"],
    **{
        f: (lambda m, f=f: m["flags"][f])
        for f in ("ai_generated_style", "has_images", "image_heavy", "needs_human_review")
    },
    **{s: (lambda m, s=s: m["score"][s]) for s in ("quality", "freshness", "depth", "clarity")},
}


def _holds(cond: dict[str, Any], meta: dict[str, Any]) -> bool:
    if cond["field"] == "tool":
        return cond["eq"] in meta["tools"]
    value = _PATHS[cond["field"]](meta)
    if "eq" in cond:
        return bool(value == cond["eq"])
    return bool(cond["gte"] <= value <= cond["lte"])


def _matcher(query: dict[str, Any]) -> Any:
    """A predicate on (post, its texts, its texts joined) that tells whether the post answers ``query``."""
    words = [_word(t) for t in query.get("terms", [])]
    phrase = _phrase(query["phrase"].split()) if "phrase" in query else None
    conds = query.get("filter", [])

    def matches(post: dict[str, Any], texts: list[str], joined: str) -> bool:
        if "id" in query and post["id"] != query["id"]:
            return False
        if "linked_to" in query and query["linked_to"] not in post["similar_posts"]:
            return False
        if not all(_holds(c, post["meta"]) for c in conds):
            return False
        if not all(w.search(joined) for w in words):
            return False
        return phrase is None or any(phrase.search(x) for x in texts)

    return matches


def _digest(ids: set[str]) -> str:
    total = sum(int.from_bytes(hashlib.blake2b(i.encode(), digest_size=16).digest(), "little") for i in ids)
    return f"{total % (1 << 128):032x}"


def _corpus(count: int, seed: int, locale: str) -> list[dict[str, Any]]:
    posts = batch_dicts(0, count, seed=seed, locale=locale)
    for post in posts:
        seal(post)
    return posts


def _check(q: Query, posts: list[dict[str, Any]], texts: list[list[str]], joined: list[str]) -> None:
    matches = _matcher(q.query)
    found = {p["id"] for p, t, j in zip(posts, texts, joined, strict=True) if matches(p, t, j)}
    assert q.answer.count == len(found), (q.id, q.kind, q.query)
    assert q.answer.digest == _digest(found), (q.id, q.query)
    if q.answer.ids is not None:
        assert list(q.answer.ids) == sorted(found), (q.id, q.query)
    if q.kind == "id" and found:
        assert q.answer.hash == next(p for p in posts if p["id"] in found)["meta"]["hash"]


@pytest.mark.parametrize(
    ("locale", "seed", "count"),
    [
        ("en_US", 0, 300),
        pytest.param("ja_JP", 1, 300, marks=pytest.mark.slow),
        pytest.param("ar_AA", 2, 300, marks=pytest.mark.slow),
        pytest.param("fr_FR", 3, 600, marks=pytest.mark.slow),
        pytest.param("zh_CN", 4, 600, marks=pytest.mark.slow),
        pytest.param("de_DE", 5, 600, marks=pytest.mark.slow),
    ],
)
def test_answers_equal_a_brute_force_scan(locale: str, seed: int, count: int) -> None:
    posts = _corpus(count, seed, locale)
    workload = queries(posts, size=count, query_seed=seed, max_ids=40)
    assert len(workload) == count
    assert {q.kind for q in workload} == set(KINDS)
    assert any(q.answer.ids is None for q in workload) and any(q.answer.ids is not None for q in workload)
    texts = [_texts(p) for p in posts]
    joined = ["\n".join(t) for t in texts]
    for q in workload:
        _check(q, posts, texts, joined)


def test_terms_span_head_torso_and_tail() -> None:
    posts = _corpus(1000, 5, "en_US")
    counts = sorted(q.answer.count for q in queries(posts, size=300) if q.kind == "term")
    assert counts[0] == 1 and counts[-1] >= 900  # posting lists from one post to nearly all
    assert any(20 <= c <= 500 for c in counts)
