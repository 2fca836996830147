"""Findings and their report: where (file, line, offset, id, path), which rule, what; counts by code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from synth.validate.rules import RULES
from synth.wording import plural

__all__ = ["Finding", "Report", "format_text", "summary"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding: where (file, 1-based line, byte offset, post id, JSON path), which rule, what."""

    file: str | None
    line: int | None
    offset: int | None
    id: str | None
    path: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The finding as ``--format json`` writes it."""
        return {
            "file": self.file,
            "line": self.line,
            "offset": self.offset,
            "id": self.id,
            "path": self.path,
            "code": self.code,
            "message": self.message,
        }

    @property
    def is_warning(self) -> bool:
        return self.code.startswith("W")


@dataclass(slots=True)
class Report:
    """Counts of a run: records read, findings by code, and whether it stopped early."""

    files: int = 0
    records: int = 0
    by_code: dict[str, int] = field(default_factory=dict)
    stopped_early: bool = False

    @property
    def errors(self) -> int:
        return sum(n for code, n in self.by_code.items() if not code.startswith("W"))

    @property
    def warnings(self) -> int:
        return sum(n for code, n in self.by_code.items() if code.startswith("W"))

    def count(self, finding: Finding) -> None:
        self.by_code[finding.code] = self.by_code.get(finding.code, 0) + 1


def format_text(finding: Finding) -> str:
    """``file:line:offset: CODE [id] path: message``, the text format's line."""
    where = ":".join(str(part) for part in (finding.file or "-", finding.line, finding.offset) if part is not None)
    post = f" [{finding.id}]" if finding.id else ""
    return f"{where}: {finding.code}{post} {finding.path}: {finding.message}"


def summary(report: Report) -> str:
    """The closing summary: records, files, and findings by code."""
    head = f"checked {plural(report.records, 'record')} in {plural(report.files, 'file')}: "
    if not report.by_code:
        return head + "all valid"
    lines = [head + f"{plural(report.errors, 'error')}, {plural(report.warnings, 'warning')}"]
    if report.stopped_early:
        lines.append("stopped early (--max-errors)")
    lines += [f"  {code} {RULES[code].name:<24} {n:>8,}" for code, n in sorted(report.by_code.items())]
    return "\n".join(lines)
