"""The content hash (``meta.hash``): defined on the post's canonical bytes, with the hash zeroed.

The digest is the first 24 hex digits of the SHA-256 of the post's compact JSON (keys in schema
order, UTF-8, no whitespace: what ``orjson.dumps`` of a dict in schema order or pydantic's
``model_dump_json`` writes) with ``meta.hash`` set to 24 zeros. :func:`seal` fills it into a post
dict that is already in schema order (the generator's hot path, no pydantic); :func:`content_hash`
first puts any post in schema order through the model.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, Final

import orjson

from synth.schema.constants import ZERO_HASH

if TYPE_CHECKING:
    from synth.schema.model import Post

__all__ = ["HASH_DIGITS", "content_hash", "digest", "seal"]

HASH_DIGITS: Final = len(ZERO_HASH)
_ZEROED: Final = b'"hash":"' + ZERO_HASH.encode() + b'"'


def digest(data: bytes) -> str:
    """The hash of canonical bytes whose ``meta.hash`` is zeroed."""
    return hashlib.sha256(data).hexdigest()[:HASH_DIGITS]


def seal(post: dict[str, Any]) -> bytes:
    """Fill in ``meta.hash`` of a post dict in schema key order; returns its compact JSON.

    Whatever hash the dict holds is replaced: it is zeroed, the digest is taken over those bytes,
    and the digest is written into both the dict and the returned bytes. A JSON string value
    cannot contain the unescaped ``"hash":"000..."``, so its first match is the field.
    """
    post["meta"]["hash"] = ZERO_HASH
    data = orjson.dumps(post)
    value = digest(data)
    post["meta"]["hash"] = value
    return data.replace(_ZEROED, b'"hash":"' + value.encode() + b'"', 1)


def content_hash(post: Post | dict[str, Any]) -> str:
    """The ``meta.hash`` a post must carry (a dict is put in schema order through the model first)."""
    from synth.schema.model import Post  # noqa: PLC0415 - pydantic stays out of the generator's start-up

    model = post if isinstance(post, Post) else Post.model_validate(post)
    data = model.model_dump(mode="json")
    data["meta"]["hash"] = ZERO_HASH
    return digest(orjson.dumps(data))
