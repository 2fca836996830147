"""The post model: the sample validates, and every declared constraint rejects what it should."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from synth.schema.hash import content_hash
from synth.schema.model import Post
from synth.schema.paths import error_path, format_path


def _set(doc: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    target: Any = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _delete(doc: dict[str, Any], path: tuple[str | int, ...]) -> None:
    target: Any = doc
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]


def _error_locations(doc: dict[str, Any]) -> list[tuple[str | int, ...]]:
    with pytest.raises(ValidationError) as info:
        Post.model_validate(doc)
    return [error_path(e["loc"]) for e in info.value.errors()]


def test_sample_page_validates(sample: dict[str, Any]) -> None:
    post = Post.model_validate(sample)
    assert post.id == "alphanode-008320"
    assert post.model_dump(mode="json") == sample


def test_sample_validates_from_json_text(sample: dict[str, Any]) -> None:
    assert Post.model_validate_json(orjson.dumps(sample)).model_dump(mode="json") == sample


# The ten ways of the acceptance criterion, then every other declared constraint.
REJECTED: list[tuple[str, tuple[str | int, ...], Any]] = [
    ("wrong type: string for integer", ("meta", "view_count"), "542029"),
    ("score above 100", ("meta", "score", "quality"), 101),
    ("id pattern", ("id",), "alphanode-8320"),
    ("enum difficulty", ("meta", "difficulty"), "medium"),
    ("version pattern", ("meta", "revision", "version"), "1.1"),
    ("not a calendar date", ("meta", "revision", "last_reviewed"), "2018-02-30"),
    ("hash pattern", ("meta", "hash"), "30E5312538DBD6C5BB02892C"),
    ("reference pattern", ("meta", "reference"), "anp-ref-008320-16"),
    ("url scheme", ("meta", "image_sources", 0, "url"), "ftp://picsum.photos/x"),
    ("integer flag", ("meta", "flags", "has_images"), 1),
    # bounds
    ("score below 0", ("meta", "score", "depth"), -1),
    ("freshness above 100", ("meta", "score", "freshness"), 101),
    ("clarity below 0", ("meta", "score", "clarity"), -5),
    ("negative view count", ("meta", "view_count"), -1),
    ("huge view count", ("meta", "view_count"), 10**12 + 1),
    ("reading time zero", ("meta", "reading_time"), 0),
    ("reading time too long", ("meta", "reading_time"), 601),
    ("payload paragraphs zero", ("meta", "payload", "paragraphs"), 0),
    ("negative payload seed", ("meta", "payload", "seed"), -1),
    ("float score", ("meta", "score", "quality"), 78.0),
    ("bool as int", ("meta", "reading_time"), True),
    # patterns
    ("id with 7 digits and leading zero", ("id",), "alphanode-0008320"),
    ("id with Arabic-Indic digits", ("id",), "alphanode-\u0661\u0662\u0663\u0664\u0665\u0666"),
    ("source id pattern", ("meta", "payload", "source_id"), "post-008320"),
    ("similar post pattern", ("similar_posts",), ["alphanode-12"]),
    ("date pattern", ("meta", "revision", "last_reviewed"), "25/05/2018"),
    ("version leading zero", ("meta", "revision", "version"), "01.1.4"),
    ("host pattern", ("images", 0, "source"), "not a host"),
    ("image source host", ("meta", "image_sources", 0, "source"), "https://picsum.photos"),
    ("url with spaces", ("meta", "image_sources", 0, "url"), "https://picsum.photos/a b"),
    ("tool token upper case", ("meta", "tools", 0), "FastAPI"),
    ("code language token", ("meta", "code_language"), "Python 3"),
    ("empty title", ("title",), ""),
    ("title with newline", ("title",), "two\nlines"),
    ("title with outer space", ("title",), " padded"),
    ("NUL in text", ("intro",), "a\x00b"),
    ("title too long", ("title",), "x" * 301),
    ("paragraph too long", ("sections", 0, "paragraphs", 0), "x" * 5001),
    ("empty generator", ("meta", "payload", "generator"), ""),
    # enums and literals
    ("schema version 2", ("schema_version",), 2),
    ("revision status", ("meta", "revision", "status"), "published"),
    ("entity type", ("meta", "entities", 0, "type"), "framework"),
    ("section kind", ("sections", 1, "kind"), "bullets"),  # reported at the section: ("sections", 1)
    # list sizes and uniqueness
    ("empty checklist", ("meta", "checklist"), []),
    ("duplicate checklist item", ("meta", "checklist"), ["a step", "a step"]),
    ("duplicate tool", ("meta", "tools"), ["git", "git"]),
    ("duplicate stack", ("meta", "stack"), ["python", "python"]),
    ("duplicate note", ("meta", "notes"), ["same", "same"]),
    ("duplicate similar post", ("similar_posts",), ["alphanode-000001", "alphanode-000001"]),
    ("empty entities", ("meta", "entities"), []),
    ("empty tools", ("meta", "tools"), []),
    ("too many tools", ("meta", "tools"), [f"tool{i}" for i in range(21)]),
    ("empty sections", ("sections",), []),
    ("empty paragraphs", ("sections", 0, "paragraphs"), []),
    ("empty checklist section", ("sections", 1, "items"), []),
    ("too many images", ("images",), [{"caption": "c", "source": "picsum.photos"}] * 21),
    # types
    ("list as string", ("meta", "stack"), "python services, backend, python"),
    ("object as list", ("meta", "score"), [78, 88, 64, 96]),
    ("null title", ("title",), None),
    ("number as string flag", ("meta", "flags", "image_heavy"), "0"),
]


@pytest.mark.parametrize(("why", "path", "value"), REJECTED, ids=[r[0] for r in REJECTED])
def test_each_constraint_rejects_with_the_field_path(
    sample: dict[str, Any], why: str, path: tuple[str | int, ...], value: Any
) -> None:
    _set(sample, path, value)
    locations = _error_locations(sample)
    expected = path[:2] if path[-1] == "kind" else path  # an unknown union tag is reported at the section
    assert any(loc[: len(expected)] == expected for loc in locations), (why, locations)


@pytest.mark.parametrize(
    "path",
    [
        ("title",),
        ("meta",),
        ("meta", "hash"),
        ("meta", "score", "depth"),
        ("meta", "payload", "seed"),
        ("similar_posts",),
    ],
)
def test_missing_field_is_reported_at_its_path(sample: dict[str, Any], path: tuple[str, ...]) -> None:
    _delete(sample, path)
    assert path in _error_locations(sample)


@pytest.mark.parametrize("where", [(), ("meta",), ("meta", "score"), ("images", 0), ("sections", 0)])
def test_unknown_keys_are_rejected(sample: dict[str, Any], where: tuple[str | int, ...]) -> None:
    target: Any = sample
    for part in where:
        target = target[part]
    target["surprise"] = 1
    assert (*where, "surprise") in _error_locations(sample)


ACCEPTED: list[tuple[tuple[str | int, ...], Any]] = [
    (("meta", "score", "quality"), 0),
    (("meta", "score", "quality"), 100),
    (("meta", "view_count"), 0),
    (("meta", "reading_time"), 1),
    (("meta", "reading_time"), 600),
    (("id",), "alphanode-1234567"),
    (("meta", "reference"), "anp-ref-1234567-0001"),
    (("meta", "revision", "version"), "0.0.0"),
    (("meta", "revision", "last_reviewed"), "2024-02-29"),
    (("meta", "image_sources", 0, "url"), "http://localhost.test:8080/a?b=c"),
    (("meta", "difficulty"), "expert"),
    (("meta", "revision", "status"), "archived"),
    (("images",), []),
    (("meta", "image_sources"), []),
    (("meta", "notes"), []),
    (("title",), "日本語のタイトル"),
]


@pytest.mark.parametrize(("path", "value"), ACCEPTED, ids=[f"{'.'.join(map(str, p))}={v!r}" for p, v in ACCEPTED])
def test_boundary_values_are_accepted(sample: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    _set(sample, path, value)
    Post.model_validate(sample)


def test_all_errors_are_reported_not_just_the_first(sample: dict[str, Any]) -> None:
    sample["title"] = ""
    sample["meta"]["score"]["quality"] = 500
    sample["meta"]["difficulty"] = "medium"
    locations = _error_locations(sample)
    assert {("title",), ("meta", "score", "quality"), ("meta", "difficulty")} <= set(locations)


def test_content_hash_ignores_the_hash_field_and_sees_every_other(sample: dict[str, Any]) -> None:
    before = content_hash(sample)
    sample["meta"]["hash"] = "f" * 24
    assert content_hash(sample) == before
    sample["meta"]["view_count"] += 1
    assert content_hash(sample) != before


def test_content_hash_is_independent_of_input_key_order(sample: dict[str, Any]) -> None:
    reordered = dict(reversed(list(sample.items())))
    reordered["meta"] = dict(reversed(list(sample["meta"].items())))
    assert content_hash(reordered) == content_hash(sample)


def test_error_path_drops_the_union_tag_only_inside_sections() -> None:
    assert error_path(("sections", 0, "paragraphs", "paragraphs", 2)) == ("sections", 0, "paragraphs", 2)
    assert error_path(("sections", 1, "checklist", "items")) == ("sections", 1, "items")
    assert error_path(("meta", "checklist", 0)) == ("meta", "checklist", 0)


def test_format_path() -> None:
    assert format_path(()) == "$"
    assert format_path(("sections", 0, "items", 2)) == "$.sections[0].items[2]"
    assert format_path(("meta", "score", "quality")) == "$.meta.score.quality"
