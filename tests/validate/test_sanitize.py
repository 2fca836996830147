"""Lenient mode: sloppy exports repaired into the canonical post, each repair a warning."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.assemble import post_dict
from synth.schema.model import Post
from synth.validate.sanitize import sanitize

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
