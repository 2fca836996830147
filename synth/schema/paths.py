"""JSON paths of findings: ``$.meta.score.quality``, ``$.sections[0].items[2]``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

__all__ = ["error_path", "format_path"]

_SECTION_TAGS: Final = frozenset({"paragraphs", "checklist"})


def error_path(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """A pydantic error location as a path into the JSON document.

    Pydantic puts the tag of a discriminated union into the location
    (``sections.0.paragraphs.heading``); the document has no such level, so it is dropped.
    """
    path = tuple(loc)
    if len(path) > 2 and path[0] == "sections" and isinstance(path[1], int) and path[2] in _SECTION_TAGS:
        return path[:2] + path[3:]
    return path


def format_path(path: Sequence[str | int]) -> str:
    """A JSON path such as ``$.meta.score.quality`` or ``$.sections[0].items[2]``."""
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
