"""What a query asks, as an Elasticsearch body: every field it names is mapped, with a type that fits the clause."""

from __future__ import annotations

from typing import Any

from synth.schema.mapping import index_mapping
from synth.workload.spec import FIELDS, Clauses, Cond, es_query, parse_clauses


def _mapping(path: str, nested: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"properties": index_mapping()["properties"]}
    for part in path.split("."):
        if part == "keyword" and "fields" in node:
            return node["fields"]["keyword"]  # type: ignore[no-any-return]
        node = node["properties"][part]
    return node


def _leaves(body: Any, nested: tuple[str, ...] = ()) -> list[tuple[str, str, tuple[str, ...]]]:
    """(clause, field, nested paths around it) of every leaf clause of a query body."""
    out = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key in ("match", "match_phrase", "term", "range"):
                [(field, _)] = value.items()
                out.append((key, field, nested))
            elif key == "nested":
                out += _leaves(value["query"], (*nested, value["path"]))
            else:
                out += _leaves(value, nested)
    elif isinstance(body, list):
        for item in body:
            out += _leaves(item, nested)
    return out


def test_every_field_an_es_query_names_is_mapped_with_a_fitting_type() -> None:
    conds = [Cond(n, low=1, high=2) if f.type == "integer" else Cond(n, low="2020-01-01", high="2021-01-01")
             if f.type == "date" else Cond(n, value=True) if f.type == "flag" else Cond(n, value="x")
             for n, f in FIELDS.items()]  # fmt: skip
    clauses = Clauses(terms=("a", "b"), phrase=("c", "d"), filter=tuple(conds), id="alphanode-000001",
                      linked_to="alphanode-000002")  # fmt: skip
    body = es_query(clauses)
    assert body["track_total_hits"] is True
    leaves = _leaves(body["query"])
    assert {kind for kind, _, _ in leaves} == {"match", "match_phrase", "term", "range"}
    for kind, field, nested in leaves:
        for path in nested:
            assert _mapping(path)["type"] == "nested", path
            assert field.startswith(path + ".")
        mapped = _mapping(field)
        if kind in ("match", "match_phrase"):
            assert mapped["type"] == "text", field
        elif kind == "range":
            assert mapped["type"] in ("integer", "long", "date"), field
        else:
            assert mapped["type"] in ("keyword", "boolean"), field
    nested_fields = [f for _, f, n in leaves if n]
    assert "sections.paragraphs" in nested_fields and "meta.entities.name.keyword" in nested_fields


def test_clauses_round_trip_through_the_file_form() -> None:
    clauses = Clauses(terms=("run",), phrase=("run", "them"), filter=(Cond("view_count", low=1, high=9),
                      Cond("has_images", value=False), Cond("tool", value="pytest")), id="alphanode-000004")  # fmt: skip
    assert parse_clauses(clauses.as_dict(), "x") == clauses
