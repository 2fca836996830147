"""The pytest plugin as the ``pytest11`` entry point names it (``synth.pytest_plugin``).

The implementation is :mod:`synth.testing.pytest_plugin`; this module re-exports its hooks and
fixtures so that pytest registers them once, under this name.
"""

from __future__ import annotations

from synth.testing.pytest_plugin import (
    pytest_addoption,
    pytest_report_header,
    synth_corpus,
    synth_corpus_file,
    synth_factory,
    synth_post,
    synth_posts,
    synth_queries,
    synth_seed,
    synth_sqlite,
    synth_sqlite_db,
)

__all__ = [
    "pytest_addoption",
    "pytest_report_header",
    "synth_corpus",
    "synth_corpus_file",
    "synth_factory",
    "synth_post",
    "synth_posts",
    "synth_queries",
    "synth_seed",
    "synth_sqlite",
    "synth_sqlite_db",
]
