"""The validate stage: the streaming validator, every finding located by file, line, byte offset, id and JSON path.

Modules: :mod:`~synth.validate.records` (file framing), :mod:`~synth.validate.check` (one record:
parse, schema, consistency), :mod:`~synth.validate.rules` (the codes and the consistency checks),
:mod:`~synth.validate.corpus_rules`, :mod:`~synth.validate.manifest`, :mod:`~synth.validate.report`,
:mod:`~synth.validate.sanitize` and :mod:`~synth.validate.sink` (lenient mode),
:mod:`~synth.validate.options`, :mod:`~synth.validate.run` (files and runs).

The names below are the public API of the stage; they are imported on first use. (The reader of
records is :func:`synth.validate.records.records`: its module has the same name.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from synth._lazy import lazy

if TYPE_CHECKING:
    from synth.validate.check import RecordResult, check_record, validate_post
    from synth.validate.options import Options, make_options
    from synth.validate.records import Record
    from synth.validate.report import Finding, Report, format_text, summary
    from synth.validate.run import validate_file, validate_paths

__all__ = [
    "Finding",
    "Options",
    "Record",
    "RecordResult",
    "Report",
    "check_record",
    "format_text",
    "make_options",
    "summary",
    "validate_file",
    "validate_paths",
    "validate_post",
]

__getattr__, __dir__ = lazy(
    __name__,
    {
        "Finding": "synth.validate.report",
        "Options": "synth.validate.options",
        "Record": "synth.validate.records",
        "RecordResult": "synth.validate.check",
        "Report": "synth.validate.report",
        "check_record": "synth.validate.check",
        "format_text": "synth.validate.report",
        "make_options": "synth.validate.options",
        "summary": "synth.validate.report",
        "validate_file": "synth.validate.run",
        "validate_paths": "synth.validate.run",
        "validate_post": "synth.validate.check",
    },
)
