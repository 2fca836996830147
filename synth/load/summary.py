"""What an import reports: the counts, the speed, and where the time went (read, validate, write, index)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from synth.load.backend import Counts
from synth.load.pipeline import Timings
from synth.wording import plural

__all__ = ["ImportSummary"]


@dataclass(slots=True)
class ImportSummary:
    """The structured summary of a run: ``counts`` are per source totals (resumed work included),
    ``read`` the records this run read, so ``records_per_second`` is this run's speed.

    ``timings`` holds each stage's busy seconds (stages overlap: reading and validating run in
    threads or processes beside the writer); ``fresh`` tells that the run loaded an empty
    database (or finished such a load) and built its indexes at the end.
    """

    counts: Counts = field(default_factory=Counts)
    deleted: int = 0
    resumed_from: dict[str, int] = field(default_factory=dict)  # path -> last record done before this run
    seconds: float = 0.0
    rejects_file: str | None = None  # the file this run appended rejects to
    rejects_files: list[str] = field(default_factory=list)  # every file holding the rejects of these sources
    per_source: dict[str, int] = field(default_factory=dict)  # records of each file, checkpoints included
    read: int = 0
    sources: list[str] = field(default_factory=list)  # the identities this run began or resumed
    timings: Timings = field(default_factory=Timings)
    fresh: bool = False

    def merge(self, other: ImportSummary) -> None:
        self.counts.add(other.counts)
        self.resumed_from.update(other.resumed_from)
        self.per_source.update(other.per_source)
        self.read += other.read
        self.sources += other.sources
        self.timings.add(other.timings)

    @property
    def records_per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        c, t = self.counts, self.timings
        return {
            "records": c.records, "inserted": c.inserted, "updated": c.updated, "unchanged": c.unchanged,
            "rejected": c.rejected, "deleted": self.deleted, "records_this_run": self.read,
            "seconds": round(self.seconds, 3), "records_per_second": round(self.records_per_second, 1),
            "read_seconds": round(t.read, 3), "validate_seconds": round(t.validate, 3),
            "write_seconds": round(t.write, 3), "index_seconds": round(t.index, 3), "fresh_load": self.fresh,
            "resumed_from_record": self.resumed_from, "rejects_file": self.rejects_file,
            "rejects_files": self.rejects_files,
        }  # fmt: skip

    def line(self) -> str:
        c = self.counts
        resumed = (
            f" (resumed {plural(len(self.resumed_from), 'source')}; {plural(self.read, 'record')} read this run)"
            if self.resumed_from
            else ""
        )
        return (
            f"{plural(c.records, 'record')}: {c.inserted:,} inserted, {c.updated:,} updated, "
            f"{c.unchanged:,} unchanged, {c.rejected:,} rejected, {self.deleted:,} deleted in {self.seconds:.2f} s "
            f"({self.records_per_second:,.0f} records/s){resumed}"
        )

    def stages(self) -> str:
        """Where the time went: each stage's busy seconds (they overlap), and whether the load was fresh."""
        t = self.timings
        kind = "fresh load, indexes built at the end" if self.fresh else "incremental"
        return (
            f"time: read {t.read:.2f} s, validate {t.validate:.2f} s, write {t.write:.2f} s, index {t.index:.2f} s "
            f"({kind}; the stages overlap)"
        )
