"""An Elasticsearch/OpenSearch index mapping derived from the post model (:class:`synth.schema.model.Post`).

The mapping is computed by walking the pydantic fields, so a field added to the model is mapped
without touching this module. The rules, from what the model says about each field:

* a ``Literal`` of strings (difficulty, status, section kind, entity type) is a ``keyword``;
  a ``Literal`` of integers (``schema_version``) an ``integer``;
* a string with a format pattern (ids, hashes, versions, references, URLs, hosts, tool and
  language tokens) is a ``keyword``; a string with ``format: date`` is a ``date``
  (``strict_date``, YYYY-MM-DD);
* free text (the model's visible-text pattern): a long paragraph (intro, paragraphs, summary,
  brief) is ``text``; a short line (title, headings, captions, checklist items, notes, ...) is
  ``text`` with a ``keyword`` subfield for sorting and aggregations, whose ``ignore_above`` is the
  model's ``max_length``; the lines listed in :data:`FACETS` (the stack names) are ``keyword``;
* an integer is an ``integer``, or a ``long`` when its upper bound does not fit 32 bits;
* a boolean is a ``boolean``; a model is an ``object``; a list of models is ``nested`` (so an
  entity's name and type, or an image's URL and caption, stay together); the members of a
  discriminated union (the two section kinds) are merged.

``dynamic`` is ``strict``, as the model forbids unknown keys.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Annotated, Any, Final, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from synth.schema.model import Line, Post

__all__ = ["FACETS", "index_body", "index_mapping"]

# Short free-text lines whose values come from a closed vocabulary (the stack names): exact
# values, mapped as keyword rather than text. Paths are dotted, without list positions.
FACETS: Final = frozenset({"meta.stack", "meta.ai_outline.stack"})

_INT32_MAX: Final = 2**31 - 1
_TEXT_PATTERN: Final = next(m.pattern for m in get_args(Line)[1:] if hasattr(m, "pattern"))
_LINE_MAX: Final = next(m.max_length for m in get_args(Line)[1:] if hasattr(m, "max_length"))


def index_mapping(model: type[BaseModel] = Post) -> dict[str, Any]:
    """The ``mappings`` object for ``model`` (the post by default)."""
    return {"dynamic": "strict", "properties": _properties(model, "")}


def index_body(*, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """A create-index body: settings and the post mapping (what ``index.json`` of a track holds)."""
    return {
        "settings": {"index.number_of_shards": shards, "index.number_of_replicas": replicas},
        "mappings": index_mapping(),
    }


def _properties(model: type[BaseModel], prefix: str) -> dict[str, Any]:
    return {
        name: _field(field, f"{prefix}{name}")
        for name, field in model.model_fields.items()  # declaration order: stable output
    }


def _field(field: FieldInfo, path: str) -> dict[str, Any]:
    return _map(field.annotation, [*field.metadata, field], path)


def _map(tp: Any, metadata: Sequence[Any], path: str) -> dict[str, Any]:
    """The mapping of one annotation, with the constraints (``metadata``) gathered on the way down."""
    origin = get_origin(tp)
    if origin is Annotated:
        base, *extra = get_args(tp)
        return _map(base, [*metadata, *extra], path)
    if origin is list:
        inner = _map(get_args(tp)[0], [], path)
        return {"type": "nested", **inner} if "properties" in inner else inner
    if origin in (Union, types.UnionType):
        return _union(get_args(tp), path)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return {"properties": _properties(tp, f"{path}.")}
    return _scalar(tp, metadata, path)


def _scalar(tp: Any, metadata: Sequence[Any], path: str) -> dict[str, Any]:
    if get_origin(tp) is Literal:
        return {"type": "integer"} if all(isinstance(v, int) for v in get_args(tp)) else {"type": "keyword"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        bounds = [m.le for m in metadata if getattr(m, "le", None) is not None]
        return {"type": "integer" if bounds and max(bounds) <= _INT32_MAX else "long"}
    if tp is str:
        return _string(metadata, path)
    raise TypeError(f"no index mapping rule for {tp!r} at {path}")  # a new kind of field: add a rule


def _union(members: tuple[Any, ...], path: str) -> dict[str, Any]:
    """Discriminated union of models: one object with the properties of every member."""
    merged: dict[str, Any] = {}
    for member in members:
        for name, mapping in _map(member, [], path)["properties"].items():
            if merged.setdefault(name, mapping) != mapping:
                raise TypeError(f"{path}.{name} maps differently in the members of a union")
    return {"properties": merged}


def _string(metadata: Sequence[Any], path: str) -> dict[str, Any]:
    pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
    max_length = next((m.max_length for m in metadata if getattr(m, "max_length", None)), None)
    if any(_format(m) == "date" for m in metadata):
        return {"type": "date", "format": "strict_date"}
    if pattern != _TEXT_PATTERN or path in FACETS:
        return {"type": "keyword"}
    if max_length is not None and max_length <= _LINE_MAX:
        return {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": max_length}}}
    return {"type": "text"}


def _format(meta: Any) -> Any:
    extra = meta.json_schema_extra if isinstance(meta, FieldInfo) else None
    return extra.get("format") if isinstance(extra, dict) else None
