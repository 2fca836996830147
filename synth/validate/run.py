"""Validation runs: files and manifests streamed through the checks, in order, on one or many cores.

Each record goes through the layers of :mod:`synth.validate.rules`: parse, schema (every
pydantic error), consistency (only for schema-valid posts), and, across the whole run, corpus
rules (:mod:`synth.validate.corpus_rules`) and manifest rules (:mod:`synth.validate.manifest`).
"""

from __future__ import annotations

import contextlib
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import Final

from synth.generation.manifest import is_manifest, part_paths, read_manifest
from synth.io import open_input
from synth.validate.check import RecordResult, check_batch, findings_of
from synth.validate.corpus_rules import Corpus
from synth.validate.manifest import count_problem, part_problem
from synth.validate.native import use_native
from synth.validate.options import Options
from synth.validate.records import Record, records, slimmed
from synth.validate.report import Finding, Report
from synth.validate.rules import Selection
from synth.workers import process_pool, resolve_workers

__all__ = ["Sink", "checked_records", "validate_file", "validate_paths"]

BATCH: Final = 500
SERIAL_BATCH: Final = 256  # records checked together in this process (one native call, the GIL released)
IN_FLIGHT: Final = 4


Sink = Callable[[str, "Record", RecordResult], None]


def _checked(batch: list[Record], options: Options) -> list[RecordResult]:
    return check_batch(batch, options)


def checked_records(
    stream: Iterator[Record], options: Options, pool: Executor | None
) -> Iterator[tuple[Record, RecordResult]]:
    """Records with their results, in order; a pool checks batches of them in parallel.

    A rejected record keeps only what rejects keep of its bytes (:func:`~synth.validate.records.slimmed`),
    so batches of long bad lines do not hold them all.
    """
    if pool is None:
        while batch := list(itertools.islice(stream, SERIAL_BATCH)):
            for record, result in zip(batch, check_batch(batch, options), strict=True):
                yield (slimmed(record) if result.rejected else record), result
        return
    pending: deque[tuple[list[Record], Future[list[RecordResult]]]] = deque()
    while True:
        batch = list(itertools.islice(stream, BATCH))
        if batch:
            pending.append((batch, pool.submit(_checked, batch, options)))
        if pending and (len(pending) > IN_FLIGHT or not batch):
            done, future = pending.popleft()
            for record, result in zip(done, future.result(), strict=True):
                yield (slimmed(record) if result.rejected else record), result
        if not batch and not pending:
            return


def validate_file(
    path: str,
    *,
    options: Options | None = None,
    corpus: Corpus | None = None,
    report: Report | None = None,
    pool: Executor | None = None,
    sink: Sink | None = None,
) -> Iterator[Finding]:
    """Stream the findings of one file (``-`` is stdin), corpus rules included unless ``corpus`` is shared.

    Pass one :class:`Corpus` to several calls to apply the corpus rules across files, then
    call its ``finish()`` once at the end (:func:`validate_paths` does this).
    """
    options = options or Options()
    own = corpus is None
    corpus = corpus or Corpus()
    report = report if report is not None else Report()
    report.files += 1
    selection = options.selection
    with open_input(path) as stream:
        document = path.lower().removesuffix(".gz").removesuffix(".zst").endswith(".json")
        for record, result in checked_records(records(stream, options, document=document), options, pool):
            report.records += 1
            if sink is not None:
                sink(path, record, result)
            found = corpus.add(path, record, result)
            if result.issues:  # most records have none: no generator for them
                found[:0] = findings_of(path, record, result, selection)
            for finding in found:
                if finding.code in selection:
                    report.count(finding)
                    yield finding
    if own:
        yield from _counted(corpus.finish(), selection, report)


def _counted(findings: Iterable[Finding], selection: Selection, report: Report) -> Iterator[Finding]:
    for finding in findings:
        if finding.code in selection:
            report.count(finding)
            yield finding


def validate_paths(
    paths: Iterable[str],
    *,
    options: Options | None = None,
    report: Report | None = None,
    workers: int = 1,
    sink: Sink | None = None,
) -> Iterator[Finding]:
    """Findings of several files as one run (corpus rules span them all); ``workers`` processes check records.

    ``workers`` 0 means every core (:func:`synth.workers.resolve_workers`).
    """
    workers = resolve_workers(workers)
    options = options or Options()
    use_native(options)  # an engine that cannot run is an error before the first file is opened
    report = report if report is not None else Report()
    corpus = Corpus()
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(process_pool(workers)) if workers > 1 else None
        for path in paths:
            if is_manifest(path):
                yield from _validate_manifest(path, options, corpus, report, pool, sink)
            else:
                yield from validate_file(path, options=options, corpus=corpus, report=report, pool=pool, sink=sink)
    yield from _counted(corpus.finish(), options.selection, report)


def _validate_manifest(
    path: str, options: Options, corpus: Corpus, report: Report, pool: Executor | None, sink: Sink | None
) -> Iterator[Finding]:
    manifest = read_manifest(path)
    for k, (part, part_path) in enumerate(zip(manifest.parts, part_paths(path, manifest), strict=True)):
        problem = part_problem(part_path, part)
        if problem is not None:
            yield from _counted([Finding(path, None, None, None, f"$.parts[{k}]", *problem)], options.selection, report)
            if problem[0] == "M001":
                continue
        before = report.records
        yield from validate_file(part_path, options=options, corpus=corpus, report=report, pool=pool, sink=sink)
        problem = count_problem(part, report.records - before)
        if problem is not None:
            yield from _counted([Finding(path, None, None, None, f"$.parts[{k}]", *problem)], options.selection, report)
