"""Posts and queries for Locust users: disjoint, reproducible slices of the corpus, with no coordination;
a query feed that searches with a workload's frequencies (:class:`QueryFeed`).

Each simulated user of each worker process owns one slice of post indices, computed from the
worker's index and the user's number in its process alone::

    slice(w, u) = [start + ((w * U) + (u - 1)) * S, ... + S)     U = users_per_worker_max, S = slice_size

Worker indices are unique in a distributed run (the master numbers its workers 0, 1, 2, ...;
a local run is worker 0) and user numbers are unique within a process (a counter from 1), so no
two users of a run send the same post id, and a rerun with the same seed, workers and users
sends the same posts. A user's :class:`PostFeed` yields ``(index, post JSON bytes)`` over its
slice, generating posts in small batches. Locust itself is not imported: :func:`worker_index`
reads the runner it is given, so the slice arithmetic works without Locust installed.

Usage in a locustfile (see ``examples/locustfile.py``)::

    class Writer(HttpUser):
        def on_start(self):
            self.feed = user_feed(self.environment, seed=7)

        @task
        def post(self):
            index, body = next(self.feed)  # StopIteration when the slice is used up
            self.client.post("/posts", data=body, headers={"Content-Type": "application/json"})
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from synth.errors import UsageError
from synth.generation import engines
from synth.generation.request import MAX_INDEX, check_request

if TYPE_CHECKING:
    from synth.workload.workload import Query

__all__ = [
    "FEED_BATCH",
    "SLICE_SIZE",
    "USERS_PER_WORKER_MAX",
    "PostFeed",
    "QueryFeed",
    "next_user_number",
    "query_feed",
    "slice_for",
    "user_feed",
    "worker_index",
]

USERS_PER_WORKER_MAX: Final = 1000
SLICE_SIZE: Final = 1_000_000
FEED_BATCH: Final = 50

_user_numbers: Final = itertools.count(1)


def slice_for(
    worker_index: int,
    user_number: int,
    *,
    users_per_worker_max: int = USERS_PER_WORKER_MAX,
    slice_size: int = SLICE_SIZE,
    start: int = 0,
) -> range:
    """The post indices of user ``user_number`` (from 1) of worker ``worker_index`` (from 0)."""
    if users_per_worker_max < 1 or slice_size < 1 or start < 0:
        raise UsageError(
            "users per worker and slice size must be positive, and start not negative",
            hint="pass users_per_worker_max >= 1, slice_size >= 1 and start >= 0",
        )
    if worker_index < 0:
        raise UsageError(f"worker index {worker_index} is negative", hint="number workers from 0")
    if not 1 <= user_number <= users_per_worker_max:
        raise UsageError(
            f"user number {user_number} is outside 1..{users_per_worker_max}",
            hint="raise users_per_worker_max to the most users one worker process starts over the run",
        )
    first = start + (worker_index * users_per_worker_max + user_number - 1) * slice_size
    if first + slice_size - 1 > MAX_INDEX:
        raise UsageError(
            f"the slice of worker {worker_index}, user {user_number} passes post index {MAX_INDEX}",
            hint="use a smaller slice_size or users_per_worker_max",
        )
    return range(first, first + slice_size)


def worker_index(environment: Any) -> int:
    """The index of this process's worker in a Locust run: ``environment.runner.worker_index``.

    Workers of a distributed run get theirs from the master (0, 1, ...; Locust 2.11 and later);
    a local run (or no runner yet) is worker 0.
    """
    runner = getattr(environment, "runner", None)
    index = getattr(runner, "worker_index", 0)
    if not isinstance(index, int) or index < 0:
        raise UsageError(
            f"the Locust runner has no worker index ({index!r}): the master did not send one",
            hint="run the master and the workers with Locust 2.11 or later",
        )
    return index


def next_user_number() -> int:
    """The next user number of this process: 1, 2, 3, ... (never reused, so slices never repeat)."""
    return next(_user_numbers)


class PostFeed(Iterator[tuple[int, bytes]]):
    """``(index, post JSON bytes)`` over one user's slice, in order, generated ``batch`` posts at a time."""

    def __init__(
        self,
        seed: int,
        worker_index: int,
        user_number: int,
        *,
        users_per_worker_max: int = USERS_PER_WORKER_MAX,
        slice_size: int = SLICE_SIZE,
        start: int = 0,
        locale: str = "en_US",
        batch: int = FEED_BATCH,
        engine: engines.Engine = "auto",
    ) -> None:
        if batch < 1:
            raise UsageError(f"batch {batch} is not positive", hint="pass a batch of 1 or more")
        self.indices = slice_for(
            worker_index, user_number, users_per_worker_max=users_per_worker_max, slice_size=slice_size, start=start
        )
        check_request(self.indices, seed, locale)
        self.seed, self.locale, self.batch = seed, locale, batch
        self.engine = engines.resolve(engine)
        self._next = self.indices.start
        self._ready: deque[tuple[int, bytes]] = deque()

    @property
    def remaining(self) -> int:
        """Posts not yet yielded."""
        return self.indices.stop - self._next + len(self._ready)

    def __next__(self) -> tuple[int, bytes]:
        if not self._ready:
            if self._next >= self.indices.stop:
                raise StopIteration
            count = min(self.batch, self.indices.stop - self._next)
            posts = engines.batch_json(self._next, count, seed=self.seed, locale=self.locale, engine=self.engine)
            self._ready.extend(enumerate(posts, self._next))
            self._next += count
        return self._ready.popleft()


def user_feed(
    environment: Any,
    *,
    seed: int = 0,
    users_per_worker_max: int = USERS_PER_WORKER_MAX,
    slice_size: int = SLICE_SIZE,
    start: int = 0,
    locale: str = "en_US",
    batch: int = FEED_BATCH,
    engine: engines.Engine = "auto",
) -> PostFeed:
    """The feed of a user starting now in this process: its worker's index and the next user number."""
    return PostFeed(
        seed,
        worker_index(environment),
        next_user_number(),
        users_per_worker_max=users_per_worker_max,
        slice_size=slice_size,
        start=start,
        locale=locale,
        batch=batch,
        engine=engine,
    )


class QueryFeed(Iterator["Query"]):
    """The queries one Locust user sends: drawn for ever from a workload with its Zipf weights.

    Each user of each worker draws its own reproducible sequence (from the seed, the worker's
    index and the user's number), so a run's users together send each query about as often
    as its weight says. Each item is a :class:`~synth.workload.workload.Query`: send its
    ``es_query()`` (or its ``query``) and compare the hits with its ``answer``.
    """

    def __init__(
        self, workload: str | Sequence[Query], *, seed: int = 0, worker_index: int = 0, user_number: int = 1
    ) -> None:
        from synth.workload.workload import Workload, read_workload  # noqa: PLC0415 - numpy on demand

        items = read_workload(workload) if isinstance(workload, str) else Workload(list(workload))
        if not len(items):
            raise UsageError("the workload holds no queries", hint="write one with `synth queries`")
        if seed < 0 or worker_index < 0 or user_number < 1:
            raise UsageError("seed and worker index must not be negative, user numbers start at 1",
                             hint="pass seed >= 0, worker_index >= 0 and user_number >= 1")  # fmt: skip
        mixed = (seed * USERS_PER_WORKER_MAX * 65_536 + worker_index * USERS_PER_WORKER_MAX + user_number) % 2**63
        self._draws = items.draws(seed=mixed)

    def __next__(self) -> Query:
        return next(self._draws)


def query_feed(environment: Any, workload: str | Sequence[Query], *, seed: int = 0) -> QueryFeed:
    """The query feed of a user starting now in this process (its worker's index and the next user number)."""
    return QueryFeed(workload, seed=seed, worker_index=worker_index(environment), user_number=next_user_number())
