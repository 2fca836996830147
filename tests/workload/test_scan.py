"""The scan on hand-made texts: where a phrase may match, which words are unsafe, chunks, id and link clauses."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from synth.generation.assemble import batch_dicts
from synth.schema.hash import seal
from synth.workload import scan as scanner
from synth.workload.spec import Clauses, Cond


def _posts(texts: list[tuple[str, str, list[str]]]) -> list[dict[str, Any]]:
    """Posts 0.. with the given (title, intro, paragraphs); everything else as generated."""
    out = []
    for generated, (title, intro, paragraphs) in zip(batch_dicts(0, len(texts), seed=4), texts, strict=True):
        post = copy.deepcopy(generated)
        post["title"], post["intro"] = title, intro
        post["sections"] = [{"kind": "paragraphs", "heading": "h", "paragraphs": paragraphs}]
        seal(post)
        out.append(post)
    return out


def _run(posts: list[dict[str, Any]], clauses: list[Clauses], max_ids: int = 100) -> list[tuple[int, bool]]:
    scan = scanner.Scan(clauses, max_ids=max_ids)
    scan.feed(posts)
    result = scan.result()
    return [(result.answer(i).count, result.safe[i]) for i in range(len(clauses))]


def test_a_phrase_inside_one_text_is_found() -> None:
    posts = _posts([("alpha beta gamma", "x", ["y"]), ("x", "y", ["one alpha beta two"]), ("beta alpha", "x", ["y"])])
    assert _run(posts, [Clauses(phrase=("alpha", "beta")), Clauses(phrase=("beta", "alpha"))]) == [(2, True), (1, True)]


@pytest.mark.parametrize(
    "texts",
    [
        [("one alpha", "beta two", ["z"])],  # title to intro: adjacent in PostgreSQL's one tsvector
        [("t", "i", ["one alpha", "beta two"])],  # paragraph to paragraph: adjacent in both bodies, not in ES
        [("t", "i", ["one alpha node.js beta two"])],  # PostgreSQL may see the words adjacent across the host
        [("t", "i", ["one alpha -> beta"])],  # a token-less segment: adjacent for SQLite
    ],
)
def test_a_phrase_an_engine_could_see_across_a_boundary_is_unsafe(texts: list[tuple[str, str, list[str]]]) -> None:
    posts = _posts([("alpha beta", "i", ["p"]), *texts])
    assert _run(posts, [Clauses(phrase=("alpha", "beta")), Clauses(terms=("alpha",))]) == [(1, False), (2, True)]


def test_a_clean_match_in_the_same_post_keeps_the_phrase_safe() -> None:
    posts = _posts([("t", "i", ["alpha beta", "one alpha", "beta two"])])
    assert _run(posts, [Clauses(phrase=("alpha", "beta"))]) == [(1, True)]


def test_words_of_dirty_and_hyphenated_segments() -> None:
    posts = _posts([("use node.js", "the on-call rota", ["node red js call"]), ("t", "i", ["on call"])])
    clauses = [Clauses(terms=("node",)), Clauses(terms=("js",)), Clauses(terms=("on",)), Clauses(terms=("call",)),
               Clauses(phrase=("on", "call")), Clauses(terms=("red",))]  # fmt: skip
    assert _run(posts, clauses) == [(1, False), (1, False), (2, True), (2, True), (2, False), (1, True)]


def test_a_phrase_in_a_very_long_post_is_unsafe() -> None:
    long_text = " ".join(["filler"] * (scanner.LONG + 10)) + " alpha beta"
    posts = _posts([("alpha beta", "i", ["p"]), ("t", "i", [long_text])])
    assert _run(posts, [Clauses(phrase=("alpha", "beta"))]) == [(1, False)]  # the long post's match is not counted


def test_answers_do_not_depend_on_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    posts = batch_dicts(0, 300, seed=9)
    for post in posts:
        seal(post)
    clauses = [Clauses(terms=("the",)), Clauses(phrase=("run", "them")), Clauses(linked_to="alphanode-000010"),
               Clauses(id="alphanode-000299"), Clauses(filter=(Cond("view_count", low=0, high=5000),)),
               Clauses(filter=(Cond("tool", value=posts[0]["meta"]["tools"][0]),))]  # fmt: skip
    whole = scanner.Scan(clauses, max_ids=1000)
    whole.feed(posts)
    monkeypatch.setattr(scanner, "CHUNK", 7)
    parts = scanner.Scan(clauses, max_ids=1000)
    parts.feed(posts)
    a, b = whole.result(), parts.result()
    assert [a.answer(i) for i in range(len(clauses))] == [b.answer(i) for i in range(len(clauses))]
    assert a.answer(3).hash == posts[299]["meta"]["hash"]
    assert a.answer(2).ids == tuple(sorted(p["id"] for p in posts if "alphanode-000010" in p["similar_posts"]))


def test_ids_are_listed_up_to_max_ids() -> None:
    posts = batch_dicts(0, 20, seed=1)
    for post in posts:
        seal(post)
    scan = scanner.Scan([Clauses(terms=("the",)), Clauses(id="alphanode-000003")], max_ids=19)
    scan.feed(posts)
    result = scan.result()
    assert result.answer(0).count == 20 and result.answer(0).ids is None
    assert result.answer(1).ids == ("alphanode-000003",)


def test_posts_may_come_as_json_bytes() -> None:
    posts = batch_dicts(0, 30, seed=2)
    data = [seal(post) for post in posts]
    clauses = [Clauses(terms=("the",)), Clauses(phrase=("run", "them"))]
    assert _run(posts, clauses) == _run(data, clauses)  # type: ignore[arg-type]
