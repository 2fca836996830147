"""The importer: idempotent, resumable bulk load into SQLite (default) or PostgreSQL.

Records are validated on the way in (layers parse, schema and consistency of
:mod:`synth.validate`); rejected ones go to a dead-letter table, written out as JSON Lines.
Work commits in batches, each together with a checkpoint (source identity, last line) in the
same transaction, so a run killed at any moment continues from its checkpoint when run again
and ends in the same state as an uninterrupted run. The post id is the key: an unchanged post
(same content hash) is skipped, a changed one updates its row, children and search index. A
repeated id within the input is an update too (the last one wins), resumed or not.

Tables (layout version :data:`LAYOUT_VERSION`): ``posts`` (scalar meta as columns, the whole
post as JSON, the content hash, imported/updated times), ``post_tools``, ``post_entities``,
``post_links`` (similar posts), the full-text index (FTS5 in SQLite, a ``tsvector`` column with
a GIN index in PostgreSQL), ``synth_checkpoints``, ``synth_rejects`` and ``synth_meta``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import orjson

from synth.errors import ImportAbortedError
from synth.generation.manifest import is_manifest, part_paths, read_manifest
from synth.io import STDIO, open_input, open_output
from synth.load.backend import Backend, Counts, Reject, is_postgres
from synth.load.database import connect
from synth.load.rows import PostRows, post_rows
from synth.validate.check import RecordResult, findings_of
from synth.validate.options import Options, make_options
from synth.validate.records import Record, kept_raw, records
from synth.validate.run import checked_records

__all__ = ["BATCH", "ImportOptions", "ImportSummary", "default_rejects", "import_paths", "import_validation"]

BATCH: Final = 2000


def source_identity(path: str) -> str | None:
    """Path, size and a digest of the first MiB: a changed file is a new source. Stdin has none."""
    if path == STDIO:
        return None
    resolved = Path(path).resolve()
    try:
        size = resolved.stat().st_size
        with resolved.open("rb") as handle:
            head = hashlib.sha256(handle.read(1 << 20)).hexdigest()[:16]
    except OSError:
        return None  # open_input reports the error with its hint
    return f"{resolved}|{size}|{head}"


def import_validation(**kw: Any) -> Options:
    """Validation on the way in: every per-record rule; corpus rules do not apply (ids are keys)."""
    return dataclasses.replace(make_options(ignore=["R"], **kw), keep_posts=True)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to import: batch size, error limits, sync, workers, validation options."""

    batch: int = BATCH
    max_errors: int = 0
    max_error_rate: float = 0.0
    sync: bool = False
    workers: int = 1
    validation: Options = field(default_factory=import_validation)


@dataclass(slots=True)
class ImportSummary:
    """The structured summary of a run."""

    counts: Counts = field(default_factory=Counts)
    deleted: int = 0
    resumed_from: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    rejects_file: str | None = None
    per_source: dict[str, int] = field(default_factory=dict)  # records of each file, checkpoints included

    def merge(self, other: ImportSummary) -> None:
        self.counts.add(other.counts)
        self.resumed_from.update(other.resumed_from)
        self.per_source.update(other.per_source)

    @property
    def rows_per_second(self) -> float:
        return self.counts.records / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        c = self.counts
        return {
            "records": c.records, "inserted": c.inserted, "updated": c.updated, "unchanged": c.unchanged,
            "rejected": c.rejected, "deleted": self.deleted, "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second, 1), "resumed_from_line": self.resumed_from,
            "rejects_file": self.rejects_file,
        }  # fmt: skip

    def line(self) -> str:
        c = self.counts
        resumed = f" (resumed {len(self.resumed_from)} source(s))" if self.resumed_from else ""
        return (
            f"{c.records:,} records: {c.inserted:,} inserted, {c.updated:,} updated, {c.unchanged:,} unchanged, "
            f"{c.rejected:,} rejected, {self.deleted:,} deleted in {self.seconds:.2f} s "
            f"({self.rows_per_second:,.0f} rows/s){resumed}"
        )


def _reject(path: str, record: Record, result: RecordResult, options: Options) -> Reject:
    raw = kept_raw(record)  # at most 4 KiB of it, then a note of its size and sha256
    raw = "null" if raw is None else raw
    findings = [f.as_dict() for f in findings_of(path, record, result, options.selection)]
    return Reject(record.line, record.offset, raw, findings)


def _check_limits(counts: Counts, options: ImportOptions) -> None:
    if options.max_errors and counts.rejected > options.max_errors:
        raise ImportAbortedError(
            f"stopped after {counts.rejected} rejected records (max_errors {options.max_errors})",
            hint="fix the input (see the rejects file) and run the same command again to continue",
            parameter="max_errors",
        )
    if options.max_error_rate and counts.records >= 100 and counts.rejected > options.max_error_rate * counts.records:
        raise ImportAbortedError(
            f"stopped: {counts.rejected} of {counts.records} records rejected "
            f"(max_error_rate {options.max_error_rate})",
            hint="fix the input (see the rejects file) and run the same command again to continue",
            parameter="max_error_rate",
        )


Progress = Callable[[int], None]


def _batches(items: Iterator[tuple[Record, RecordResult]], size: int) -> Iterator[list[tuple[Record, RecordResult]]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _import_source(
    backend: Backend, path: str, options: ImportOptions, summary: ImportSummary, pool: Any, progress: Progress | None
) -> None:
    source = source_identity(path)
    key = source or f"stdin:{os.getpid()}"
    checkpoint = backend.checkpoint(key) if source else None
    counts = Counts()
    if checkpoint is not None:
        counts.add(checkpoint.counts)
        summary.resumed_from[path] = checkpoint.line
    else:
        backend.begin_source(key)
    skip = checkpoint.line if checkpoint else 0
    with open_input(path) as stream:
        pending = (r for r in records(stream, options.validation) if r.line > skip)
        for batch in _batches(checked_records(pending, options.validation, pool), options.batch):
            _write(backend, key, path, batch, counts, options)
            if progress is not None:
                progress(len(batch))
            _check_limits(counts, options)
    backend.finish_source(key)
    summary.counts.add(counts)
    summary.per_source[path] = counts.records


def _write(
    backend: Backend,
    key: str,
    path: str,
    batch: list[tuple[Record, RecordResult]],
    counts: Counts,
    options: ImportOptions,
) -> None:
    """Write one batch and its checkpoint in one transaction; ``counts`` becomes the running total."""
    posts: dict[str, PostRows] = {}
    rejects: list[Reject] = []
    for record, result in batch:
        if result.post is None or result.rejected:
            rejects.append(_reject(path, record, result, options.validation))
        else:
            posts[result.post["id"]] = post_rows(result.post, orjson.dumps(result.post))  # a repeated id: last wins
    repeated = len(batch) - len(rejects) - len(posts)
    done = backend.write_batch(key, list(posts.values()), rejects, batch[-1][0].line, counts, repeated)
    counts.add(done)


def _expand(paths: list[str]) -> tuple[list[str], list[tuple[str, int, list[str]]]]:
    """Files to import (a manifest stands for its parts) and each manifest's (path, count, parts)."""
    sources: list[str] = []
    manifests = []
    for path in paths:
        if not is_manifest(path):
            sources.append(path)
            continue
        manifest = read_manifest(path)
        parts = part_paths(path, manifest)
        manifests.append((path, manifest.count, parts))
        sources += parts
    return sources, manifests


def _import_serial(
    sources: list[str], db: str, options: ImportOptions, summary: ImportSummary, progress: Progress | None
) -> None:
    backend = connect(db)
    try:
        backend.prepare()
        with contextlib.ExitStack() as stack:
            pool = stack.enter_context(ProcessPoolExecutor(options.workers)) if options.workers > 1 else None
            for path in sources:
                _import_source(backend, path, options, summary, pool, progress)
    finally:
        backend.close()


def _import_part(args: tuple[str, str, ImportOptions]) -> ImportSummary:
    part, db, options = args
    summary = ImportSummary()
    _import_serial([part], db, options, summary, None)
    return summary


def _import_parallel(
    parts: list[str], db: str, options: ImportOptions, summary: ImportSummary, progress: Progress | None
) -> None:
    """Parts in ``options.workers`` processes, each part resumable on its own."""
    connect(db).close()  # report a bad URL once, here, not from every worker
    single = dataclasses.replace(options, workers=1)
    with ProcessPoolExecutor(options.workers) as pool:
        for done in pool.map(_import_part, [(part, db, single) for part in parts]):
            summary.merge(done)
            if progress is not None:
                progress(done.counts.records)


def _check_manifests(manifests: list[tuple[str, int, list[str]]], summary: ImportSummary) -> None:
    for path, count, parts in manifests:
        seen = sum(summary.per_source.get(part, 0) for part in parts)
        if seen != count:
            raise ImportAbortedError(
                f"{path} lists {count:,} posts but its parts held {seen:,} records",
                hint=f"check the parts with `synth validate {path}`",
            )


def import_paths(
    paths: Iterable[str],
    db: str,
    *,
    options: ImportOptions | None = None,
    rejects: str | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import every post of ``paths`` into ``db``; returns the summary. See the module docstring.

    A ``manifest.json`` stands for its parts; with ``options.workers`` > 1 its parts load in
    that many processes at once (otherwise workers validate records), and the records found
    are checked against the manifest's count.
    """
    options = options or ImportOptions()
    sources, manifests = _expand(list(paths))
    summary = ImportSummary()
    began = time.perf_counter()
    try:
        if manifests and options.workers > 1 and len(sources) > 1:
            _import_parallel(sources, db, options, summary, progress)
        else:
            _import_serial(sources, db, options, summary, progress)
    finally:
        backend = connect(db)
        try:
            summary.rejects_file = _write_rejects(backend, sources, rejects or default_rejects(db))
        finally:
            backend.close()
    if options.sync:
        backend = connect(db)
        try:
            summary.deleted = backend.sync(_ids(sources, options.validation))
        finally:
            backend.close()
    summary.seconds = time.perf_counter() - began
    _check_manifests(manifests, summary)
    return summary


def default_rejects(db: str) -> str:
    """The dead-letter file beside a SQLite database, or in the current folder for PostgreSQL."""
    if is_postgres(db):
        return "synth-rejects.jsonl"
    return db.removeprefix("sqlite:///") + ".rejects.jsonl"


def _write_rejects(backend: Backend, paths: list[str], target: str) -> str | None:
    sources = [s for s in map(source_identity, paths) if s is not None]
    entries = list(backend.rejects(sources))
    if not entries:
        with contextlib.suppress(FileNotFoundError):
            Path(target).unlink()
        return None
    with open_output(target) as stream:
        for entry in entries:
            stream.write(orjson.dumps(entry) + b"\n")
    return target


def _ids(paths: list[str], options: Options) -> set[str]:
    """Every valid post id of the input (the second pass of --sync)."""
    ids: set[str] = set()
    for path in paths:
        with open_input(path) as stream:
            for record in records(stream, options):
                obj = record.obj
                if record.data is not None:
                    with contextlib.suppress(orjson.JSONDecodeError):
                        obj = orjson.loads(record.data)
                if isinstance(obj, dict) and isinstance(obj.get("id"), str):
                    ids.add(obj["id"])
    return ids
