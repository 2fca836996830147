"""Manifest rules (M001-M003): a partitioned corpus's parts against its ``manifest.json``."""

from __future__ import annotations

from synth.errors import SynthError
from synth.generation.manifest import Part
from synth.io import file_digest

__all__ = ["count_problem", "part_problem"]


def part_problem(path: str, part: Part) -> tuple[str, str] | None:
    """(M001 or M002, message) when the part file at ``path`` is missing or differs from its entry."""
    try:
        size, sha256 = file_digest(path)
    except SynthError as exc:
        return "M001", exc.message
    if (size, sha256) != (part.bytes, part.sha256):
        found = f"{size:,} bytes, sha256 {sha256[:16]}..."
        return "M002", f"{part.file}: {found}; the manifest says {part.bytes:,} bytes, {part.sha256[:16]}..."
    return None


def count_problem(part: Part, records: int) -> tuple[str, str] | None:
    """(M003, message) when the part held another number of records than its entry says."""
    if records == part.count:
        return None
    return "M003", f"{part.file} holds {records:,} records; the manifest says {part.count:,}"
