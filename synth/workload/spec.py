"""What a query asks: its clauses, as written in a workload file, and as an Elasticsearch request body.

A query is a conjunction of clauses, each optional (a kind is a label of which are used)::

    {"terms": ["batch", "quiet"]}        every word occurs in the title, the intro or the body
    {"phrase": "run them in batches"}    the words occur one after the other in one field
    {"filter": [{"field": "stack", "eq": "python services"},
                {"field": "view_count", "gte": 100, "lte": 5000}]}
    {"id": "alphanode-000042"}           the post with this id
    {"linked_to": "alphanode-000042"}    the posts whose similar_posts holds this id

Filter fields (:data:`FIELDS`) are exact: keywords (stack, area, code_language, difficulty,
status, tool), flags (booleans) and ranges (``gte``/``lte``, both inclusive) of integers and
``YYYY-MM-DD`` dates.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any, Final

from synth.errors import InputError
from synth.schema.model import POST_ID_PATTERN
from synth.workload.tokens import is_key, keys_of

__all__ = ["FIELDS", "KINDS", "Clauses", "Cond", "Field", "es_query", "parse_clauses"]

KINDS: Final = ("term", "all-terms", "phrase", "filter", "term+filter", "id", "similar", "absent")


@dataclass(frozen=True, slots=True)
class Field:
    """A filter field: its type (keyword, flag, integer, date, tool) and where the post holds it."""

    name: str
    type: str
    path: tuple[str, ...]
    es: str


FIELDS: Final = {
    f.name: f
    for f in (
        Field("stack", "keyword", ("meta", "ai_outline", "stack"), "meta.ai_outline.stack"),
        Field("area", "keyword", ("meta", "stack", "1"), "meta.entities"),
        Field("code_language", "keyword", ("meta", "code_language"), "meta.code_language"),
        Field("difficulty", "keyword", ("meta", "difficulty"), "meta.difficulty"),
        Field("status", "keyword", ("meta", "revision", "status"), "meta.revision.status"),
        Field("tool", "tool", ("meta", "tools"), "meta.tools"),
        *(Field(f, "flag", ("meta", "flags", f), f"meta.flags.{f}")
          for f in ("ai_generated_style", "has_images", "image_heavy", "needs_human_review")),
        Field("view_count", "integer", ("meta", "view_count"), "meta.view_count"),
        *(Field(s, "integer", ("meta", "score", s), f"meta.score.{s}")
          for s in ("quality", "freshness", "depth", "clarity")),
        Field("last_reviewed", "date", ("meta", "revision", "last_reviewed"), "meta.revision.last_reviewed"),
    )
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Cond:
    """One filter condition: ``field`` equals ``value``, or lies in ``[low, high]``."""

    field: str
    value: Any = None
    low: Any = None
    high: Any = None

    @property
    def is_range(self) -> bool:
        return FIELDS[self.field].type in ("integer", "date")

    def as_dict(self) -> dict[str, Any]:
        if self.is_range:
            return {"field": self.field, "gte": self.low, "lte": self.high}
        return {"field": self.field, "eq": self.value}


@dataclass(frozen=True, slots=True)
class Clauses:
    """The clauses of one query (see the module docstring)."""

    terms: tuple[str, ...] = ()
    phrase: tuple[str, ...] = ()
    filter: tuple[Cond, ...] = ()
    id: str | None = None
    linked_to: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.terms:
            out["terms"] = list(self.terms)
        if self.phrase:
            out["phrase"] = " ".join(self.phrase)
        if self.filter:
            out["filter"] = [c.as_dict() for c in self.filter]
        if self.id is not None:
            out["id"] = self.id
        if self.linked_to is not None:
            out["linked_to"] = self.linked_to
        return out


def _bad(where: str, what: str) -> InputError:
    return InputError(f"{where}: {what}", hint="regenerate the workload with `synth queries`")


def _keys(value: Any, where: str, name: str) -> tuple[str, ...]:
    words = value if isinstance(value, list) else keys_of(value) if isinstance(value, str) else None
    if not words or not all(isinstance(w, str) and is_key(w) for w in words):
        raise _bad(where, f"{name} must be a list of lower-case words the tokenizer admits")
    return tuple(words)


def _cond(value: Any, where: str) -> Cond:
    if not isinstance(value, dict) or value.get("field") not in FIELDS:
        raise _bad(where, f"a filter condition names no known field ({', '.join(FIELDS)})")
    field = FIELDS[value["field"]]
    if field.type in ("integer", "date"):
        low, high = value.get("gte"), value.get("lte")
        kind = int if field.type == "integer" else str
        if not (isinstance(low, kind) and isinstance(high, kind)) or isinstance(low, bool) or isinstance(high, bool):
            raise _bad(where, f"the {field.name} condition needs gte and lte ({field.type}s)")
        if field.type == "date":
            _date(str(low), where)
            _date(str(high), where)
        return Cond(field.name, low=low, high=high)
    eq = value.get("eq")
    if not isinstance(eq, bool if field.type == "flag" else str):
        raise _bad(
            where, f"the {field.name} condition needs eq ({'true or false' if field.type == 'flag' else 'a string'})"
        )
    return Cond(field.name, value=eq)


def _date(text: str, where: str) -> None:
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        raise _bad(where, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _post_id(value: Any, where: str, name: str) -> str:
    if not isinstance(value, str) or re.fullmatch(POST_ID_PATTERN, value) is None:
        raise _bad(where, f"{name} must be a post id (alphanode-NNNNNN)")
    return value


def parse_clauses(value: Any, where: str) -> Clauses:
    """The clauses of a query object read from a workload file; ``where`` names the line for errors."""
    known = {"terms", "phrase", "filter", "id", "linked_to"}
    if not isinstance(value, dict) or not value or not set(value) <= known:
        raise _bad(where, f"the query must be an object with some of {', '.join(sorted(known))}")
    conds = value.get("filter", [])
    if not isinstance(conds, list) or ("filter" in value and not conds):
        raise _bad(where, "filter must be a non-empty list of conditions")
    return Clauses(
        terms=_keys(value["terms"], where, "terms") if "terms" in value else (),
        phrase=_keys(value["phrase"], where, "phrase") if "phrase" in value else (),
        filter=tuple(_cond(c, where) for c in conds),
        id=_post_id(value["id"], where, "id") if "id" in value else None,
        linked_to=_post_id(value["linked_to"], where, "linked_to") if "linked_to" in value else None,
    )


# ---- Elasticsearch / OpenSearch request bodies (the mapping of synth.schema.mapping) ----

_TEXT: Final = ("title", "intro")
_SECTION_TEXT: Final = ("sections.paragraphs", "sections.items")


def _anywhere(kind: str, text: str) -> dict[str, Any]:
    """``match`` or ``match_phrase`` of ``text`` in the title, the intro or a section's text (nested)."""
    nested = {"nested": {"path": "sections", "query": {"bool": {
        "should": [{kind: {f: text}} for f in _SECTION_TEXT], "minimum_should_match": 1}}}}  # fmt: skip
    return {"bool": {"should": [*({kind: {f: text}} for f in _TEXT), nested], "minimum_should_match": 1}}


def _es_cond(cond: Cond) -> dict[str, Any]:
    field = FIELDS[cond.field]
    if cond.is_range:
        return {"range": {field.es: {"gte": cond.low, "lte": cond.high}}}
    if cond.field == "area":
        pair = [{"term": {"meta.entities.type": "area"}}, {"term": {"meta.entities.name.keyword": cond.value}}]
        return {"nested": {"path": "meta.entities", "query": {"bool": {"filter": pair}}}}
    return {"term": {field.es: cond.value}}


def es_query(clauses: Clauses) -> dict[str, Any]:
    """An Elasticsearch/OpenSearch ``_search`` body for the clauses, counting every hit."""
    must = [_anywhere("match", term) for term in clauses.terms]
    if clauses.phrase:
        must.append(_anywhere("match_phrase", " ".join(clauses.phrase)))
    filters = [_es_cond(c) for c in clauses.filter]
    if clauses.id is not None:
        filters.append({"term": {"id": clauses.id}})
    if clauses.linked_to is not None:
        filters.append({"term": {"similar_posts": clauses.linked_to}})
    body: dict[str, Any] = {"bool": {}}
    if must:
        body["bool"]["must"] = must
    if filters:
        body["bool"]["filter"] = filters
    return {"query": body, "track_total_hits": True, "_source": False}
