"""What the page readers share: quoting page text in errors, scalars from page text, the post dict."""

from __future__ import annotations

from typing import Any, Final

from synth.pages.layout import META_FIELDS, MetaField
from synth.schema.constants import SCHEMA_VERSION

__all__ = ["HINT", "LABELS", "convert", "label_found", "post_of", "shown"]

_SHOWN: Final = 40
LABELS: Final = {f.label: i for i, f in enumerate(META_FIELDS)}
HINT: Final = "pages are read in the layout synth.render writes; compare the page with one it rendered"


def shown(text: str) -> str:
    """A piece of a page as error messages quote it: in quotes, cut to 40 characters."""
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")


def label_found(field: MetaField, found: str) -> str:
    """The end of a message for a meta label that is not ``field``'s: unknown, or out of order."""
    known = max((label for label in LABELS if found.startswith(label)), key=len, default=None)
    if known is None:
        return f"expected the meta label {field.label!r}, found {shown(found)}"
    place = "comes later" if LABELS[known] > LABELS[field.label] else "came earlier"
    return (
        f"expected the meta label {field.label!r}, found the label {known!r}, which {place} "
        f"(meta labels come in page order; {field.label!r} is missing or out of place)"
    )


def convert(value: str, kind: str, label: str) -> str | int | bool:
    """A scalar from its page text; raises ValueError with the expectation when it is malformed."""
    if kind == "flag":
        if value not in ("1", "0"):
            raise ValueError(f"expected 1 or 0 for {label!r}, found {shown(value)}")
        return value == "1"
    if kind == "int":
        if not (value.isascii() and value.isdigit()):
            raise ValueError(f"expected a whole number for {label!r}, found {shown(value)}")
        return int(value)
    return value


def post_of(
    head: tuple[str, str],
    images: list[dict[str, str]],
    sections: list[dict[str, Any]],
    meta: dict[str, Any],
    similar: list[str],
) -> dict[str, Any]:
    """The post dict, keys in schema order, with what the page does not show derived."""
    payload = meta.get("payload")
    pid = payload.get("source_id") if isinstance(payload, dict) else None
    title, intro = head
    return {
        "schema_version": SCHEMA_VERSION,
        "id": pid,
        "title": title,
        "intro": intro,
        "images": images,
        "sections": sections,
        "meta": meta,
        "similar_posts": similar,
    }
