"""What a changed post has to rewrite besides its ``posts`` row: its search text, its child rows.

A post whose hash changed is rarely changed everywhere: an edition that drops a link changes
one child row and not a word of the text, a revision rewrites the body and keeps the tools and
entities. Re-indexing a post's text (FTS5: remove the old entries, add the new) and replacing its
child rows are most of what an incremental import writes, so the backends compare what is stored
with what comes and rewrite only what differs. The comparison is exact (the stored values, read
back, against the new rows); anything that is not plainly equal is rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from synth.load.rows import COLUMNS, PostRows

__all__ = ["CHILDREN", "TEXT", "Rewrites", "rewrites", "text_of"]

TEXT: Final = ("title", "intro", "body")  # the indexed columns
_TEXT_AT: Final = tuple(COLUMNS.index(column) for column in TEXT)
# child table -> (PostRows attribute, its columns after post_id; the first is the position)
CHILDREN: Final = {
    "post_tools": ("tools", ("position", "tool")),
    "post_entities": ("entities", ("position", "name", "type")),
    "post_links": ("links", ("position", "target_id")),
}


def text_of(post: PostRows) -> list[Any]:
    """The post's indexed text, in :data:`TEXT` order."""
    return [post.post[k] for k in _TEXT_AT]


@dataclass(frozen=True, slots=True)
class Rewrites:
    """Of the changed posts: those whose text must be indexed again, and per child table those whose rows differ."""

    text: list[PostRows]
    children: dict[str, list[PostRows]]


def _same_rows(stored: Sequence[Sequence[Any]] | None, rows: Sequence[tuple[Any, ...]]) -> bool:
    """Whether the stored child rows (without post_id, any order) are ``rows`` (with post_id, in order)."""
    ordered = sorted(stored or (), key=lambda row: row[0])
    return len(ordered) == len(rows) and all(list(old) == list(new[1:]) for old, new in zip(ordered, rows, strict=True))


def rewrites(
    changed: list[PostRows],
    texts: Mapping[str, Sequence[Any]],
    children: Mapping[str, Mapping[str, Sequence[Sequence[Any]]]],
) -> Rewrites:
    """What of ``changed`` differs from what is stored: ``texts`` (id -> stored text in :data:`TEXT`
    order) and ``children`` (table -> id -> stored rows without post_id); a post missing from
    ``texts`` counts as changed text."""
    text = [p for p in changed if list(texts.get(p.id, ())) != text_of(p)]
    rows = {
        table: [p for p in changed if not _same_rows(children[table].get(p.id), getattr(p, attr))]
        for table, (attr, _) in CHILDREN.items()
    }
    return Rewrites(text, rows)
