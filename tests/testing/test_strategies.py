"""synth.testing.strategies: valid posts pass the validator, invalid ones fire exactly their code, shrinking is minimal."""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from synth.generation.vocab import LOCALES, topics, words
from synth.schema.model import Post
from synth.testing.strategies import CORPUS_CODES, INVALID_CODES, invalid_corpora, invalid_posts, posts
from synth.validate.check import check_record, validate_post
from synth.validate.options import make_options
from synth.validate.run import validate_paths

OPTIONS = make_options(as_of="2030-01-01")
FAST = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
# find() without the explain phase, which replays the example hundreds of times and is only for failures.
FIND = settings(database=None, max_examples=2000, phases=[Phase.generate, Phase.shrink])


def _paragraphs(post: dict[str, Any]) -> list[str]:
    return [p for s in post["sections"] if s["kind"] == "paragraphs" for p in s["paragraphs"]]


def _assert_valid(post: dict[str, Any]) -> None:
    assert validate_post(post, options=OPTIONS) == []
    model = Post.model_validate(post)
    assert model.model_dump(mode="json") == post
    assert model.model_dump_json().encode() == orjson.dumps(post)  # same keys in the same order


# ---- valid posts ----


@settings(FAST, max_examples=100)
@given(posts())
def test_posts_are_valid(post: dict[str, Any]) -> None:
    _assert_valid(post)


@pytest.mark.parametrize("locale", LOCALES)
@settings(FAST, max_examples=15)
@given(data=st.data())
def test_posts_with_unicode_text_are_valid(locale: str, data: st.DataObject) -> None:
    post = data.draw(posts(locale=locale, unicode_text=True, images=(0, 20), paragraphs=(1, 12), checklist=(1, 30)))
    _assert_valid(post)


@pytest.mark.slow
def test_shrinks_to_the_minimal_post() -> None:
    post = find(posts(), lambda p: p["meta"]["view_count"] > 1000 and len(p["images"]) >= 2, settings=FIND)
    t = topics()
    stack, problem, scenario = t.stacks[0], t.problems[0], t.scenarios[0]
    assert (stack.name, problem, scenario) == (
        "python services",
        "keeping staging close to production",
        "for long term maintenance",
    )
    assert post["id"] == "alphanode-000000"
    assert post["title"] == "Field notes on keeping staging close to production for python services: maintenance guide"
    assert post["intro"] == (
        "when a project grows, keeping staging close to production stops being a small cleanup task and becomes"
        " part of the way the team ships software. this alphanode note walks through a practical approach to"
        " python services for long term maintenance."
    )
    assert [img["caption"] for img in post["images"]] == [
        "keeping staging close to production with python services visual reference 1",
        "keeping staging close to production with python services visual reference 2",
    ]
    checks, checklist, finals = post["sections"]
    assert checks["paragraphs"] == list(t.check_paragraphs[:2])  # the fewest, the first, no free text
    assert checklist["items"] == ["capture the current behavior", "create a safe backup", "test the smallest change"]
    assert finals["paragraphs"] == [t.final_paragraphs[0].format(stack="python services")]
    meta = post["meta"]
    fill = {"problem": problem, "stack": stack.name}
    assert meta["summary"] == t.summary_templates[0].format_map(fill)
    assert meta["ai_outline"]["recommended_action"] == t.recommended_actions[0]
    assert meta["ai_brief"] == t.brief_templates[0]
    assert meta["view_count"] == 1001
    assert meta["tools"] == ["fastapi"]
    assert meta["difficulty"] == "beginner"
    assert meta["reading_time"] == 4
    assert meta["score"] == {"quality": 0, "freshness": 0, "depth": 0, "clarity": 0}
    assert meta["revision"] == {"status": "draft", "version": "0.0.0", "last_reviewed": "2017-01-04"}
    assert meta["reference"] == "anp-ref-000000-0000"
    assert meta["flags"] == {
        "ai_generated_style": False,
        "has_images": True,
        "image_heavy": False,
        "needs_human_review": False,
    }
    assert [e["type"] for e in meta["entities"]] == ["stack", "area", "problem"]
    assert [s["url"] for s in meta["image_sources"]] == [
        "https://picsum.photos/seed/anp-000000/1200/630",
        "https://picsum.photos/seed/anp-000000-2/1200/630",
    ]
    assert meta["payload"]["paragraphs"] == 3
    assert (meta["notes"], post["similar_posts"]) == ([], [])
    _assert_valid(post)


# ---- parameters ----


def _minimal_paragraphs() -> set[str]:
    """The paragraphs of a minimal post: the first two production checks and the first final note."""
    t = topics()
    return {*t.check_paragraphs[:2], t.final_paragraphs[0].format(stack=t.stacks[0].name)}


@pytest.mark.slow
def test_japanese_free_text_shrinks_to_one_word() -> None:
    small = posts(locale="ja_JP", images=(0, 0), paragraphs=(1, 1), checklist=(1, 1), similar=False)
    post = find(small, lambda p: not "".join(_paragraphs(p)).isascii(), settings=FIND)
    first = words("ja_JP").vocabulary[0]
    assert first == "戦略的"
    free = [p for p in _paragraphs(post) if not p.isascii()]
    assert len(free) == 1  # one paragraph ends in one sentence of the first word
    assert free[0].removesuffix(" 戦略的。") in _minimal_paragraphs()


_JA_CHARS = {*"".join(words("ja_JP").vocabulary), "。"}
_CJK = ("CJK", "HIRAGANA", "KATAKANA", "IDEOGRAPHIC")


@settings(FAST, max_examples=40)
@given(posts(locale="ja_JP"))
def test_japanese_free_text_is_cjk(post: dict[str, Any]) -> None:
    foreign = {c for c in "".join(_paragraphs(post)) if not c.isascii()}
    assert foreign <= _JA_CHARS
    assert all(unicodedata.name(c).startswith(_CJK) for c in foreign)


@pytest.mark.slow
def test_unicode_text_goes_beyond_the_vocabulary() -> None:
    small = posts(free_text=False, unicode_text=True, images=(0, 0), paragraphs=(1, 1), checklist=(1, 1))
    post = find(small, lambda p: not "".join(_paragraphs(p)).isascii(), settings=FIND)
    free = [p for p in _paragraphs(post) if not p.isascii()]
    assert len(free) == 1  # the first visible non-ASCII character (U+0080-U+00A0 are controls and a space)
    assert free[0].removesuffix(" ¡") in _minimal_paragraphs()
    _assert_valid(post)


@settings(FAST, max_examples=30)
@given(posts(images=(0, 0)))
def test_no_images(post: dict[str, Any]) -> None:
    assert post["images"] == post["meta"]["image_sources"] == []
    assert post["meta"]["flags"]["has_images"] is False
    assert post["meta"]["flags"]["image_heavy"] is False


@settings(FAST, max_examples=30)
@given(posts(images=(3, 3)))
def test_three_images_are_heavy(post: dict[str, Any]) -> None:
    assert len(post["images"]) == len(post["meta"]["image_sources"]) == 3
    assert post["meta"]["flags"]["image_heavy"] is True


@settings(FAST, max_examples=30)
@given(posts(paragraphs=(4, 4), checklist=(6, 6), similar=False, index=(123_456, 123_456), free_text=False))
def test_bounds_and_switches(post: dict[str, Any]) -> None:
    checks, checklist, finals = post["sections"]
    assert len(checks["paragraphs"]) == 4
    assert post["meta"]["payload"]["paragraphs"] == 4 + len(finals["paragraphs"])
    assert len(checklist["items"]) == 6 == len(post["meta"]["checklist"])
    assert post["similar_posts"] == []
    assert post["id"] == "alphanode-123456"
    assert all(p.isascii() for p in _paragraphs(post))  # no free text: the English templates only


@settings(FAST, max_examples=50)
@given(posts(index=(5_000, 10_000_000)))
def test_similar_posts_are_earlier(post: dict[str, Any]) -> None:
    number = post["meta"]["payload"]["seed"]
    similar = [int(s.removeprefix("alphanode-")) for s in post["similar_posts"]]
    assert len(set(similar)) == len(similar) <= 5
    assert all(number - 5000 <= s < number for s in similar)


@pytest.mark.parametrize(
    "kwargs",
    [{"locale": "xx"}, {"images": (0, 21)}, {"images": (3, 2)}, {"paragraphs": (0, 2)}, {"checklist": (1, 31)}],
)
def test_bad_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        posts(**kwargs)


def test_uncovered_codes_are_refused() -> None:
    with pytest.raises(InvalidArgument):
        invalid_posts("P005")
    with pytest.raises(InvalidArgument):
        invalid_corpora("C001")


# ---- invalid posts and corpora ----


def _codes(case: dict[str, Any] | bytes) -> list[str]:
    if isinstance(case, bytes):
        return [code for code, *_ in check_record(case, options=OPTIONS).issues]
    return sorted({finding.code for finding in validate_post(case, options=OPTIONS)})


def test_covered_codes() -> None:
    assert (
        *("P001", "P002", "P003", "P006", "P007", "P008"),
        *(f"S{n:03d}" for n in range(1, 11)),
        *(f"C{n:03d}" for n in range(1, 19)),
    ) == INVALID_CODES


@pytest.mark.parametrize("code", INVALID_CODES)
@settings(FAST, max_examples=8)
@given(data=st.data())
def test_invalid_post_fires_exactly_its_code(code: str, data: st.DataObject) -> None:
    case, label = data.draw(invalid_posts(code))
    assert label == code
    assert isinstance(case, bytes) == code.startswith("P")
    assert _codes(case) == [code]


@settings(FAST, max_examples=60)
@given(invalid_posts())
def test_invalid_posts_draw_the_code(labelled: tuple[dict[str, Any] | bytes, str]) -> None:
    case, code = labelled
    assert _codes(case) == [code]


@settings(FAST, max_examples=30)
@given(invalid_corpora())
def test_invalid_corpus_fires_exactly_its_code(labelled: tuple[list[bytes], tuple[int, str]]) -> None:
    lines, expected = labelled
    assert 2 + (expected[1] != "R003") <= len(lines) <= 4 + (expected[1] != "R003")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.jsonl"
        path.write_bytes(b"".join(line + b"\n" for line in lines))
        assert [(f.line, f.code) for f in validate_paths([str(path)], options=OPTIONS)] == [expected]


@pytest.mark.parametrize("code", CORPUS_CODES)
@settings(FAST, max_examples=5)
@given(data=st.data())
def test_invalid_corpora_label_their_code(code: str, data: st.DataObject) -> None:
    lines, (line, label) = data.draw(invalid_corpora(code))
    assert label == code
    assert 1 <= line <= len(lines)
