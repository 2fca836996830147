"""synth: seeded, deterministic alphanode posts for test suites and load tests.

    >>> import synth
    >>> post = synth.generate_post(8320, seed=0)
    >>> post.id
    'alphanode-008320'

Names are imported on first use, so ``synth generate`` starts without loading pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from synth._constants import SCHEMA_VERSION
from synth._version import __version__
from synth.errors import GenerationError, InputError, OutputError, SynthError, UsageError

if TYPE_CHECKING:
    from synth.corpus import Summary, write_corpus
    from synth.generator import generate, generate_post
    from synth.model import Post, content_hash, json_schema
    from synth.validate import Finding, validate_file, validate_post

__all__ = [
    "SCHEMA_VERSION",
    "Finding",
    "GenerationError",
    "InputError",
    "OutputError",
    "Post",
    "Summary",
    "SynthError",
    "UsageError",
    "__version__",
    "content_hash",
    "generate",
    "generate_post",
    "json_schema",
    "validate_file",
    "validate_post",
    "write_corpus",
]

_LAZY = {
    "Finding": "synth.validate",
    "validate_file": "synth.validate",
    "validate_post": "synth.validate",
    "Post": "synth.model",
    "Summary": "synth.corpus",
    "content_hash": "synth.model",
    "generate": "synth.generator",
    "generate_post": "synth.generator",
    "json_schema": "synth.model",
    "write_corpus": "synth.corpus",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'synth' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
