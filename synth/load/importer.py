"""The importer: idempotent, resumable bulk load into SQLite (default) or PostgreSQL.

Records are validated on the way in (layers parse, schema and consistency of
:mod:`synth.validate`); rejected ones go to a dead-letter table, and are appended to a JSON
Lines file (:mod:`synth.load.rejects` says which file, and why no file is ever truncated or
deleted). Work commits in batches, each together with a checkpoint in the same transaction:
the source's identity and the last record done, named by its ordinal in the source (the n-th
record the framing of :mod:`synth.validate.records` yields), so that a whole JSON document
(every element on line 1) resumes as exactly as JSON Lines. A run killed at any moment
continues from its checkpoint when run again and ends in the same state as an uninterrupted
run. The post id is the key: an unchanged post (same content hash) is skipped, a changed one
updates its row, children and search index. A repeated id within the input is an update too
(the last one wins), resumed or not.

``max_errors`` / ``max_error_rate`` are checked at every rejected record: the import stops at
the record that reaches the limit, after committing everything before it and the record
itself (so a rerun continues after it). Both count the whole source, resumed runs included.

Tables (layout version :data:`~synth.load.backend.LAYOUT_VERSION`, names from :class:`~synth.load.tables.Tables`):
``posts`` (scalar meta as columns, the whole post as JSON, the content hash, imported/updated
times), ``post_tools``, ``post_entities``, ``post_links`` (similar posts), the full-text index
(FTS5 in SQLite, a ``tsvector`` column with a GIN index in PostgreSQL), ``synth_checkpoints``,
``synth_rejects`` and ``synth_meta``. A database of layout 1 is migrated in place, once; its
unfinished imports (whose checkpoints named only a line) start their source again, which the
idempotence makes safe.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import orjson

from synth.errors import ImportAbortedError, SynthError
from synth.generation.manifest import is_manifest, part_paths, read_manifest
from synth.io import STDIO, open_input
from synth.load.backend import Backend, Checkpoint, Counts, Reject
from synth.load.database import check_url, connect
from synth.load.rejects import check_target, default_rejects, write_rejects
from synth.load.rows import PostRows, post_rows
from synth.load.tables import Tables
from synth.validate.check import RecordResult, findings_of
from synth.validate.native import use_native
from synth.validate.options import Options, make_options
from synth.validate.records import Record, kept_raw, records
from synth.validate.run import checked_records
from synth.wording import plural
from synth.workers import process_pool, resolve_workers

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
    name = os.fsencode(resolved).decode("utf-8", "backslashreplace")  # any file name is storable text
    return f"{name}|{size}|{head}"


def import_validation(**kw: Any) -> Options:
    """Validation on the way in: every per-record rule; corpus rules do not apply (ids are keys)."""
    return dataclasses.replace(make_options(ignore=["R"], **kw), keep_posts=True)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to import: batch size, error limits, sync, workers, validation options, table names."""

    batch: int = BATCH
    max_errors: int = 0
    max_error_rate: float = 0.0
    sync: bool = False
    workers: int = 1
    validation: Options = field(default_factory=import_validation)
    tables: Tables = field(default_factory=Tables)


@dataclass(slots=True)
class ImportSummary:
    """The structured summary of a run: ``counts`` are per source totals (resumed work included),
    ``read`` the records this run read, so ``records_per_second`` is this run's speed."""

    counts: Counts = field(default_factory=Counts)
    deleted: int = 0
    resumed_from: dict[str, int] = field(default_factory=dict)  # path -> last record done before this run
    seconds: float = 0.0
    rejects_file: str | None = None  # the file this run appended rejects to
    rejects_files: list[str] = field(default_factory=list)  # every file holding the rejects of these sources
    per_source: dict[str, int] = field(default_factory=dict)  # records of each file, checkpoints included
    read: int = 0
    sources: list[str] = field(default_factory=list)  # the identities this run began or resumed

    def merge(self, other: ImportSummary) -> None:
        self.counts.add(other.counts)
        self.resumed_from.update(other.resumed_from)
        self.per_source.update(other.per_source)
        self.read += other.read
        self.sources += other.sources

    @property
    def records_per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        c = self.counts
        return {
            "records": c.records, "inserted": c.inserted, "updated": c.updated, "unchanged": c.unchanged,
            "rejected": c.rejected, "deleted": self.deleted, "records_this_run": self.read,
            "seconds": round(self.seconds, 3), "records_per_second": round(self.records_per_second, 1),
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


def _reject(path: str, record: Record, result: RecordResult, options: Options) -> Reject:
    raw = kept_raw(record)  # at most 4 KiB of it, then a note of its size and sha256
    raw = "null" if raw is None else raw
    findings = [f.as_dict() for f in findings_of(path, record, result, options.selection)]
    return Reject(record.line, record.offset, raw, findings)


def _check_limits(rejected: int, records: int, options: ImportOptions) -> str | None:
    """The limit that ``rejected`` of ``records`` (counted at a rejected record) reaches, or ``None``."""
    if options.max_errors and rejected >= options.max_errors:
        return "max_errors"
    if options.max_error_rate and records >= 100 and rejected > options.max_error_rate * records:
        return "max_error_rate"
    return None


def _is_rejected(result: RecordResult) -> bool:
    return result.post is None or result.rejected


Checked = tuple[int, tuple[Record, RecordResult]]  # (ordinal in the source, (record, result))


def _stop_at(batch: list[Checked], before: Counts, options: ImportOptions) -> str | None:
    """Cut ``batch`` (in place) after the rejected record that reaches a limit; returns that limit."""
    if not (options.max_errors or options.max_error_rate):
        return None
    rejected = before.rejected
    for k, (_, (_, result)) in enumerate(batch):
        if _is_rejected(result):
            rejected += 1
            limit = _check_limits(rejected, before.records + k + 1, options)
            if limit is not None:
                del batch[k + 1 :]
                return limit
    return None


def _aborted(limit: str, path: str, last: Checked, counts: Counts, options: ImportOptions) -> ImportAbortedError:
    ordinal, (record, _) = last
    share = "" if limit == "max_errors" else f" of {counts.records}"
    return ImportAbortedError(
        f"stopped after {counts.rejected} rejected records{share} ({limit} {getattr(options, limit)}), "
        f"at record {ordinal} (line {record.line}) of {path}",
        hint=f"see the rejects file; fix the input and import it again, or run the same command with a higher "
        f"{limit} to continue after record {ordinal}",
        parameter=limit,
    )


Progress = Callable[[int], None]


def _batches(items: Iterator[Checked], size: int) -> Iterator[list[Checked]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _resume(backend: Backend, key: str, path: str, known: bool, counts: Counts, summary: ImportSummary) -> int:
    """How many records of the source are done (0: begin it); ``counts`` gets what they did."""
    checkpoint = backend.checkpoint(key) if known else None
    if checkpoint is None or checkpoint.record is None:  # a layout-1 checkpoint named a line: start again
        backend.begin_source(key)
        return 0
    counts.add(checkpoint.counts)
    summary.resumed_from[path] = checkpoint.record
    return checkpoint.record


def _import_source(
    backend: Backend, path: str, options: ImportOptions, summary: ImportSummary, pool: Any, progress: Progress | None
) -> None:
    source = source_identity(path)
    key = source or f"{STDIO}|stdin|{uuid.uuid4().hex}"  # stdin cannot resume: a key of its own each run
    summary.sources.append(key)
    counts = Counts()
    skip = _resume(backend, key, path, source is not None, counts, summary)
    with open_input(path) as stream:
        pending = itertools.islice(records(stream, options.validation), skip, None)
        checked = enumerate(checked_records(pending, options.validation, pool), skip + 1)
        for batch in _batches(checked, options.batch):
            limit = _stop_at(batch, counts, options)
            _write(backend, key, path, batch, counts, options)
            summary.read += len(batch)
            if progress is not None:
                progress(len(batch))
            if limit is not None:
                raise _aborted(limit, path, batch[-1], counts, options)
    backend.finish_source(key)
    summary.counts.add(counts)
    summary.per_source[path] = counts.records


def _storable(text: str) -> str:
    """``text`` without lone surrogates (which no database driver takes), escaped as ``\\udXXX``."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode()
    return text


def _write(backend: Backend, key: str, path: str, batch: list[Checked], counts: Counts, options: ImportOptions) -> None:
    """Write one batch and its checkpoint in one transaction; ``counts`` becomes the running total."""
    posts: dict[str, PostRows] = {}
    rejects: list[Reject] = []
    for ordinal, (record, result) in batch:
        post = None if result.rejected else result.post
        if post is None:
            reject = _reject(path, record, result, options.validation)
            rejects.append(dataclasses.replace(reject, record=ordinal, raw=_storable(reject.raw)))
        else:
            posts[post["id"]] = post_rows(post, orjson.dumps(post))  # a repeated id: last wins
    repeated = len(batch) - len(rejects) - len(posts)
    ordinal, (last, _) = batch[-1]
    done = backend.write_batch(key, list(posts.values()), rejects, Checkpoint(ordinal, last.line, counts), repeated)
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
    backend = connect(db, options.tables)
    try:
        backend.prepare()
        with contextlib.ExitStack() as stack:
            pool = stack.enter_context(process_pool(options.workers)) if options.workers > 1 else None
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
    backend = connect(db, options.tables)  # report a bad URL or foreign tables once, here, not from every worker
    try:
        backend.prepare()
    finally:
        backend.close()
    single = dataclasses.replace(options, workers=1)
    with process_pool(options.workers) as pool:
        for done in pool.map(_import_part, [(part, db, single) for part in parts]):
            summary.merge(done)
            if progress is not None:
                progress(done.read)


def _check_manifests(manifests: list[tuple[str, int, list[str]]], summary: ImportSummary) -> None:
    for path, count, parts in manifests:
        seen = sum(summary.per_source.get(part, 0) for part in parts)
        if seen != count:
            raise ImportAbortedError(
                f"{path} lists {count:,} posts but its parts held {seen:,} records",
                hint=f"check the parts with `synth validate {path}`",
            )


def _report(db: str, options: ImportOptions, summary: ImportSummary, target: str) -> None:
    """Append this run's unreported rejects to ``target`` and note every file that holds its rejects."""
    if not summary.sources:
        return  # no source began (the database refused or the input was missing): nothing to report
    backend = connect(db, options.tables)
    try:
        summary.rejects_file = write_rejects(backend, summary.sources, target)
        summary.rejects_files = backend.reported_in(summary.sources)
    finally:
        backend.close()


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
    are checked against the manifest's count. ``rejects`` is the dead-letter file (default:
    :func:`~synth.load.rejects.default_rejects`); it is checked before anything is imported.
    """
    options = options or ImportOptions()
    options = dataclasses.replace(options, workers=resolve_workers(options.workers))  # 0: every core
    use_native(options.validation)  # an engine that cannot run is an error before the database is touched
    check_url(db, options.tables)
    target = rejects or default_rejects(db, options.tables)
    check_target(target, named=rejects is not None)
    sources, manifests = _expand(list(paths))
    summary = ImportSummary()
    began = time.perf_counter()
    try:
        if manifests and options.workers > 1 and len(sources) > 1:
            _import_parallel(sources, db, options, summary, progress)
        else:
            _import_serial(sources, db, options, summary, progress)
    except BaseException:
        with contextlib.suppress(SynthError):  # best effort: the first error is the one to report
            _report(db, options, summary, target)
        raise
    _report(db, options, summary, target)
    if options.sync:
        backend = connect(db, options.tables)
        try:
            summary.deleted = backend.sync(_ids(sources, options.validation))
        finally:
            backend.close()
    summary.seconds = time.perf_counter() - began
    _check_manifests(manifests, summary)
    return summary


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
