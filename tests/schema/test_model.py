"""The post model: the sample validates, and every declared constraint rejects what it should."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from synth.schema.hash import content_hash
from synth.schema.model import WHITESPACE, WHITESPACE_CHARS, Post
from synth.schema.order import in_schema_order
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


# ---- schema_version and integers: the JSON integer, however the model is reached ----

SCHEMA_VERSION_SPELLINGS = ["true", "1.0", "1e0", "1E0", "10e-1", "1.00", '"1"']


@pytest.mark.parametrize("spelling", SCHEMA_VERSION_SPELLINGS)
def test_schema_version_is_only_the_json_integer_one(sample: dict[str, Any], spelling: str) -> None:
    text = orjson.dumps(sample).replace(b'"schema_version":1', b'"schema_version":' + spelling.encode(), 1)
    for attempt in (lambda: Post.model_validate(orjson.loads(text)), lambda: Post.model_validate_json(text)):
        with pytest.raises(ValidationError) as info:
            attempt()
        assert [(e["loc"], e["type"]) for e in info.value.errors()] == [(("schema_version",), "int_type")]


@pytest.mark.parametrize("value", [True, 1.0, "1", None])
def test_schema_version_rejects_python_values_equal_to_one(sample: dict[str, Any], value: Any) -> None:
    sample["schema_version"] = value
    assert _error_locations(sample) == [("schema_version",)]


@pytest.mark.parametrize("spelling", ["1.0", "1e0", "78.0", "7.8e1"])
def test_integer_fields_reject_numbers_written_with_a_fraction_or_exponent(
    sample: dict[str, Any], spelling: str
) -> None:
    text = orjson.dumps(sample).replace(b'"quality":78', b'"quality":' + spelling.encode(), 1)
    for attempt in (lambda: Post.model_validate(orjson.loads(text)), lambda: Post.model_validate_json(text)):
        with pytest.raises(ValidationError) as info:
            attempt()
        assert [e["type"] for e in info.value.errors()] == ["int_type"]


def test_minus_zero_is_the_integer_zero(sample: dict[str, Any]) -> None:
    text = orjson.dumps(sample).replace(b'"quality":78', b'"quality":-0', 1)
    assert Post.model_validate(orjson.loads(text)).meta.score.quality == 0
    assert Post.model_validate_json(text).meta.score.quality == 0


# ---- visible text: one spelled-out whitespace class, whatever the regex engine ----

# Unicode White_Space (Rust's \s), plus U+FEFF (ECMA-262's \s) and U+001C-U+001F (Python's \s).
EDGE_SPACE = [
    *"\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff",
    *map(chr, range(0x2000, 0x200B)),
]


@pytest.mark.parametrize("char", EDGE_SPACE, ids=[f"U+{ord(c):04X}" for c in EDGE_SPACE])
def test_no_whitespace_of_any_engine_at_the_edges_of_text(sample: dict[str, Any], char: str) -> None:
    for value in (char + "x", "x" + char, char):
        sample["title"] = value
        assert _error_locations(sample) == [("title",)], value


@pytest.mark.parametrize(
    "char",
    ["\x01", "\x1b", "\x7f", "\u200b", "\u2060", "\ufffe"],
    ids=["U+0001", "U+001B", "U+007F", "U+200B", "U+2060", "U+FFFE"],
)
def test_other_characters_are_not_whitespace(sample: dict[str, Any], char: str) -> None:
    for value in (char + "x", "x" + char, "a" + char + "b"):
        sample["title"] = value
        Post.model_validate(sample)


def test_the_whitespace_class_and_string_name_the_same_characters() -> None:
    edge = re.compile(f"[{WHITESPACE}]")
    spelled = {c for c in map(chr, range(0x110000)) if edge.fullmatch(c)}
    assert spelled == set(WHITESPACE_CHARS) == set(EDGE_SPACE)
    assert {c for c in map(chr, range(0x110000)) if c.isspace()} <= spelled  # Python's whitespace, all of it


def test_schema_order_is_checked_at_every_depth(sample: dict[str, Any]) -> None:
    assert in_schema_order(sample)
    objects = [p for p in _object_paths(sample) if len(_get(sample, p)) > 1]
    assert len(objects) >= 15
    for path in objects:
        reordered = orjson.loads(orjson.dumps(sample))
        target = _get(reordered, path)
        swapped = dict(reversed(list(target.items())))
        if path:
            _set(reordered, path, swapped)
        else:
            reordered = swapped
        assert not in_schema_order(reordered), path


def _get(doc: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _object_paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path] if isinstance(value, dict) else []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found += _object_paths(child, (*path, key))
    return found
