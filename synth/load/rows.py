"""A validated post as database rows: the ``posts`` row (scalar meta as columns) and its child rows.

A :class:`PostRows` may also carry its rows already in PostgreSQL's COPY text format
(:class:`CopyRows`, from :mod:`synth.load.copytext` or the native row source) and the digest
of the line it came from (:func:`synth.load.rowsource.line_digest`), which re-imports compare
to skip an unchanged line without parsing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from synth._native import Accepted

__all__ = ["COLUMNS", "CopyRows", "PostRows", "native_rows", "post_rows"]

COLUMNS: Final = (
    "id", "number", "title", "intro", "body", "topic", "problem", "stack", "area", "code_language",
    "difficulty", "reading_time", "view_count", "quality", "freshness", "depth", "clarity", "status",
    "version", "last_reviewed", "reference", "content_hash", "ai_generated_style", "has_images",
    "image_heavy", "needs_human_review", "doc",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CopyRows:
    """A post's rows in COPY text format: one line for ``posts`` (:data:`COLUMNS` order), the child rows' lines."""

    post: bytes
    tools: bytes
    entities: bytes
    links: bytes


@dataclass(frozen=True, slots=True)
class PostRows:
    """One post as rows: the ``posts`` row (in :data:`COLUMNS` order) and its child rows; ``copy``, the
    same rows as COPY text (PostgreSQL), and ``digest``, that of the line it came from, when known."""

    post: tuple[Any, ...]
    tools: list[tuple[str, int, str]]
    entities: list[tuple[str, int, str, str]]
    links: list[tuple[str, int, str]]
    copy: CopyRows | None = None
    digest: str | None = None

    @property
    def id(self) -> str:
        return str(self.post[0])

    @property
    def content_hash(self) -> str:
        return str(self.post[COLUMNS.index("content_hash")])


def _body(post: dict[str, Any]) -> str:
    """The searchable article text: every paragraph and checklist item, one per line."""
    parts = [text for s in post["sections"] for text in s.get("paragraphs", s.get("items", []))]
    return "\n".join(parts)


def post_rows(post: dict[str, Any], doc: bytes) -> PostRows:
    """The rows of a validated post dict; ``doc`` is its JSON."""
    meta = post["meta"]
    outline, score, revision, flags = meta["ai_outline"], meta["score"], meta["revision"], meta["flags"]
    pid = post["id"]
    row = (
        pid, meta["payload"]["seed"], post["title"], post["intro"], _body(post), meta["topic"], outline["problem"],
        outline["stack"], meta["stack"][1] if len(meta["stack"]) > 1 else None, meta["code_language"],
        meta["difficulty"], meta["reading_time"], meta["view_count"], score["quality"], score["freshness"],
        score["depth"], score["clarity"], revision["status"], revision["version"], revision["last_reviewed"],
        meta["reference"], meta["hash"], flags["ai_generated_style"], flags["has_images"], flags["image_heavy"],
        flags["needs_human_review"], doc.decode(),
    )  # fmt: skip
    return PostRows(
        post=row,
        tools=[(pid, k, tool) for k, tool in enumerate(meta["tools"])],
        entities=[(pid, k, e["name"], e["type"]) for k, e in enumerate(meta["entities"])],
        links=[(pid, k, target) for k, target in enumerate(post["similar_posts"])],
    )


def native_rows(accepted: Accepted) -> PostRows:
    """The rows of a post the native check accepted with ``rows=True`` (:mod:`synth.validate.native`,
    built with ``columns=COLUMNS``): the same as :func:`post_rows` of the decoded post and its JSON."""
    if accepted.row is None or accepted.tools is None or accepted.entities is None or accepted.links is None:
        raise ValueError("the post was checked without rows: use NativeCheck(..., columns=COLUMNS, rows=True)")
    return PostRows(post=accepted.row, tools=accepted.tools, entities=accepted.entities, links=accepted.links)
