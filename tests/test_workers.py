"""Worker processes: how many, and children that end with their parent, by any signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from synth.errors import UsageError


def gone(pid: int, within: float = 10.0) -> bool:
    """Whether process ``pid`` has exited (or is a zombie) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_resolve_workers_takes_0_as_every_core_and_bounds_the_rest() -> None:
    from synth.workers import MAX_WORKERS, core_count, resolve_workers  # noqa: PLC0415

    assert resolve_workers(0) == core_count() >= 1
    assert resolve_workers(3) == 3
    with pytest.raises(UsageError) as info:
        resolve_workers(-1)
    assert (str(info.value), info.value.parameter) == (
        "workers -1 is negative. To resolve this error, use 0 for all cores or a positive count",
        "workers",
    )
    with pytest.raises(UsageError) as info:
        resolve_workers(2**63)
    assert str(info.value) == (
        f"workers {2**63} is more than {MAX_WORKERS}. "
        f"To resolve this error, use 0 for all cores ({core_count()} here) or a count up to {MAX_WORKERS}"
    )


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _handler(signum: int) -> str:
    return str(signal.getsignal(signum))


def test_children_ignore_ctrl_c_and_handle_sigterm() -> None:
    from synth.workers import process_pool  # noqa: PLC0415

    with process_pool(2) as pool:
        assert pool.submit(_handler, signal.SIGINT).result() == str(signal.SIG_IGN)
        assert "_terminated" in pool.submit(_handler, signal.SIGTERM).result()


def test_an_error_in_the_block_stops_the_children_at_once() -> None:
    from synth.workers import process_pool  # noqa: PLC0415

    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt), process_pool(2) as pool:
        futures = [pool.submit(_sleep, 30) for _ in range(4)]
        time.sleep(0.5)
        children = list(pool._processes.values())
        raise KeyboardInterrupt
    assert time.monotonic() - began < 10  # not the 60 s of the queued sleeps
    assert all(f.cancelled() or f.done() for f in futures)  # settled, none left running
    assert len(children) == 2
    assert [child.is_alive() for child in children] == [False, False]


_PARENT = textwrap.dedent(
    """
    import os, sys, time
    from synth.workers import process_pool
    def pid(_):
        time.sleep(0.2)
        return os.getpid()
    with process_pool(2) as pool:
        pids = sorted(set(pool.map(pid, range(8))))
        print(*pids, flush=True)
        pool.submit(time.sleep, 60)
        time.sleep(60)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("parent_signal", [signal.SIGKILL, signal.SIGTERM])
def test_children_end_with_their_parent(parent_signal: int) -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    children = [int(pid) for pid in parent.stdout.readline().split()]
    assert children and all(not gone(pid, within=0) for pid in children)
    parent.send_signal(parent_signal)
    parent.wait()
    assert all(gone(pid) for pid in children), children
