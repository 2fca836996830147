"""Lenient mode: sloppy exports repaired into the canonical post, each repair a warning."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.assemble import post_dict
from synth.schema.model import Post
from synth.validate.check import check_record
from synth.validate.options import make_options
from synth.validate.sanitize import sanitize
from tests.fuzzing import json_paths

runner = CliRunner()


@pytest.fixture
def post() -> dict[str, Any]:
    return post_dict(21, seed=2)


def _codes(repairs: list[tuple[str, tuple[str | int, ...], str]]) -> list[tuple[str, tuple[str | int, ...]]]:
    return [(code, path) for code, path, _ in repairs]


@pytest.mark.parametrize(
    "sloppy",
    [
        ", ".join,
        lambda tools: "\n".join(f"\u2022 {t}" for t in tools),
        lambda tools: "\n".join(f"- {t}" for t in tools),
        lambda tools: "\n".join(f"{n}. {t}" for n, t in enumerate(tools, 1)),
    ],
    ids=["comma", "bullet", "dash", "numbered"],
)
def test_list_as_a_string(post: dict[str, Any], sloppy: Any) -> None:
    broken = copy.deepcopy(post)
    broken["meta"]["tools"] = sloppy(post["meta"]["tools"])
    cleaned, repairs = sanitize(broken)
    assert cleaned == post
    assert _codes(repairs) == [("W001", ("meta", "tools"))]


@pytest.mark.parametrize(("value", "expected"), [(1, True), (0, False), ("true", True), ("No", False), ("1", True)])
def test_flags_as_numbers_or_words(post: dict[str, Any], value: Any, expected: bool) -> None:
    post["meta"]["flags"]["needs_human_review"] = value
    cleaned, repairs = sanitize(post)
    assert cleaned["meta"]["flags"]["needs_human_review"] is expected
    assert _codes(repairs)[0] == ("W002", ("meta", "flags", "needs_human_review"))


def test_whitespace_html_duplicates_and_numbers(post: dict[str, Any]) -> None:
    broken = copy.deepcopy(post)
    broken["title"] = f"  {post['title']}\n"
    broken["intro"] = "<p>" + post["intro"].replace(" a ", " <em>a</em> ", 1) + "</p>"
    broken["meta"]["notes"] = [*post["meta"]["notes"], post["meta"]["notes"][0]]
    broken["meta"]["view_count"] = str(post["meta"]["view_count"])
    broken["meta"]["score"]["depth"] = float(post["meta"]["score"]["depth"])
    cleaned, repairs = sanitize(broken)
    assert cleaned == post
    assert _codes(repairs) == [
        ("W003", ("title",)),
        ("W004", ("intro",)),
        ("W006", ("meta", "view_count")),
        ("W006", ("meta", "score", "depth")),
        ("W005", ("meta", "notes")),
    ]


def test_html_entities_are_decoded_and_plain_ampersands_kept(post: dict[str, Any]) -> None:
    post["meta"]["summary"] = "<b>fast</b> &amp; safe"
    post["meta"]["ai_brief"] = "a & b, kept as written"
    cleaned, _ = sanitize(post)
    assert cleaned["meta"]["summary"] == "fast & safe"
    assert cleaned["meta"]["ai_brief"] == "a & b, kept as written"


def test_a_clean_post_is_untouched(post: dict[str, Any]) -> None:
    cleaned, repairs = sanitize(copy.deepcopy(post))
    assert (cleaned, repairs) == (post, [])


def test_hash_is_recomputed_when_repairs_change_content(post: dict[str, Any]) -> None:
    post["intro"] = post["intro"] + "   "  # trimmed back: content unchanged, no new hash
    _, repairs = sanitize(post)
    assert "W007" not in [c for c, _ in _codes(repairs)]
    post["title"] = "<i>" + post["title"] + "</i>"
    post["meta"]["hash"] = "0" * 24
    cleaned, repairs = sanitize(post)
    assert ("W007", ("meta", "hash")) in _codes(repairs)
    Post.model_validate(cleaned)


def test_input_is_not_modified(post: dict[str, Any]) -> None:
    broken = copy.deepcopy(post)
    broken["meta"]["tools"] = "a, b"
    before = copy.deepcopy(broken)
    sanitize(broken)
    assert broken == before


def test_non_objects_pass_through() -> None:
    assert sanitize([1, 2]) == ([1, 2], [])
    assert sanitize("text") == ("text", [])


def test_command_writes_clean_posts_and_rejects(tmp_path: Path, post: dict[str, Any]) -> None:
    sloppy = copy.deepcopy(post)
    sloppy["meta"]["tools"] = ", ".join(post["meta"]["tools"])
    hopeless = copy.deepcopy(post)
    hopeless["meta"]["score"]["quality"] = 400
    source = tmp_path / "in.jsonl"
    source.write_bytes(orjson.dumps(sloppy) + b"\n" + orjson.dumps(hopeless) + b"\nnot json\n")
    clean, rejects = tmp_path / "clean.jsonl", tmp_path / "rejects.jsonl"
    args = ["validate", str(source), "--sanitize", "-o", str(clean), "--rejects", str(rejects), "--ignore", "R003"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert f"{source}:1:0: W001 [{post['id']}] $.meta.tools: split a string into" in result.stdout
    assert clean.read_bytes() == orjson.dumps(post) + b"\n"
    entries = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert [(e["line"], [f["code"] for f in e["findings"]]) for e in entries] == [(2, ["S004"]), (3, ["P001"])]
    assert entries[1]["raw"] == "not json"


def test_output_without_sanitize_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "x.jsonl", "--output", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2
    assert (
        result.stderr == "synth: error: --output and --rejects need --sanitize. To resolve this error, add --sanitize\n"
    )


# ---- no input makes sanitize raise: findings instead ----

JSON = st.recursive(  # what a JSON line can hold (orjson's integers are 64-bit)
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
SANITIZE = make_options(as_of="2030-01-01", sanitize=True)


def _paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    return list(json_paths(value, path))


@pytest.mark.parametrize("kind", [["paragraphs"], {"kind": "checklist"}, [], {}, 1, None, True, 1.5])
def test_a_section_kind_of_any_json_type_is_a_finding(post: dict[str, Any], kind: Any) -> None:
    post["sections"][0]["kind"] = kind
    cleaned, _ = sanitize(post)
    assert cleaned["sections"][0]["kind"] == kind
    result = check_record(orjson.dumps(post), options=SANITIZE)
    assert ("S010", "$.sections[0]") in [(code, path) for code, path, _, _ in result.issues]


def test_the_command_reports_a_list_kind(tmp_path: Path, post: dict[str, Any]) -> None:
    post["sections"][1]["kind"] = ["checklist"]
    source = tmp_path / "in.jsonl"
    source.write_bytes(orjson.dumps(post) + b"\n")
    result = runner.invoke(app, ["validate", str(source), "--sanitize", "--ignore", "R003"])
    assert result.exit_code == 1, result.output
    assert f"{source}:1:0: S010 [{post['id']}] $.sections[1]:" in result.stdout


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), value=JSON)
def test_any_json_value_at_any_path_is_repaired_or_reported(data: st.DataObject, value: Any) -> None:
    post = post_dict(data.draw(st.integers(0, 10**6), label="index"))
    paths = _paths(post)
    path = data.draw(st.sampled_from(paths), label="path")
    broken = copy.deepcopy(post)
    if path:
        target: Any = broken
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    else:
        broken = value
    before = copy.deepcopy(broken)
    sanitize(broken)
    assert broken == before  # the input is not modified
    result = check_record(orjson.dumps(broken), options=SANITIZE)
    assert all(path.startswith("$") for _, path, _, _ in result.issues)
    assert result.rejected or result.clean is not None


@settings(max_examples=300, deadline=None)
@given(value=JSON)
def test_any_json_document_is_repaired_or_reported(value: Any) -> None:
    sanitize(value)
    result = check_record(orjson.dumps(value), options=SANITIZE)
    assert result.rejected  # no arbitrary document is a post


@pytest.mark.parametrize("text", ["<![foo[ <b>x</b>", "<![<b>", "a <![if x]> <i>b</i>"])
def test_html_the_parser_refuses_is_still_stripped(post: dict[str, Any], text: str) -> None:
    post["title"] = text
    cleaned, repairs = sanitize(post)
    assert "<b>" not in cleaned["title"] and "<i>" not in cleaned["title"]
    assert ("W004", ("title",)) in _codes(repairs)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="<>![]/-&#;x b\ufeff\u2028", max_size=30))
def test_any_markup_like_text_is_repaired_or_reported(text: str) -> None:
    post = post_dict(3)
    post["title"] = text
    cleaned, _ = sanitize(post)
    result = check_record(orjson.dumps(post), options=SANITIZE)
    assert result.rejected or result.clean == orjson.dumps(cleaned)


@pytest.mark.parametrize("edge", ["\ufeff", "\x1c", "\u3000", "\x85"])
def test_edge_whitespace_of_the_model_is_trimmed(post: dict[str, Any], edge: str) -> None:
    title = post["title"]
    post["title"] = edge + title + edge
    cleaned, repairs = sanitize(post)
    assert cleaned["title"] == title
    assert _codes(repairs) == [("W003", ("title",))]


@pytest.mark.parametrize(("value", "repaired"), [("1", True), (1.0, True), (True, False), ("one", False)])
def test_schema_version_written_as_a_string_or_float_is_repaired(
    post: dict[str, Any], value: Any, repaired: bool
) -> None:
    post["schema_version"] = value
    cleaned, repairs = sanitize(post)
    assert (cleaned["schema_version"] == 1 and type(cleaned["schema_version"]) is int) is repaired
    assert (("W006", ("schema_version",)) in _codes(repairs)) is repaired
