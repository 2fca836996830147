"""The exported JSON Schema: valid 2020-12, equal to the committed file, agrees with the model."""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import jsonschema_rs
import orjson
import pytest
from pydantic import ValidationError

from synth.schema.export import json_schema
from synth.schema.model import SCHEMA_ID, Post
from tests.conftest import ROOT, SHARED

SCHEMA_FILE = ROOT / "schemas" / "post.v1.schema.json"
NAUGHTY = SHARED / "corpora" / "naughty-strings" / "blns.json"


def test_committed_schema_equals_the_models() -> None:
    committed = orjson.loads(SCHEMA_FILE.read_bytes())
    assert committed == json_schema(), (
        "schemas/post.v1.schema.json is stale: run `synth schema -o schemas/post.v1.schema.json`"
    )


def test_committed_schema_file_is_byte_exact() -> None:
    assert SCHEMA_FILE.read_bytes() == orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2) + b"\n"


def test_schema_passes_the_2020_12_metaschema() -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema())


def test_schema_carries_its_version() -> None:
    schema = json_schema()
    assert schema["$id"] == SCHEMA_ID
    assert schema["properties"]["schema_version"]["const"] == 1


def _undocumented(node: Any, path: str) -> list[str]:
    missing = []
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            if "description" not in prop:
                missing.append(f"{path}.{name}")
        for key, value in node.items():
            missing += _undocumented(value, f"{path}/{key}")
    return missing


def test_every_field_is_documented() -> None:
    assert _undocumented(json_schema(), "") == []


def test_sample_validates_against_the_schema(sample: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(json_schema(), format_checker=jsonschema.FormatChecker()).validate(sample)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("meta", "score", "quality"), 101),
        (("id",), "alphanode-1"),
        (("meta", "tools"), ["git", "git"]),
        (("meta", "flags", "has_images"), 1),
        (("meta", "difficulty"), "medium"),
        (("schema_version",), True),
        (("sections", 0, "kind"), "bullets"),
        (("meta", "revision", "last_reviewed"), "2018-02-30"),
    ],
)
def test_schema_rejects_what_the_model_rejects(sample: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    _set(sample, path, value)
    with pytest.raises(ValidationError):
        Post.model_validate(sample)
    assert not _python_validator().is_valid(sample)
    assert not _rust_validator().is_valid(sample)


# ---- a plain draft 2020-12 schema that every validator reads as the model does ----

# The keywords of draft 2020-12 (core, applicator, validation, meta-data, format, unevaluated,
# content): anything else is refused by Ajv's strict mode (e.g. OpenAPI's `discriminator`).
KEYWORDS = {
    "$schema",
    "$id",
    "$ref",
    "$defs",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$vocabulary",
    "$comment",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "prefixItems",
    "items",
    "contains",
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "type",
    "enum",
    "const",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxContains",
    "minContains",
    "maxProperties",
    "minProperties",
    "required",
    "dependentRequired",
    "title",
    "description",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "examples",
    "format",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
}
_ONE = ("items", "not", "additionalProperties", "contains", "propertyNames", "if", "then", "else")
_MAP = ("properties", "$defs", "patternProperties", "dependentSchemas")
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")


def _nodes(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema node (not the property maps) with its JSON pointer."""
    if not isinstance(node, dict):
        return
    yield where, node
    for key in _ONE:
        yield from _nodes(node.get(key), f"{where}/{key}")
    for key in _MAP:
        for name, child in (node.get(key) or {}).items():
            yield from _nodes(child, f"{where}/{key}/{name}")
    for key in _LIST:
        for k, child in enumerate(node.get(key) or ()):
            yield from _nodes(child, f"{where}/{key}/{k}")


def _committed() -> dict[str, Any]:
    return orjson.loads(SCHEMA_FILE.read_bytes())  # type: ignore[no-any-return]


def _python_validator(schema: dict[str, Any] | None = None) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema or _committed(), format_checker=jsonschema.FormatChecker())


@functools.cache
def _rust_validator() -> Any:
    return jsonschema_rs.Draft202012Validator(_committed(), validate_formats=True)


def test_committed_schema_uses_only_json_schema_keywords() -> None:
    unknown = [(where, key) for where, node in _nodes(_committed()) for key in node if key not in KEYWORDS]
    assert unknown == []


def test_patterns_spell_out_their_classes() -> None:
    """No shorthand class (\\s, \\d, \\w, \\b): ECMA-262, Rust and Python give them different members."""
    patterns = [(where, node["pattern"]) for where, node in _nodes(_committed()) if "pattern" in node]
    assert len(patterns) > 30
    assert [(w, p) for w, p in patterns if re.search(r"\\[sSdDwWbB]", p)] == []


def test_the_second_validator_accepts_the_sample(sample: dict[str, Any]) -> None:
    _rust_validator().validate(sample)


def test_descriptions_say_what_json_schema_cannot() -> None:
    schema = _committed()
    assert "1.0" in schema["description"]
    assert "synth validate" in schema["description"]
    assert "C codes" in schema["description"]
    integers = [(where, node) for where, node in _nodes(schema) if node.get("type") == "integer"]
    assert len(integers) == 9  # schema_version, reading_time, view_count, 4 scores, payload.paragraphs and seed
    assert [where for where, node in integers if "1.0" not in node["description"]] == []


def test_json_schema_indeed_counts_1_0_as_an_integer(sample: dict[str, Any]) -> None:
    """What the descriptions warn of: the schema validators accept 78.0 and 1.0, the model does not."""
    sample["meta"]["score"]["quality"] = 78.0
    sample["schema_version"] = 1.0
    assert _python_validator().is_valid(sample)
    assert _rust_validator().is_valid(sample)
    with pytest.raises(ValidationError):
        Post.model_validate(sample)


# ---- the model and both schema validators agree on every string ----


def _set(doc: Any, path: tuple[str | int, ...], value: Any) -> None:
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


def _string_paths(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(node, str):
        yield path
    elif isinstance(node, dict):
        for key, child in node.items():
            yield from _string_paths(child, (*path, key))
    elif isinstance(node, list):
        for k, child in enumerate(node):
            yield from _string_paths(child, (*path, k))


def _field_target(schema: dict[str, Any], doc: Any, path: tuple[str | int, ...]) -> tuple[dict[str, Any], Any]:
    """The subschema and value the string at ``path`` is checked by: python-jsonschema takes
    milliseconds a post, so it checks the field (a section's kind: the section, by the union)."""
    node, value = schema, doc
    for k, part in enumerate(path):
        while "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        if "oneOf" in node and path[k:] == ("kind",):  # the union decides: its refs resolve against $defs
            return {"$defs": schema["$defs"], **node}, value
        if "oneOf" in node:  # the branch of the section's kind
            refs = [schema["$defs"][b["$ref"].rsplit("/", 1)[1]] for b in node["oneOf"]]
            node = next(b for b in refs if b["properties"]["kind"]["const"] == value["kind"])
        node = node["properties"][part] if isinstance(part, str) else node["items"]
        value = value[part]
    return node, value


class _Verdicts:
    """Accept or reject, by the model, python-jsonschema (on the field) and jsonschema-rs (on the post)."""

    def __init__(self, sample: dict[str, Any]) -> None:
        self.sample, self.schema = copy.deepcopy(sample), _committed()
        self.python: dict[tuple[str | int, ...], jsonschema.Draft202012Validator] = {}

    def __call__(self, path: tuple[str | int, ...], text: str) -> tuple[bool, bool, bool]:
        post = self.sample
        target: Any = post
        for part in path[:-1]:
            target = target[part]
        kept, target[path[-1]] = target[path[-1]], text
        try:
            try:
                Post.model_validate(post)
                model = True
            except ValidationError:
                model = False
            node, value = _field_target(self.schema, post, path)
            if path not in self.python:
                self.python[path] = _python_validator(node)
            return model, self.python[path].is_valid(value), _rust_validator().is_valid(post)
        finally:
            target[path[-1]] = kept


def test_every_string_field_is_reached(sample: dict[str, Any]) -> None:
    paths = list(_string_paths(sample))
    assert len(paths) >= 40
    for path in paths:  # each target is a string's schema or a section's, and accepts the sample's value
        node, value = _field_target(_committed(), sample, path)
        assert node.get("type") == "string" or (path[-1] == "kind" and "oneOf" in node), path
        assert _python_validator(node).is_valid(value), path
        assert not _python_validator(node).is_valid(7), path


@pytest.mark.slow
@pytest.mark.skipif(not NAUGHTY.exists(), reason="shared/corpora/naughty-strings is not beside the checkout")
def test_model_and_both_schema_validators_agree_on_naughty_strings(sample: dict[str, Any]) -> None:
    strings = orjson.loads(NAUGHTY.read_bytes())
    assert len(strings) == 515
    disagree = []
    verdicts_of = _Verdicts(sample)
    for path in _string_paths(sample):
        for text in strings:
            verdicts = verdicts_of(path, text)
            if len(set(verdicts)) > 1:
                disagree.append((path, text, verdicts))
    assert disagree == []


SPACES = [*map(chr, range(0xA1)), "\ufeff", "\u2028", "\u2029", "\u1680", *map(chr, range(0x2000, 0x200B)), "\u3000"]


@pytest.mark.parametrize("char", SPACES, ids=[f"U+{ord(c):04X}" for c in SPACES])
def test_model_and_both_schema_validators_agree_on_whitespace_in_a_line(sample: dict[str, Any], char: str) -> None:
    verdicts_of = _Verdicts(sample)
    for text in (char + "ab", "a" + char + "b", "ab" + char):
        for path in (("title",), ("meta", "checklist", 0)):
            model, python, rust = verdicts_of(path, text)
            assert model == python == rust, (text, model, python, rust)
