"""The exported JSON Schema: valid 2020-12, equal to the committed file, agrees with the model."""

from __future__ import annotations

from typing import Any

import jsonschema
import orjson
import pytest

from synth.schema.export import json_schema
from synth.schema.model import SCHEMA_ID
from tests.conftest import ROOT

SCHEMA_FILE = ROOT / "schemas" / "post.v1.schema.json"


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
    ],
)
def test_schema_rejects_what_the_model_rejects(sample: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    target: Any = sample
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(sample, json_schema(), cls=jsonschema.Draft202012Validator)
