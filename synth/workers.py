"""Worker processes: how many to use, and a pool whose children never outlive the run.

:func:`process_pool` is the one way synth starts worker processes (generation, parts,
validation, import). Its children

* ignore SIGINT: Ctrl-C reaches the whole process group, and only the parent handles it (one
  ``synth: interrupted`` line, no traceback from every child);
* end with their parent: on Linux the kernel sends them SIGTERM when the parent dies, even by
  kill -9 (``prctl(PR_SET_PDEATHSIG)``, set through :mod:`ctypes` in the pool initializer; a
  child whose parent died before that call exits at once); elsewhere a watcher thread checks
  the parent every second;
* on SIGTERM from a live parent stop the running task (:class:`Stopped` unwinds it, so its
  atomic writes remove their temporary files) and start no other; when the parent is gone,
  remove the temporary files of their unfinished writes and exit at once (143).

When the block of :func:`process_pool` ends with an error or an interrupt, the queued work is
cancelled and every child gets SIGTERM: the running tasks stop within moments, and the error or
the interrupt is reported then. (A child is never killed outright: one killed while it sends a
result would leave the pool waiting forever for the rest of the message.)
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from types import FrameType
from typing import TYPE_CHECKING, Any, Final, TypeVar

from synth.errors import UsageError
from synth.io import remove_pending_outputs

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["MAX_WORKERS", "Stopped", "core_count", "process_pool", "resolve_workers"]

MAX_WORKERS: Final = 1024
_PR_SET_PDEATHSIG: Final = 1
_EXIT_TERMINATED: Final = 128 + signal.SIGTERM
_STOP_SECONDS: Final = 10.0
T = TypeVar("T")


def core_count() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def resolve_workers(workers: int) -> int:
    """``0`` means every core; a count from 1 to :data:`MAX_WORKERS` is taken as given."""
    if workers < 0:
        raise UsageError(
            f"workers {workers} is negative", hint="use 0 for all cores or a positive count", parameter="workers"
        )
    if workers > MAX_WORKERS:
        raise UsageError(
            f"workers {workers} is more than {MAX_WORKERS}",
            hint=f"use 0 for all cores ({core_count()} here) or a count up to {MAX_WORKERS}",
            parameter="workers",
        )
    return workers or core_count()


@functools.cache
def _pool_class() -> type[ProcessPoolExecutor]:
    """A process pool whose tasks can be stopped: each runs through :func:`_task`.

    Made on first use: the stdlib's process pool imports multiprocessing, which a command
    without worker processes does not need at start-up.
    """
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    class _Pool(ProcessPoolExecutor):
        def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
            return super().submit(_task, fn, *args, **kwargs)

    return _Pool


@contextlib.contextmanager
def process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``workers`` processes that end with the parent, and are stopped on an error or interrupt."""
    pool = _pool_class()(workers, initializer=_child_started, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued, and stop the running tasks: each child gets SIGTERM, ends its task, then exits.

    A child is never killed while it sends a result (that would leave the pool's reader waiting
    for the rest of the message, and the interpreter's exit with it): SIGTERM only raises in a task.
    """
    processes: dict[int, Any] = getattr(pool, "_processes", None) or {}  # the stdlib keeps no public list;
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown() forgets both, its thread keeps them
    pool.shutdown(wait=False, cancel_futures=True)
    stopped: set[int] = set()
    deadline = time.monotonic() + _STOP_SECONDS
    while fresh := [child for pid, child in list(processes.items()) if pid not in stopped]:
        stopped.update(child.pid for child in fresh)  # again for a child the pool started late
        for child in fresh:
            with contextlib.suppress(OSError, ValueError):
                child.terminate()
        for child in fresh:
            with contextlib.suppress(OSError, ValueError, AssertionError):
                child.join(max(0.0, deadline - time.monotonic()))
    if isinstance(manager, threading.Thread):  # it settles the futures of the last results
        manager.join(max(0.0, deadline - time.monotonic()))


class Stopped(BaseException):
    """Raised in a worker's task when its pool is stopped (an error or an interrupt in the parent)."""


_CHILD: dict[str, Any] = {"parent": None, "in_task": False, "stopping": False}


def _task(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run one task in a worker; none starts once the pool is stopping."""
    _CHILD["in_task"] = True  # first: a SIGTERM from here on raises, one before is seen just below
    try:
        if _CHILD["stopping"]:
            raise Stopped
        return fn(*args, **kwargs)
    finally:
        _CHILD["in_task"] = False


def _child_started(parent: int) -> None:
    """Pool initializer: ignore Ctrl-C, stop on SIGTERM, and end when the parent ends."""
    _CHILD["parent"] = parent
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminated)
    if not _die_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), name="synth-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the kernel was told
        _terminated(signal.SIGTERM, None)


def _die_with_parent() -> bool:
    """Ask Linux to send SIGTERM to this process when its parent dies; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # noqa: PLC0415 - only worker processes need it

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


def _terminated(signum: int, frame: FrameType | None) -> None:
    """SIGTERM in a worker.

    With the parent gone, nobody reads a result: remove the temporary files of unfinished
    writes and exit at once. With the parent there (it is stopping the pool), stop the running
    task (its writes clean up as they unwind) and start no other; the pool then ends the process.
    """
    if os.getppid() != _CHILD["parent"]:
        remove_pending_outputs()
        os._exit(_EXIT_TERMINATED)
    _CHILD["stopping"] = True
    if _CHILD["in_task"]:
        _CHILD["in_task"] = False
        raise Stopped
