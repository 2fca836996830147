"""synth: seeded, deterministic alphanode posts for test suites and load tests.

    >>> import synth
    >>> post = synth.generate_post(8320, seed=0)
    >>> post.id
    'alphanode-008320'

Names are imported on first use, so ``synth generate`` starts without loading pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from synth._lazy import lazy
from synth._version import __version__
from synth.errors import (
    DatabaseError,
    GenerationError,
    ImportAbortedError,
    InputError,
    OutputError,
    SynthError,
    UsageError,
)
from synth.schema.constants import SCHEMA_VERSION

if TYPE_CHECKING:
    from synth.generation.corpus import Summary
    from synth.generation.engines import generate, generate_post
    from synth.generation.writer import write_corpus
    from synth.load.check import check_index
    from synth.schema.export import json_schema
    from synth.schema.hash import content_hash
    from synth.schema.model import Post
    from synth.validate.check import validate_post
    from synth.validate.report import Finding
    from synth.validate.run import validate_file
    from synth.workload.workload import queries

__all__ = [
    "SCHEMA_VERSION",
    "DatabaseError",
    "Finding",
    "GenerationError",
    "ImportAbortedError",
    "InputError",
    "OutputError",
    "Post",
    "Summary",
    "SynthError",
    "UsageError",
    "__version__",
    "check_index",
    "content_hash",
    "generate",
    "generate_post",
    "json_schema",
    "queries",
    "validate_file",
    "validate_post",
    "write_corpus",
]

__getattr__, __dir__ = lazy(
    __name__,
    {
        "Finding": "synth.validate.report",
        "Post": "synth.schema.model",
        "Summary": "synth.generation.corpus",
        "check_index": "synth.load.check",
        "content_hash": "synth.schema.hash",
        "generate": "synth.generation.engines",
        "generate_post": "synth.generation.engines",
        "json_schema": "synth.schema.export",
        "queries": "synth.workload.workload",
        "validate_file": "synth.validate.run",
        "validate_post": "synth.validate.check",
        "write_corpus": "synth.generation.writer",
    },
)
