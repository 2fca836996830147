"""Hypothesis strategies for posts, kept at their first home: ``from synth.strategies import posts``.

The implementation is :mod:`synth.testing.strategies`; it needs ``hypothesis``.
"""

from __future__ import annotations

from synth.testing.strategies import (
    CORPUS_CODES,
    DIFFICULTIES,
    INVALID_CODES,
    STATUSES,
    invalid_corpora,
    invalid_posts,
    posts,
)

__all__ = ["CORPUS_CODES", "DIFFICULTIES", "INVALID_CODES", "STATUSES", "invalid_corpora", "invalid_posts", "posts"]
