"""Corpus rules (R001-R003) across every file of one run: duplicate ids and content, dangling links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from synth.validate.report import Finding

if TYPE_CHECKING:
    from synth.validate.check import RecordResult
    from synth.validate.records import Record

__all__ = ["Corpus"]


class Corpus:
    """Ids, content digests and pending links of every post seen in one run."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.contents: dict[bytes, str] = {}
        self.pending: list[tuple[str, int, int, str, int, str]] = []  # file, line, offset, id, k, target

    def add(self, file: str, record: Record, result: RecordResult) -> list[Finding]:
        """Register a record; findings of R001 and R002 at once, R003 at :meth:`finish`."""
        found = []
        pid = result.post_id
        if pid is not None and result.valid:
            if pid in self.ids:
                found.append(Finding(file, record.line, record.offset, pid, "$.id", "R001", f"duplicate post id {pid}"))
            self.ids.add(pid)
            first = pid if result.content is None else self.contents.setdefault(result.content, pid)
            if first != pid:
                found.append(
                    Finding(
                        file, record.line, record.offset, pid, "$", "R002", f"same title, intro and sections as {first}"
                    )
                )
            for k, target in enumerate(result.similar):
                if target not in self.ids:
                    self.pending.append((file, record.line, record.offset, pid, k, target))
        return found

    def finish(self) -> list[Finding]:
        """R003 for links to ids that never appeared."""
        return [
            Finding(
                file, line, offset, pid, f"$.similar_posts[{k}]", "R003", f"similar post {target} is not in the corpus"
            )
            for file, line, offset, pid, k, target in self.pending
            if target not in self.ids
        ]
