"""The load stage: idempotent, resumable bulk import into SQLite (default) or PostgreSQL, and search.

Modules: :mod:`~synth.load.importer` (the engine), :mod:`~synth.load.rows` (a post as rows),
:mod:`~synth.load.backend` (the backend protocol, safe URLs), :mod:`~synth.load.database`
(:func:`~synth.load.database.connect`), :mod:`~synth.load.tables` (table names: prefix, schema),
:mod:`~synth.load.rejects` (the dead-letter file), :mod:`~synth.load.sqlite`,
:mod:`~synth.load.postgres`, :mod:`~synth.load.search` (and how the two tokenizers differ).
The names below are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from synth.load.backend import redacted
    from synth.load.database import connect
    from synth.load.importer import ImportOptions, ImportSummary, import_paths, import_validation
    from synth.load.rows import PostRows, post_rows

__all__ = [
    "ImportOptions",
    "ImportSummary",
    "PostRows",
    "connect",
    "import_paths",
    "import_validation",
    "post_rows",
    "redacted",
]

_HOME = {
    "ImportOptions": "importer",
    "ImportSummary": "importer",
    "PostRows": "rows",
    "connect": "database",
    "import_paths": "importer",
    "import_validation": "importer",
    "post_rows": "rows",
    "redacted": "backend",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(f"synth.load.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'synth.load' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
