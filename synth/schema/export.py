"""The JSON Schema export: ``schemas/post.v1.schema.json`` is what :func:`json_schema` returns."""

from __future__ import annotations

from typing import Any

from synth.schema.model import Post

__all__ = ["json_schema"]


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :class:`~synth.schema.model.Post`."""
    schema = Post.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
