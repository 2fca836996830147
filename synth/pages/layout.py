"""The page layout shared by the renderers (:mod:`synth.render`) and the page readers (:mod:`synth.pages`).

The meta box lists the fields of :class:`synth.schema.model.Meta` in model order; each field's
label is its JSON key with underscores as spaces, and how it is shown follows from its type:

* ``text``, ``int``, ``flag``: label and value with nothing between (``reading time8``),
  flags as ``1``/``0``;
* ``list`` (a list of strings): the label alone, then one ``  • item`` line per item;
* ``object``: the label alone, then one ``  • key: value`` line per field;
* ``objects`` (a list of objects): the label alone, then ``    • key: value`` lines, one per
  field of each object in turn.

The table is derived from the model, so a field added to the model shows up on the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal, TypeAlias, get_args, get_origin

from pydantic import BaseModel

from synth.errors import InputError
from synth.schema.model import POST_ID_PATTERN, URL_PATTERN, Meta, Post

__all__ = [
    "BULLET",
    "IMAGE_SOURCE",
    "META_FIELDS",
    "META_HEADING",
    "OBJECT_BULLET",
    "POST_ID",
    "SIMILAR_HEADING",
    "URL",
    "MetaField",
    "PostLike",
    "as_dict",
    "label_of",
    "members",
    "post_name",
    "rendered",
    "scalar",
]

Kind = Literal["text", "int", "flag", "list", "object", "objects"]
ScalarKind = Literal["text", "int", "flag"]

META_HEADING: Final = "alphanode post meta"
SIMILAR_HEADING: Final = "Similar Posts"
IMAGE_SOURCE: Final = ". image source: "
BULLET: Final = "  • "
OBJECT_BULLET: Final = "    • "
# ASCII digits only: in a str pattern ``\d`` also matches other scripts' digits.
POST_ID: Final = re.compile(POST_ID_PATTERN, re.ASCII)
URL: Final = re.compile(URL_PATTERN, re.ASCII)


@dataclass(frozen=True, slots=True)
class MetaField:
    """One field of the meta box: its JSON key, its label on the page and how it is shown.

    ``fields`` lists (key, label, kind) of the members of an ``object`` or of each item of
    ``objects``; it is empty for the other kinds.
    """

    key: str
    label: str
    kind: Kind
    fields: tuple[tuple[str, str, ScalarKind], ...] = ()


def label_of(key: str) -> str:
    """The page label of a JSON key: underscores become spaces (``view_count`` -> ``view count``)."""
    return key.replace("_", " ")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation names, if any (``Annotated`` unwrapped)."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _scalar_kind(annotation: Any) -> ScalarKind:
    """How a scalar annotation is shown: flag (bool), int or text."""
    if annotation is bool:
        return "flag"
    if annotation is int:
        return "int"
    return "text"


def _fields_of(model: type[BaseModel]) -> tuple[tuple[str, str, ScalarKind], ...]:
    """(key, label, kind) of each field of a model."""
    return tuple((key, label_of(key), _scalar_kind(f.annotation)) for key, f in model.model_fields.items())


def _meta_field(key: str, annotation: Any) -> MetaField:
    """The layout of one field of the meta box, from its annotation."""
    label = label_of(key)
    model = _model_of(annotation)
    if model is not None:
        return MetaField(key, label, "object", _fields_of(model))
    if get_origin(annotation) is list:
        item_model = _model_of(get_args(annotation)[0])
        if item_model is not None:
            return MetaField(key, label, "objects", _fields_of(item_model))
        return MetaField(key, label, "list")
    return MetaField(key, label, _scalar_kind(annotation))


META_FIELDS: Final = tuple(_meta_field(key, field.annotation) for key, field in Meta.model_fields.items())


def post_name(post: Any) -> str:
    """How messages name a post: its id when it has a readable one."""
    pid = post.get("id") if isinstance(post, dict) else None
    return repr(pid) if isinstance(pid, str) else "(no id)"


PostLike: TypeAlias = Post | dict[str, Any]
_SHAPE_ERRORS: Final = (KeyError, TypeError, AttributeError, IndexError, ValueError)


def as_dict(post: PostLike) -> dict[str, Any]:
    """The post as a dict in the model's JSON shape."""
    if isinstance(post, Post):
        return post.model_dump(mode="json")
    if isinstance(post, dict):
        return post
    raise InputError(
        f"cannot render a {type(post).__name__} as a post", hint="pass a synth.Post or a dict in the model's shape"
    )


def rendered(make: Callable[[dict[str, Any]], str], post: PostLike) -> str:
    """``make(post)``, with a post that is not in the model's shape reported as an InputError."""
    data = as_dict(post)
    try:
        return make(data)
    except _SHAPE_ERRORS as exc:
        raise InputError(
            f"post {post_name(data)} is not in the model's shape ({type(exc).__name__}: {exc})",
            hint="check it with synth.validate_post",
        ) from None


def scalar(value: Any, kind: str) -> str:
    """A scalar as the page shows it: flags as 1/0, numbers in decimal, text as is."""
    if kind == "flag":
        return "1" if value else "0"
    return str(value)


def members(field: MetaField, value: dict[str, Any]) -> list[str]:
    """The ``key: value`` lines of an object of the meta box."""
    return [f"{label}: {scalar(value[key], kind)}" for key, label, kind in field.fields]
