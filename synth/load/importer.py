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
import functools
import hashlib
import itertools
import os
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

from synth.errors import ImportAbortedError, SynthError, UsageError
from synth.generation.manifest import is_manifest, part_paths, read_manifest
from synth.io import STDIO, open_input
from synth.load.backend import Backend, Checkpoint, Counts, Reject, StaleLines
from synth.load.database import check_url, connect, lookup
from synth.load.pipeline import CHUNK, Chunk, outcomes
from synth.load.rejects import check_target, default_rejects, write_rejects
from synth.load.rows import PostRows
from synth.load.rowsource import Outcome, RowJob, RowSource, digest_key, releases_gil, row_source
from synth.load.summary import ImportSummary
from synth.load.syncing import outcome_ids, source_ids
from synth.load.tables import Tables
from synth.validate.check import RecordResult, findings_of
from synth.validate.native import use_native
from synth.validate.options import Options, make_options
from synth.validate.records import Record, kept_raw, records
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
    """How to import: batch size, error limits, sync, workers, validation options, table names.

    ``executor`` says where the workers validate: ``auto`` (threads for a row source that releases
    the GIL; for the Python source, one thread beside the writer when ``workers`` is 1, which
    overlaps the database's own work, and processes from 2 on), ``inline`` (in the writer's
    thread), ``threads`` or ``processes``.
    """

    batch: int = BATCH
    max_errors: int = 0
    max_error_rate: float = 0.0
    sync: bool = False
    workers: int = 1
    executor: str = "auto"
    validation: Options = field(default_factory=import_validation)
    tables: Tables = field(default_factory=Tables)


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


Checked = tuple[int, Outcome]  # (ordinal in the source, its outcome)


def _stop_at(batch: list[Checked], before: Counts, options: ImportOptions) -> str | None:
    """Cut ``batch`` (in place) after the rejected record that reaches a limit; returns that limit."""
    if not (options.max_errors or options.max_error_rate):
        return None
    rejected = before.rejected
    for k, (_, outcome) in enumerate(batch):
        if outcome.reject is not None:
            rejected += 1
            limit = _check_limits(rejected, before.records + k + 1, options)
            if limit is not None:
                del batch[k + 1 :]
                return limit
    return None


def _aborted(limit: str, path: str, last: Checked, counts: Counts, options: ImportOptions) -> ImportAbortedError:
    ordinal, outcome = last
    share = "" if limit == "max_errors" else f" of {counts.records}"
    return ImportAbortedError(
        f"stopped after {counts.rejected} rejected records{share} ({limit} {getattr(options, limit)}), "
        f"at record {ordinal} (line {outcome.line}) of {path}",
        hint=f"see the rejects file; fix the input and import it again, or run the same command with a higher "
        f"{limit} to continue after record {ordinal}",
        parameter=limit,
    )


class Progress(Protocol):
    """Told after each committed batch: records done by this run, bytes of the sources read (compressed
    bytes for a compressed file) and the bytes of all sources (``None`` when one is stdin)."""

    def __call__(self, records: int, read: int, total: int | None) -> None: ...


@dataclass(slots=True)
class _Run:
    """What every source of a run shares: the row source, its job and workers, the reader's lookup, progress."""

    source: RowSource
    job: RowJob
    pool: Executor | None = None
    workers: int = 1
    lookup: Any = None  # opens the reader's connection on a re-import; None on a fresh load
    progress: Progress | None = None
    total: int | None = None
    done_bytes: int = 0  # bytes of the sources finished before the current one
    seen: set[str] | None = None  # --sync: the post ids read (synth.load.syncing)
    unseen: list[str] = field(default_factory=list)  # --sync: sources whose ids must be read again


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


def _position(stream: Any) -> int:
    """Bytes of the file read so far (before decompression)."""
    return int(getattr(stream, "position", 0))


def _flat(chunks: Iterable[Chunk], at: list[int]) -> Iterator[Outcome]:
    """The chunks' outcomes one by one; ``at[0]`` is the source position after the current chunk."""
    for chunk in chunks:
        at[0] = chunk.position
        yield from chunk.outcomes


def _import_source(backend: Backend, path: str, options: ImportOptions, summary: ImportSummary, run: _Run) -> None:
    source = source_identity(path)
    key = source or f"{STDIO}|stdin|{uuid.uuid4().hex}"  # stdin cannot resume: a key of its own each run
    summary.sources.append(key)
    counts = Counts()
    skip = _resume(backend, key, path, source is not None, counts, summary)
    if run.seen is not None and skip:
        run.unseen.append(path)  # resumed: its first records are not read this run
    with open_input(path) as stream:
        pending = itertools.islice(records(stream, options.validation), skip, None)
        chunks = outcomes(
            pending, functools.partial(_position, stream), run.source, run.job, pool=run.pool, workers=run.workers,
            lookup=run.lookup, timings=summary.timings, ahead=run.workers + -(-options.batch // CHUNK),
        )  # fmt: skip
        at = [0]
        for batch in _batches(enumerate(_flat(chunks, at), skip + 1), options.batch):
            limit = _stop_at(batch, counts, options)
            if run.seen is not None and not outcome_ids((outcome for _, outcome in batch), run.seen):
                run.unseen.append(path)
            began = time.perf_counter()
            _write(backend, key, path, batch, counts, run)
            summary.timings.write += time.perf_counter() - began
            summary.read += len(batch)
            if run.progress is not None:
                run.progress(summary.read, run.done_bytes + at[0], run.total)
            if limit is not None:
                raise _aborted(limit, path, batch[-1], counts, options)
        run.done_bytes += _position(stream)
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


def _sorted_out(path: str, batch: list[Checked], job: RowJob) -> tuple[dict[str, PostRows | Outcome], list[Reject]]:
    """The batch's posts by id (the last of a repeated id wins; a line matched unparsed stays an
    :class:`Outcome`) and its rejects."""
    posts: dict[str, PostRows | Outcome] = {}
    rejects: list[Reject] = []
    for ordinal, outcome in batch:
        if outcome.reject is not None:
            record, result = outcome.reject
            reject = _reject(path, record, result, job.options)
            rejects.append(dataclasses.replace(reject, record=ordinal, raw=_storable(reject.raw)))
        elif outcome.known is not None:
            posts[outcome.known[0]] = outcome
        elif outcome.rows is not None:
            posts[outcome.rows.id] = outcome.rows
    return posts, rejects


def _recheck(batch: list[Checked], stale: set[str], run: _Run) -> list[Checked]:
    """``batch`` with the lines matched unparsed to posts that changed since (``stale``) checked now."""
    out = []
    for ordinal, outcome in batch:
        known, record = outcome.known, outcome.record
        checked = run.source([record], run.job)[0] if known and known[0] in stale and record else outcome
        out.append((ordinal, checked))
    return out


def _write(backend: Backend, key: str, path: str, batch: list[Checked], counts: Counts, run: _Run) -> None:
    """Write one batch and its checkpoint in one transaction; ``counts`` becomes the running total."""
    while True:
        posts, rejects = _sorted_out(path, batch, run.job)
        rows = [p for p in posts.values() if isinstance(p, PostRows)]
        known = {pid: p.known[1] for pid, p in posts.items() if isinstance(p, Outcome) and p.known is not None}
        repeated = len(batch) - len(rejects) - len(posts)
        ordinal, last = batch[-1]
        try:
            done = backend.write_batch(key, rows, rejects, Checkpoint(ordinal, last.line, counts), repeated, known)
        except StaleLines as stale:  # another batch or process changed those posts since they were looked up
            batch = _recheck(batch, stale.ids, run)
            continue
        counts.add(done)
        return


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


EXECUTORS: Final = ("auto", "inline", "threads", "processes")


def _pool(stack: contextlib.ExitStack, source: RowSource, options: ImportOptions) -> Executor | None:
    """Where the workers validate (see :class:`ImportOptions`)."""
    kind, workers = options.executor, options.workers
    if kind == "auto":
        kind = "threads" if releases_gil(source) or workers == 1 else "processes"
    if kind == "threads":
        return stack.enter_context(ThreadPoolExecutor(workers, thread_name_prefix="synth-check"))
    if kind == "processes":
        pool = stack.enter_context(process_pool(workers))
        # Start every child now, before the reader thread runs: a child forked while that thread holds a
        # lock (of its input, of its lookup's connection) would inherit it held, for ever.
        pool.submit(int).result()
        return pool
    return None


def _import_serial(
    backend: Backend, sources: list[str], db: str, options: ImportOptions, summary: ImportSummary, run: _Run
) -> None:
    backend.prepare()
    deferred = backend.begin_load()
    run.job = dataclasses.replace(run.job, copy=backend.copy_text)
    run.lookup = None if deferred else functools.partial(lookup, db, options.tables)
    with contextlib.ExitStack() as stack:
        run.pool, run.workers = _pool(stack, run.source, options), options.workers
        for path in sources:
            _import_source(backend, path, options, summary, run)


def _import_part(args: tuple[str, str, ImportOptions]) -> ImportSummary:
    part, db, options = args
    summary = ImportSummary()
    source = row_source(options.validation)
    with _connected(db, options) as backend:
        _import_serial(
            backend, [part], db, options, summary, _Run(source, RowJob(options.validation, False, _key(options)))
        )
    return summary


def _key(options: ImportOptions) -> bytes:
    return digest_key(options.validation)


def _import_parallel(parts: list[str], db: str, options: ImportOptions, summary: ImportSummary, run: _Run) -> None:
    """Parts in ``options.workers`` processes, each part resumable on its own."""
    backend = connect(db, options.tables)  # report a bad URL or foreign tables once, here, not from every worker
    try:
        backend.prepare()
        backend.begin_load()
    finally:
        backend.close()
    single = dataclasses.replace(options, workers=1)
    run.seen, run.unseen = None, parts  # --sync: the parts' processes do not report their ids
    with process_pool(options.workers) as pool:
        for part, done in zip(parts, pool.map(_import_part, [(part, db, single) for part in parts]), strict=True):
            summary.merge(done)
            run.done_bytes += _size(part) or 0
            if run.progress is not None:
                run.progress(summary.read, run.done_bytes, run.total)


def _check_manifests(manifests: list[tuple[str, int, list[str]]], summary: ImportSummary) -> None:
    for path, count, parts in manifests:
        seen = sum(summary.per_source.get(part, 0) for part in parts)
        if seen != count:
            raise ImportAbortedError(
                f"{path} lists {count:,} posts but its parts held {seen:,} records",
                hint=f"check the parts with `synth validate {path}`",
            )


@contextlib.contextmanager
def _connected(db: str, options: ImportOptions) -> Iterator[Backend]:
    backend = connect(db, options.tables)
    try:
        yield backend
    finally:
        backend.close()


def _report(backend: Backend, summary: ImportSummary, target: str) -> None:
    """Append this run's unreported rejects to ``target`` and note every file that holds its rejects."""
    if summary.sources:  # else no source began (the database refused or the input was missing)
        summary.rejects_file = write_rejects(backend, summary.sources, target)
        summary.rejects_files = backend.reported_in(summary.sources)


def _finish(backend: Backend, summary: ImportSummary) -> None:
    """Build the indexes a fresh load deferred (once: a run killed meanwhile leaves them to the next)."""
    began = time.perf_counter()
    summary.fresh = backend.finish_load() or summary.fresh
    summary.timings.index += time.perf_counter() - began


def _salvage(db: str, options: ImportOptions, summary: ImportSummary, target: str, *, finish: bool) -> None:
    """After a failed load, on a connection of its own (the loader's is closed, its transaction rolled back):
    best effort, so that the first error is the one reported. An aborted run's commits get their indexes."""
    with contextlib.suppress(SynthError), _connected(db, options) as backend:
        if finish:
            with contextlib.suppress(SynthError):
                _finish(backend, summary)
        _report(backend, summary, target)


def _load(
    sources: list[str], parallel: bool, db: str, options: ImportOptions, summary: ImportSummary, run: _Run
) -> Backend:
    """Load every source; returns the connection, open, for what follows (closed if loading fails)."""
    if parallel:
        _import_parallel(sources, db, options, summary, run)  # in processes: no connection open here meanwhile
        return connect(db, options.tables)
    backend = connect(db, options.tables)
    try:
        _import_serial(backend, sources, db, options, summary, run)
    except BaseException:
        backend.close()
        raise
    return backend


def _size(path: str) -> int | None:
    if path == STDIO:
        return None
    try:
        return Path(path).stat().st_size
    except OSError:
        return None


def _total(sources: list[str]) -> int | None:
    sizes = [_size(path) for path in sources]
    return None if any(size is None for size in sizes) else sum(size or 0 for size in sizes)


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
    if options.executor not in EXECUTORS:
        raise UsageError(
            f"executor {options.executor!r} is not one of {', '.join(EXECUTORS)}",
            hint="use auto unless measuring",
            parameter="executor",
        )
    check_url(db, options.tables)
    target = rejects or default_rejects(db, options.tables)
    check_target(target, named=rejects is not None)
    sources, manifests = _expand(list(paths))
    summary = ImportSummary()
    job = RowJob(options.validation, False, _key(options))
    run = _Run(row_source(options.validation), job, progress=progress, total=_total(sources))
    run.seen = set() if options.sync else None
    began = time.perf_counter()
    parallel = bool(manifests) and options.workers > 1 and len(sources) > 1
    try:
        backend = _load(sources, parallel, db, options, summary, run)
    except ImportAbortedError:
        _salvage(db, options, summary, target, finish=True)
        raise
    except BaseException:
        _salvage(db, options, summary, target, finish=False)
        raise
    try:  # one connection for the rest: each connection's last close is a WAL checkpoint
        _report(backend, summary, target)
        _finish(backend, summary)
        if options.sync:
            seen = run.seen if run.seen is not None else set()
            summary.deleted = backend.sync(seen | source_ids(dict.fromkeys(run.unseen), options.validation))
    finally:
        backend.close()
    summary.seconds = time.perf_counter() - began
    _check_manifests(manifests, summary)
    return summary
