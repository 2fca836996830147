"""The model as the native check reads it: a spec derived from pydantic's own core schema.

The compiled check (``synth._native.Checker``, see :mod:`synth.validate.native`) holds no schema
of its own. :func:`native_spec` walks the core schema pydantic validates with
(``Post.__pydantic_core_schema__``) and writes down what it says, object by object: the fields
in order, their types, bounds, lengths, patterns (the model's own pattern strings: the native
side matches them with the same Rust ``regex`` engine pydantic-core uses), closed sets and
distinct-items lists. Anything the walk does not know (a default, a coercing mode, a validator
function other than the model's own) is an error here, so a change to the model can never
make the native check silently wrong: it either follows the model or refuses to start.

Shape (JSON)::

    {"root": T, "zeroed": ["meta", "hash"], "zero_hash": "000..."}
    T = {"type": "object", "name": N, "fields": [[name, T], ...]}
      | {"type": "str", "min_length": n, "max_length": n | null, "pattern": p | null, "date": bool}
      | {"type": "int", "ge": n | null, "le": n | null, "choices": [n, ...] | null}
      | {"type": "bool"} | {"type": "literal", "choices": [s, ...]}
      | {"type": "list", "items": T, "min_length": n, "max_length": n | null, "unique": bool}
      | {"type": "union", "tag": key, "choices": [[s, T], ...]}
"""

from __future__ import annotations

from typing import Any, Final

import orjson
from pydantic import BaseModel

from synth.schema.constants import ZERO_HASH
from synth.schema.model import Post, calendar_date, json_integer, unique_items

__all__ = ["SpecError", "native_spec", "spec_json"]

Spec = dict[str, Any]
# Where the content hash is: the field zeroed in the bytes it is the digest of (synth.schema.hash).
HASH_FIELD: Final = ("meta", "hash")
_STR_KEYS: Final = frozenset({"type", "pattern", "min_length", "max_length", "metadata", "ref"})
_INT_KEYS: Final = frozenset({"type", "ge", "le", "gt", "lt", "metadata", "ref"})
_LIST_KEYS: Final = frozenset({"type", "items_schema", "min_length", "max_length", "metadata", "ref"})


class SpecError(ValueError):
    """The model uses something the native check does not implement."""


class _Walk:
    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        if schema["type"] == "definitions":
            self.definitions.update({d["ref"]: d for d in schema["definitions"]})
            return self.resolve(schema["schema"])
        if schema["type"] == "definition-ref":
            return self.resolve(self.definitions[schema["schema_ref"]])
        return schema

    def type(self, schema: dict[str, Any], where: str) -> Spec:
        schema = self.resolve(schema)
        kind = schema["type"]
        method = getattr(self, "t_" + kind.replace("-", "_"), None)
        if method is None:
            raise SpecError(f"{where}: the native check does not implement core schema type {kind!r}")
        spec: Spec = method(schema, where)
        return spec

    def t_model(self, schema: dict[str, Any], where: str) -> Spec:
        config = schema.get("config", {})
        if schema.get("custom_init") or schema.get("root_model") or schema.get("post_init"):
            raise SpecError(f"{where}: a model with a custom __init__, a root or a post-init is not implemented")
        if config.get("strict") is not True or config.get("extra_fields_behavior") != "forbid":
            raise SpecError(f"{where}: a model must be strict and forbid extra fields")
        fields = self.resolve(schema["schema"])
        if fields["type"] != "model-fields" or fields.get("computed_fields"):
            raise SpecError(f"{where}: unexpected model fields schema {fields['type']!r}")
        name = schema["cls"].__name__
        out = []
        for key, field in fields["fields"].items():
            if field["type"] != "model-field" or set(field) - {"type", "schema", "metadata"}:
                raise SpecError(f"{name}.{key}: only plain required fields are implemented")
            out.append([key, self.type(field["schema"], f"{name}.{key}")])
        return {"type": "object", "name": name, "fields": out}

    def t_str(self, schema: dict[str, Any], where: str) -> Spec:
        _only(schema, _STR_KEYS, where)
        return {
            "type": "str",
            "min_length": schema.get("min_length", 0),
            "max_length": schema.get("max_length"),
            "pattern": schema.get("pattern"),
            "date": False,
        }

    def t_int(self, schema: dict[str, Any], where: str) -> Spec:
        _only(schema, _INT_KEYS, where)
        ge = schema.get("ge", schema["gt"] + 1 if "gt" in schema else None)
        le = schema.get("le", schema["lt"] - 1 if "lt" in schema else None)
        return {"type": "int", "ge": ge, "le": le, "choices": None}

    def t_bool(self, schema: dict[str, Any], where: str) -> Spec:
        _only(schema, frozenset({"type", "metadata", "ref"}), where)
        return {"type": "bool"}

    def t_literal(self, schema: dict[str, Any], where: str) -> Spec:
        expected = schema["expected"]
        if not all(type(e) is str for e in expected):
            raise SpecError(f"{where}: only string literals are implemented (an integer needs json_integer)")
        return {"type": "literal", "choices": list(expected)}

    def t_list(self, schema: dict[str, Any], where: str) -> Spec:
        _only(schema, _LIST_KEYS, where)
        return {
            "type": "list",
            "items": self.type(schema["items_schema"], f"{where}[]"),
            "min_length": schema.get("min_length", 0),
            "max_length": schema.get("max_length"),
            "unique": False,
        }

    def t_tagged_union(self, schema: dict[str, Any], where: str) -> Spec:
        tag = schema["discriminator"]
        if not isinstance(tag, str):
            raise SpecError(f"{where}: only a discriminator that is one key is implemented")
        choices = [[value, self.type(choice, f"{where}<{value}>")] for value, choice in schema["choices"].items()]
        return {"type": "union", "tag": tag, "choices": choices}

    def t_function_after(self, schema: dict[str, Any], where: str) -> Spec:
        inner = self.type(schema["schema"], where)
        function = schema["function"]["function"]
        if function is unique_items and inner["type"] == "list":
            return inner | {"unique": True}
        if function is calendar_date and inner["type"] == "str":
            return inner | {"date": True}
        raise SpecError(f"{where}: the native check does not implement the validator {function.__qualname__}")

    def t_function_before(self, schema: dict[str, Any], where: str) -> Spec:
        function = schema["function"]["function"]
        inner = self.resolve(schema["schema"])
        if function is json_integer and inner["type"] == "literal":
            choices = inner["expected"]
            if all(type(c) is int for c in choices):
                return {"type": "int", "ge": None, "le": None, "choices": list(choices)}
        raise SpecError(f"{where}: the native check does not implement the validator {function.__qualname__}")


def _only(schema: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    extra = set(schema) - allowed
    if extra:
        raise SpecError(f"{where}: the native check does not implement {', '.join(sorted(extra))}")


def native_spec(model: type[BaseModel] = Post) -> Spec:
    """The spec of ``model`` (default: the post) for ``synth._native.Checker``; see the module docstring."""
    root = _Walk({}).type(dict(model.__pydantic_core_schema__), model.__name__)
    return {"root": root, "zeroed": list(HASH_FIELD), "zero_hash": ZERO_HASH}


def spec_json(model: type[BaseModel] = Post) -> bytes:
    """:func:`native_spec` as the JSON the checker is built from."""
    return orjson.dumps(native_spec(model))
