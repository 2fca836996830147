"""The load stage: idempotent, resumable bulk import into SQLite (default) or PostgreSQL, and search.

Modules: :mod:`~synth.load.importer` (the engine), :mod:`~synth.load.rows` (a post as rows),
:mod:`~synth.load.backend` (the backend protocol, safe URLs), :mod:`~synth.load.database`
(:func:`~synth.load.database.connect`), :mod:`~synth.load.tables` (table names: prefix, schema),
:mod:`~synth.load.rejects` (the dead-letter file), :mod:`~synth.load.sqlite`,
:mod:`~synth.load.postgres`, :mod:`~synth.load.search` (and how the two tokenizers differ).
The names below are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from synth._lazy import lazy

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

__getattr__, __dir__ = lazy(
    __name__,
    {
        "ImportOptions": "synth.load.importer",
        "ImportSummary": "synth.load.importer",
        "PostRows": "synth.load.rows",
        "connect": "synth.load.database",
        "import_paths": "synth.load.importer",
        "import_validation": "synth.load.importer",
        "post_rows": "synth.load.rows",
        "redacted": "synth.load.backend",
    },
)
