"""One record: the decoded post (validate_post) and its line (check_record) get the same findings,
whatever the key order or spelling of the line; the hash is the content digest of the canonical bytes."""

from __future__ import annotations

import copy
import random
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synth.generation.assemble import post_dict
from synth.schema.constants import ZERO_HASH
from synth.schema.hash import content_hash, digest
from synth.testing.strategies import invalid_posts, posts
from synth.validate.check import check_record, validate_post
from synth.validate.options import Options, make_options
from synth.validate.run import validate_paths
from tests.conftest import FIXTURES
from tests.fuzzing import permute_keys, respell

OPTIONS = make_options(as_of="2030-01-01")
FAST = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _post_findings(post: Any, options: Options = OPTIONS) -> list[tuple[str, str]]:
    return sorted((f.code, f.path) for f in validate_post(post, options=options))


def _line_findings(line: bytes, options: Options = OPTIONS) -> list[tuple[str, str]]:
    return sorted((code, path) for code, path, _, _ in check_record(line, options=options).issues)


def _sealed_over(post: dict[str, Any]) -> dict[str, Any]:
    """``post`` with a hash taken over its own bytes as they are (not the canonical bytes)."""
    post["meta"]["hash"] = ZERO_HASH
    post["meta"]["hash"] = digest(orjson.dumps(post))
    return post


# ---- the hash fast path: nested key order ----


@pytest.mark.parametrize(
    "where", [("meta", "score"), ("meta", "flags"), ("meta", "revision"), ("sections", 0), ("meta", "entities", 0)]
)
def test_nested_keys_reordered_keep_a_valid_hash(where: tuple[str | int, ...]) -> None:
    post = post_dict(5)
    target: Any = post
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = dict(reversed(list(target[where[-1]].items())))
    assert _post_findings(post) == []
    assert _line_findings(orjson.dumps(post)) == []


@pytest.mark.parametrize("where", [("meta", "score"), ("meta", "payload"), ("sections", 1), ("images", 0)])
def test_a_hash_over_reordered_bytes_is_not_the_content_digest(where: tuple[str | int, ...]) -> None:
    post = post_dict(8)
    post["images"] = post["images"] or [{"caption": "c", "source": "picsum.photos"}]
    target: Any = post
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = dict(reversed(list(target[where[-1]].items())))
    _sealed_over(post)
    line = orjson.dumps(post)
    assert post["meta"]["hash"] != content_hash(post)
    assert ("C014", "$.meta.hash") in _post_findings(post)
    assert ("C014", "$.meta.hash") in _line_findings(line)


SHARES = st.sampled_from([0.05, 0.2, 0.5, 1.0])  # the chance of each object to be shuffled


@FAST
@given(post=posts(), seed=st.integers(0, 2**32), share=SHARES, reseal=st.booleans())
def test_any_key_permutation_gives_the_same_findings_both_ways(
    post: dict[str, Any], seed: int, share: float, reseal: bool
) -> None:
    permuted = permute_keys(post, random.Random(seed), share)
    if reseal:  # the hash taken over the permuted bytes: wrong unless the order is the schema's
        _sealed_over(permuted)
    assert _line_findings(orjson.dumps(permuted)) == _post_findings(permuted)
    assert ("C014" in {c for c, _ in _post_findings(permuted)}) == (permuted["meta"]["hash"] != content_hash(post))


@FAST
@given(case=invalid_posts(), seed=st.integers(0, 2**32), share=SHARES)
def test_any_key_permutation_of_an_invalid_post_gives_the_same_findings(
    case: tuple[Any, str], seed: int, share: float
) -> None:
    post, code = case
    if isinstance(post, bytes):  # a parse defect: no decoded post to compare with
        return
    permuted = permute_keys(post, random.Random(seed), share)
    found = _line_findings(orjson.dumps(permuted))
    assert found == _post_findings(permuted) == _post_findings(post)
    assert code in {c for c, _ in found}


# ---- the same JSON value spelled otherwise: the same verdict ----


@FAST
@given(index=st.integers(0, 10**6), seed=st.integers(0, 2**32), broken=st.booleans())
def test_the_verdict_does_not_depend_on_the_spelling(index: int, seed: int, broken: bool) -> None:
    post = post_dict(index)
    if broken:
        post["meta"]["hash"] = "f" * 24
    rng = random.Random(seed)
    line = respell(permute_keys(post, rng, rng.random()), rng)
    assert _line_findings(line) == _post_findings(post) == ([("C014", "$.meta.hash")] if broken else [])


@pytest.mark.parametrize(
    "spelling", [b"1.0", b"1e0", b"1E0", b"true", b" true", b"true ", b'"1"'], ids=lambda s: s.decode()
)
def test_schema_version_other_than_the_integer_one_is_a_type_error_both_ways(spelling: bytes) -> None:
    post = post_dict(3)
    line = orjson.dumps(post).replace(b'"schema_version":1', b'"schema_version":' + spelling, 1)
    found = _line_findings(line)
    assert found == [("S003", "$.schema_version")]
    assert _post_findings(orjson.loads(line)) == found


@pytest.mark.parametrize("value", [True, 1.0])
def test_schema_version_equal_to_one_but_not_the_integer_is_rejected(value: Any) -> None:
    post = post_dict(3)
    post["schema_version"] = value
    assert _post_findings(post) == [("S003", "$.schema_version")]
    assert _line_findings(orjson.dumps(post)) == [("S003", "$.schema_version")]


def test_minus_zero_is_zero_for_the_hash() -> None:
    post = post_dict(11)
    post["meta"]["image_sources"], post["images"] = [], []
    post["meta"]["flags"].update(has_images=False, image_heavy=False)
    post["meta"]["score"]["depth"] = 0
    post = orjson.loads(orjson.dumps(post))
    post["meta"]["hash"] = content_hash(post)
    line = orjson.dumps(post)
    assert b'"depth":0,' in line
    assert _line_findings(line) == _post_findings(post) == []
    assert _line_findings(line.replace(b'"depth":0,', b'"depth":-0,')) == []


# ---- the sample page ----


def test_the_sample_pages_only_finding_is_the_hash(sample_raw: dict[str, Any]) -> None:
    """fixtures/sample-post.md says why: the page's hash is not the digest of its JSON rendering."""
    expected = [("C014", "$.meta.hash")]
    assert _post_findings(copy.deepcopy(sample_raw)) == expected
    assert _line_findings(orjson.dumps(sample_raw)) == expected
    found = [(f.code, f.path) for f in validate_paths([str(FIXTURES / "sample-post.json")], options=OPTIONS)]
    assert found == expected
    fixed = copy.deepcopy(sample_raw)
    fixed["meta"]["hash"] = content_hash(fixed)  # with its content digest, the sample is valid
    assert _post_findings(fixed) == []


def test_the_sample_docs_say_why_it_fails_the_hash_rule() -> None:
    notes = (FIXTURES / "README.md").read_text(encoding="utf-8")
    assert "sample-post.json" in notes
    assert "C014" in notes
    assert "30e5312538dbd6c5bb02892c" in notes
