"""The key order of every object of a post, read from the model: what canonical bytes look like.

The canonical bytes of a post (what the content hash is taken over, :mod:`synth.schema.hash`)
are the compact JSON of its model dump, keys in field order at every depth. A schema-valid post
dict dumps to itself (the model is strict: no value is coerced), so its ``orjson.dumps`` is the
canonical bytes exactly when :func:`in_schema_order` holds; the validator's hash fast path
relies on this.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel

from synth.schema.model import Post

__all__ = ["KEY_ORDER", "KeyOrder", "in_schema_order", "key_order"]


@dataclass(frozen=True, slots=True)
class KeyOrder:
    """The keys of one object in field order, and the orders of the objects nested in it.

    ``nested`` holds (field, holds a list, orders): ``orders`` maps a section's ``kind`` to its
    order, or ``None`` to the one order of a plain model.
    """

    keys: tuple[str, ...]
    nested: tuple[tuple[str, bool, dict[str | None, KeyOrder]], ...]


def _bare(tp: Any) -> Any:
    return typing.get_args(tp)[0] if typing.get_origin(tp) is typing.Annotated else tp


def _orders(tp: Any) -> tuple[bool, dict[str | None, KeyOrder]] | None:
    """(holds a list, orders) of a field that holds objects; None for a scalar or a list of them."""
    tp = _bare(tp)
    if typing.get_origin(tp) is list:
        inner = _orders(typing.get_args(tp)[0])
        return None if inner is None else (True, inner[1])
    if typing.get_origin(tp) in (types.UnionType, typing.Union):
        members = [_bare(arg) for arg in typing.get_args(tp)]
        return False, {typing.get_args(m.model_fields["kind"].annotation)[0]: key_order(m) for m in members}
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return False, {None: key_order(tp)}
    return None


def key_order(model: type[BaseModel]) -> KeyOrder:
    """The :class:`KeyOrder` of ``model``'s objects."""
    nested = []
    for name, info in model.model_fields.items():
        found = _orders(info.annotation)
        if found is not None:
            nested.append((name, *found))
    return KeyOrder(tuple(model.model_fields), tuple(nested))


KEY_ORDER: Final = key_order(Post)

Check = Callable[[dict[str, Any]], bool]


def _checker(order: KeyOrder) -> Check:
    """A function telling whether an object's keys are in ``order`` at every depth.

    It is the validator's per-record fast path, so the work is laid out once: objects without
    nested objects (scores, flags, entities, images...) are compared inline.
    """
    keys = list(order.keys)
    leaves = [(name, many, list(orders[None].keys)) for name, many, orders in order.nested if _leaf(orders)]
    deep = []
    for name, many, orders in order.nested:
        if not _leaf(orders):
            by_kind = {kind: _checker(sub) for kind, sub in orders.items()}
            deep.append((name, many, by_kind.get(None), by_kind))

    def check(value: dict[str, Any]) -> bool:
        if list(value) != keys:
            return False
        for name, many, want in leaves:
            child = value[name]
            for item in child if many else (child,):
                if list(item) != want:
                    return False
        for name, many, plain, by_kind in deep:
            child = value[name]
            for item in child if many else (child,):
                if not (plain or by_kind[item["kind"]])(item):
                    return False
        return True

    return check


def _leaf(orders: dict[str | None, KeyOrder]) -> bool:
    return None in orders and not orders[None].nested


in_schema_order: Final[Check] = _checker(KEY_ORDER)
"""Whether the keys of a schema-valid post are in field order at every depth."""
