"""The JSON Schema export: ``schemas/post.v1.schema.json`` is what :func:`json_schema` returns.

Pydantic writes the schema from the model; :func:`json_schema` then makes it plain draft 2020-12
that any validator reads as the model does (Ajv in strict mode, python-jsonschema, jsonschema-rs):

* the OpenAPI keyword ``discriminator`` is dropped: it is not JSON Schema (Ajv's strict mode
  refuses it), and the ``kind`` constants of the ``oneOf`` branches already pick the branch;
* beside every ``pattern`` anchored with ``$`` goes ``"not": {"type": "string", "pattern": "\\n$"}``:
  Python's ``re`` (python-jsonschema) also matches ``$`` before a final newline, ECMA-262 and
  pydantic's Rust engine do not, and no pattern alone can make them agree; the character
  classes are spelled out in the model (:data:`synth.schema.model.WHITESPACE`), never ``\\s``;
* the descriptions say what JSON Schema cannot: every integer field takes only a JSON integer
  (JSON Schema counts ``1.0`` and ``1e0`` as integers, the model rejects them), and the
  top-level description names the cross-field rules that only the validator checks.
"""

from __future__ import annotations

from typing import Any, Final

from synth.schema.model import Post

__all__ = ["INTEGER_NOTE", "RULES_NOTE", "json_schema"]

INTEGER_NOTE: Final = "A JSON integer: synth rejects 1.0 and 1e0, though JSON Schema counts them as integers."
RULES_NOTE: Final = (
    "This schema checks each field on its own. synth validate also rejects what JSON Schema cannot say: "
    "integers written with a fraction or an exponent (1.0, 1e0), and the rules that relate fields "
    "(the C codes of `synth rules`: meta.topic is '<problem> / <stack>', meta.checklist equals the checklist section, "
    "meta.hash is the content digest, ...)."
)
# Beside a pattern anchored with $: no final newline, which Python's $ lets through.
_NO_FINAL_NEWLINE: Final = {"type": "string", "pattern": r"\n$"}
# The keywords of draft 2020-12 whose value is a schema, a map of schemas or a list of schemas.
_ONE: Final = ("items", "not", "additionalProperties", "contains", "propertyNames", "if", "then", "else")
_MAP: Final = ("properties", "$defs", "patternProperties", "dependentSchemas")
_LIST: Final = ("allOf", "anyOf", "oneOf", "prefixItems")


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :class:`~synth.schema.model.Post`."""
    schema = Post.model_json_schema(mode="validation")
    _portable(schema)
    schema["description"] = f"{schema['description']} {RULES_NOTE}"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def _portable(node: Any) -> None:
    """Adjust one schema node in place (see the module docstring), then its subschemas."""
    if not isinstance(node, dict):
        return
    node.pop("discriminator", None)
    for key in _ONE:
        _portable(node.get(key))
    for key in _MAP:
        for child in (node.get(key) or {}).values():
            _portable(child)
    for key in _LIST:
        for child in node.get(key) or ():
            _portable(child)
    if node.get("type") == "integer" and isinstance(node.get("description"), str):
        node["description"] = f"{node['description']} {INTEGER_NOTE}"
    if isinstance(node.get("pattern"), str) and node["pattern"].endswith("$"):
        if "not" in node:  # pragma: no cover - the model declares no `not`; merging would need allOf
            raise TypeError("a pattern beside a `not` keyword: merge the final-newline rule by hand")
        node["not"] = dict(_NO_FINAL_NEWLINE)
