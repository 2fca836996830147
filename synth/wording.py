"""Wording shared by every message: a count with its noun in the right number."""

from __future__ import annotations

__all__ = ["plural"]


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 post``, ``0 posts``, ``12,000 posts``: ``count`` (with thousands separators) and the noun agreeing with it.

    ``many`` is the plural when it is not ``noun + "s"`` (``plural(n, "index", "indices")``).
    """
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"
