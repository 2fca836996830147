"""The ``--sanitize`` output: repaired posts to one stream, rejected records (raw, with findings) to another.

A reject keeps its raw text as :func:`~synth.validate.records.kept_raw` bounds it (the first 4 KiB,
then a note of the full size and sha256).
"""

from __future__ import annotations

from typing import BinaryIO

import orjson

from synth.validate.check import RecordResult, findings_of
from synth.validate.records import Record, kept_raw
from synth.validate.rules import Selection

__all__ = ["SanitizeSink"]


class SanitizeSink:
    """Writes repaired posts to ``output`` and rejected records (raw, with findings) to ``rejects``."""

    def __init__(self, output: BinaryIO | None, rejects: BinaryIO | None, selection: Selection) -> None:
        self.output, self.rejects, self.selection = output, rejects, selection
        self.written = self.rejected = 0

    def __call__(self, path: str, record: Record, result: RecordResult) -> None:
        if result.clean is not None and not result.rejected:
            if self.output is not None:
                self.output.write(result.clean + b"\n")
            self.written += 1
            return
        self.rejected += 1
        if self.rejects is None:
            return
        raw = kept_raw(record)
        findings = [f.as_dict() for f in findings_of(path, record, result, self.selection)]
        entry = {"file": path, "line": record.line, "offset": record.offset, "raw": raw, "findings": findings}
        self.rejects.write(orjson.dumps(entry) + b"\n")
