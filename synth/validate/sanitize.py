"""Lenient mode: normalise what a sloppy exporter sends into the canonical post.

"Sanitized array meta is expected to render as a list", says the sample page; exporters do
not always agree. :func:`sanitize` repairs, and reports as a warning (``W`` codes):

* W001 a list sent as one string, ``"a, b, c"`` or bulleted lines (``• a``, ``- a``, ``* a``);
* W002 a flag sent as ``1``/``0`` or ``"true"``/``"false"``/``"yes"``/``"no"``;
* W003 stray whitespace: leading, trailing, or runs of spaces and line breaks inside text;
* W004 HTML tags in text (the text is kept, entities are decoded);
* W005 repeated items in a list that must hold distinct items;
* W006 a number sent as a string (``"542029"``) or as an integral float (``78.0``);
* W007 the hash recomputed, when repairs changed the post and its hash no longer matched.

The shape to repair towards is read from the pydantic models, not restated here. Whatever the
input (any JSON value at any place), :func:`sanitize` returns: what it cannot repair it leaves
as it is, for the schema layer to report.
"""

from __future__ import annotations

import html
import re
import types
import typing
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Final

import orjson
from pydantic import BaseModel

from synth.schema.hash import content_hash
from synth.schema.model import WHITESPACE_CHARS, Post, unique_items

__all__ = ["Repair", "sanitize"]

Repair = tuple[str, tuple[str | int, ...], str]  # (code, path, what was done)

_BULLET: Final = re.compile(r"^\s*(?:[\u2022*\u2013-]|\d+[.)])\s+")  # bullet, star, dash, "1." or "1)"
_SPACES: Final = re.compile(r"\s+")
_TAG: Final = re.compile(r"</?[A-Za-z][^<>]*>")
_TRUE: Final = {"1", "true", "yes", "y", "on"}
_FALSE: Final = {"0", "false", "no", "n", "off"}


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a field holds: ``str``, ``int``, ``bool``, ``list`` (of ``item``), ``model`` or ``union``."""

    kind: str
    item: _Shape | None = None
    fields: dict[str, _Shape] | None = None
    unique: bool = False
    variants: dict[str, dict[str, _Shape]] | None = None


def _annotated(tp: Any) -> tuple[Any, tuple[Any, ...]]:
    if typing.get_origin(tp) is typing.Annotated:
        base, *extras = typing.get_args(tp)
        return base, tuple(extras)
    return tp, ()


def _shape_of(tp: Any, metadata: tuple[Any, ...] = ()) -> _Shape:
    tp, extras = _annotated(tp)
    extras = extras + metadata
    origin = typing.get_origin(tp)
    if origin is list:
        unique = any(getattr(m, "func", None) is unique_items for m in extras)
        return _Shape("list", item=_shape_of(typing.get_args(tp)[0]), unique=unique)
    if origin in (types.UnionType, typing.Union):
        models = [_annotated(arg)[0] for arg in typing.get_args(tp)]
        variants = {m.model_fields["kind"].annotation.__args__[0]: _model_fields(m) for m in models}
        return _Shape("union", variants=variants)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _Shape("model", fields=_model_fields(tp))
    if tp is bool:
        return _Shape("bool")
    return _Shape("int") if tp is int or _int_literal(tp) else _Shape("str")


def _int_literal(tp: Any) -> bool:
    """A ``Literal`` of integers (``schema_version``): repaired as a number."""
    return typing.get_origin(tp) is typing.Literal and all(type(arg) is int for arg in typing.get_args(tp))


def _model_fields(model: type[BaseModel]) -> dict[str, _Shape]:
    return {name: _shape_of(info.annotation, tuple(info.metadata)) for name, info in model.model_fields.items()}


POST_SHAPE: Final = _Shape("model", fields=_model_fields(Post))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _strip_html(text: str) -> str:
    parser = _Text()
    try:
        parser.feed(text)
        parser.close()
    except AssertionError:  # html.parser refuses some marked sections ("<![foo[")
        return html.unescape(_TAG.sub("", text))
    return "".join(parser.parts)


def _text(value: str, path: tuple[str | int, ...], repairs: list[Repair]) -> str:
    if "<" in value and _TAG.search(value):
        value = _strip_html(value)
        repairs.append(("W004", path, "removed HTML tags"))
    cleaned = _SPACES.sub(" ", value).strip(WHITESPACE_CHARS)  # what the model allows at no edge of text
    if cleaned != value:
        repairs.append(("W003", path, "trimmed whitespace"))
    return cleaned


def _split_list(value: str) -> list[str]:
    lines = [line for line in value.splitlines() if line.strip()]
    if len(lines) > 1 or (lines and _BULLET.match(lines[0])):
        return [_BULLET.sub("", line).strip() for line in lines]
    return [part.strip() for part in value.split(",") if part.strip()]


def _flag(value: Any, path: tuple[str | int, ...], repairs: list[Repair]) -> Any:
    key = str(value).strip().lower() if isinstance(value, str) or (type(value) is int and value in (0, 1)) else None
    if key in _TRUE or key in _FALSE:
        repairs.append(("W002", path, f"flag {value!r} read as {key in _TRUE}"))
        return key in _TRUE
    return value


def _number(value: Any, path: tuple[str | int, ...], repairs: list[Repair]) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
        repairs.append(("W006", path, f"number {value!r} read as {int(value)}"))
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        repairs.append(("W006", path, f"number {value!r} read as {int(value)}"))
        return int(value)
    return value


def _list(value: Any, shape: _Shape, path: tuple[str | int, ...], repairs: list[Repair]) -> Any:
    if isinstance(value, str) and shape.item is not None and shape.item.kind == "str":
        value = _split_list(value)
        repairs.append(("W001", path, f"split a string into {len(value)} items"))
    if not isinstance(value, list) or shape.item is None:
        return value
    items = [_repair(item, shape.item, (*path, k), repairs) for k, item in enumerate(value)]
    if shape.unique:
        distinct = _distinct(items)
        if len(distinct) != len(items):
            repairs.append(("W005", path, f"dropped {len(items) - len(distinct)} repeated items"))
            items = distinct
    return items


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _fields(value: Any, fields: dict[str, _Shape], path: tuple[str | int, ...], repairs: list[Repair]) -> Any:
    if not isinstance(value, dict):
        return value
    return {
        key: _repair(item, fields[key], (*path, key), repairs) if key in fields else item for key, item in value.items()
    }


def _repair(value: Any, shape: _Shape, path: tuple[str | int, ...], repairs: list[Repair]) -> Any:
    if shape.kind == "str":
        return _text(value, path, repairs) if isinstance(value, str) else value
    if shape.kind == "int":
        return _number(value, path, repairs)
    if shape.kind == "bool":
        return _flag(value, path, repairs)
    if shape.kind == "list":
        return _list(value, shape, path, repairs)
    if shape.kind == "union" and shape.variants is not None and isinstance(value, dict):
        kind = value.get("kind")  # any JSON value: only a known kind string picks the fields to repair
        variant = shape.variants.get(kind) if isinstance(kind, str) else None
        return _fields(value, variant, path, repairs) if variant is not None else value
    return _fields(value, shape.fields or {}, path, repairs)


def sanitize(post: Any) -> tuple[Any, list[Repair]]:
    """The repaired post and what was repaired; the input is not modified."""
    repairs: list[Repair] = []
    cleaned = _repair(post, POST_SHAPE, (), repairs)
    if repairs and isinstance(cleaned, dict):
        _rehash(cleaned, repairs)
    return cleaned, repairs


def _rehash(post: dict[str, Any], repairs: list[Repair]) -> None:
    """Recompute the hash of a repaired post that is otherwise schema-valid."""
    try:
        expected = content_hash(post)
    except (ValueError, orjson.JSONEncodeError):  # not schema-valid (or not encodable): the validator reports why
        return
    if post["meta"]["hash"] != expected:
        post["meta"]["hash"] = expected
        repairs.append(("W007", ("meta", "hash"), "recomputed the content hash after repairs"))
