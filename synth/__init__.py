"""synth: seeded, deterministic alphanode posts for test suites and load tests.

>>> import synth
>>> post = synth.generate_post(8320, seed=0)
>>> post.id
'alphanode-008320'
"""

from synth._version import __version__
from synth.corpus import Summary, write_corpus
from synth.errors import GenerationError, InputError, LimitExceededError, OutputError, SynthError, UsageError
from synth.generator import generate, generate_post
from synth.model import SCHEMA_VERSION, Post, content_hash, json_schema

__all__ = [
    "SCHEMA_VERSION",
    "GenerationError",
    "InputError",
    "LimitExceededError",
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
    "write_corpus",
]
