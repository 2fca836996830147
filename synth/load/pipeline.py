"""The import pipeline: one reader thread, validating workers, and the writer (the caller), in order.

* The **reader** thread reads and frames the source (:func:`synth.validate.records.records`)
  in chunks of :data:`CHUNK` records, and on a re-import looks up, with its own connection,
  the digests stored for the chunk's ids: a line whose digest matches (byte for byte the line
  that was accepted, :mod:`synth.load.rowsource`) and whose stored review date is not after
  the as-of date is passed on unparsed, as ``known``. It hands each chunk to the workers as soon
  as it is read, and on to the writer through a queue.
* The **workers** turn each chunk into outcomes with the row source: worker threads for a
  source that releases the GIL (the native check), processes for the Python source (threads
  would only take turns on the GIL), or the caller's own thread when there is no pool. At most
  ``ahead`` chunks are out, read and not yet done with by the writer (``workers + 1`` unless the
  caller says more): the importer lets them run a batch ahead, so the reader reads and the
  workers check the next batch while the writer commits one (with fewer, they would wait for the
  writer at every batch and the stages would not overlap; the reader used to hand chunks over
  only when the writer asked for them, so during a commit nothing new was checked).
* The **writer** is the caller: it takes the outcomes in source order and commits them in
  batches with their checkpoints, so commits and checkpoints come exactly as without the
  pipeline.

Memory is flat in the file's size: a few chunks queued or in flight, and the writer's batch.
Each stage's busy time is added up in :class:`Timings` (stages overlap, so the parts can add
up to more than the wall time).
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any, Final, Protocol

from synth.load.rowsource import Outcome, RowJob, RowSource, line_digests, line_id
from synth.validate.records import Record

__all__ = ["CHUNK", "Chunk", "Lookup", "Timings", "outcomes"]

CHUNK: Final = 256  # records a worker checks at once
_STOP_WAIT: Final = 5.0


@dataclass(slots=True)
class Timings:
    """Busy seconds of each stage: reading and framing, validating (all workers), writing, indexing."""

    read: float = 0.0
    validate: float = 0.0
    write: float = 0.0
    index: float = 0.0

    def add(self, other: Timings) -> None:
        self.read += other.read
        self.validate += other.validate
        self.write += other.write
        self.index += other.index


class Lookup(Protocol):
    """The reader's view of the database: each stored post's line digest and review date."""

    def known(self, ids: list[str]) -> dict[str, tuple[str | None, str]]: ...
    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Chunk:
    """Outcomes of consecutive records, and how far the source had been read after them (bytes)."""

    outcomes: list[Outcome]
    position: int


def _checked(source: RowSource, records: Sequence[Record], job: RowJob) -> tuple[list[Outcome], float]:
    began = time.perf_counter()
    done = source(records, job)
    return done, time.perf_counter() - began


@dataclass(slots=True)
class _Read:
    records: list[Record]
    known: dict[int, tuple[str, str]]  # index in records -> (id, digest): matched unparsed
    position: int


def _hints(records: list[Record], job: RowJob, lookup: Lookup) -> dict[int, tuple[str, str]]:
    """The records whose line is byte for byte the stored post's, whose review date passes the as-of date."""
    ids = {k: pid for k, r in enumerate(records) if r.data is not None and (pid := line_id(r.data)) is not None}
    if not ids:
        return {}
    stored = lookup.known(sorted(set(ids.values())))
    wanted = []  # (index, id, stored digest) of the lines worth a digest
    for k, pid in ids.items():
        found = stored.get(pid)
        if found is not None and found[0] is not None and found[1] <= job.options.as_of:
            wanted.append((k, pid, found[0]))
    lines = [records[k].data or b"" for k, _, _ in wanted]  # ids holds only records with data
    digests = line_digests(lines, job.key)
    pairs = zip(wanted, digests, strict=True)
    return {k: (pid, digest) for (k, pid, stored_digest), digest in pairs if digest == stored_digest}


class _Reader(threading.Thread):
    """Reads chunks and hands each to the workers at once (``submit``), so that they check while the
    writer commits; at most ``ahead`` chunks are out (read, and not yet done with by the consumer,
    which gives each back to :attr:`slots`). An error reaches the consumer as the queue's last item."""

    def __init__(
        self,
        records: Iterator[Record],
        position: Callable[[], int],
        job: RowJob,
        lookup: Callable[[], Lookup] | None,
        submit: Callable[[list[Record]], Any],
        ahead: int,
    ) -> None:
        super().__init__(name="synth-import-reader", daemon=True)
        self.records, self.position, self.job, self.open_lookup = records, position, job, lookup
        self.submit = submit
        self.items: queue.SimpleQueue[tuple[_Read, Any] | BaseException | None] = queue.SimpleQueue()
        self.slots = threading.Semaphore(ahead)
        self.stopping = threading.Event()
        self.seconds = 0.0

    def run(self) -> None:
        try:
            lookup = self.open_lookup() if self.open_lookup is not None else None
            try:
                self._read(lookup)
            finally:
                if lookup is not None:
                    lookup.close()
        except BaseException as exc:  # handed to the consumer, which raises it
            self.items.put(exc)

    def _slot(self) -> bool:
        """Wait for a chunk's slot; False when stopping."""
        while not self.stopping.is_set():
            if self.slots.acquire(timeout=0.1):
                return True
        return False

    def _read(self, lookup: Lookup | None) -> None:
        while self._slot():
            began = time.perf_counter()
            records = list(itertools.islice(self.records, CHUNK))
            known = _hints(records, self.job, lookup) if lookup is not None and records else {}
            self.seconds += time.perf_counter() - began
            if not records:
                self.items.put(None)
                return
            todo = [r for k, r in enumerate(records) if k not in known]
            self.items.put((_Read(records, known, self.position()), self.submit(todo)))

    def stop(self) -> None:
        self.stopping.set()
        self.join(_STOP_WAIT)


def _merged(read: _Read, checked: list[Outcome]) -> list[Outcome]:
    """The chunk's outcomes in record order: the known records' and the checked ones'."""
    if not read.known:
        return checked
    rest = iter(checked)
    out = []
    for k, record in enumerate(read.records):
        hint = read.known.get(k)
        out.append(next(rest) if hint is None else Outcome(record.line, known=hint, record=record))
    return out


def outcomes(
    records: Iterator[Record],
    position: Callable[[], int],
    source: RowSource,
    job: RowJob,
    *,
    pool: Executor | None = None,
    workers: int = 1,
    lookup: Callable[[], Lookup] | None = None,
    timings: Timings | None = None,
    ahead: int = 0,
) -> Iterator[Chunk]:
    """The outcomes of ``records`` in order, chunk by chunk (see the module docstring).

    ``position()`` is how many bytes of the source have been read (for progress); ``lookup``
    opens the reader's connection on a re-import (``None``: every record is checked).
    """
    timings = timings if timings is not None else Timings()
    submit: Callable[[list[Record]], Any] = (
        (lambda todo: todo) if pool is None else (lambda todo: pool.submit(_checked, source, todo, job))
    )  # without a pool the consumer checks each chunk itself
    reader = _Reader(records, position, job, lookup, submit, max(ahead, workers + 1))
    reader.start()
    try:
        while (item := reader.items.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            read, work = item
            checked, seconds = work.result() if isinstance(work, Future) else _checked(source, work, job)
            timings.validate += seconds
            yield Chunk(_merged(read, checked), read.position)
            reader.slots.release()  # the writer is done with the chunk: the reader may read one more
    finally:
        reader.stop()
        timings.read += reader.seconds
