"""What every benchmark shares: pinning to one CPU, how busy the machine was, timing whole commands.

Figures on these 2-vCPU VMs drift by about +-30% between runs, so every benchmark prints its
peers side by side from the same run, the load average before and after, and for each timed run
how many CPUs other processes kept busy meanwhile (``others``): a run with others near 1.0 on a
2-CPU machine was measured on a shared core.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

__all__ = [
    "Done",
    "Meter",
    "best_of",
    "compile_synth",
    "load_line",
    "machine_busy_seconds",
    "own_cpu_seconds",
    "pinned",
    "progress",
    "ratio",
    "spawn",
    "timed",
]

T = TypeVar("T")


def compile_synth() -> str:
    """Write the bytecode of synth's modules (``compileall``), and say so: a line for the report.

    The peers run from site-packages, where pip compiled them at install; synth runs from this
    checkout, and with ``PYTHONDONTWRITEBYTECODE`` set (as on these VMs) every ``synth`` command
    would compile its modules again, 0.15-0.2 s of start-up no installed copy pays.
    """
    import compileall  # noqa: PLC0415 - only the benchmarks that time whole commands need it

    import synth  # noqa: PLC0415

    folder = Path(synth.__file__).parent
    compileall.compile_dir(str(folder), quiet=1)
    return f"bytecode of {folder} written (compileall), as pip does at install"


def machine_busy_seconds() -> float | None:
    """Busy CPU time of the whole machine since boot, all CPUs (``/proc/stat``; None elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
    except (OSError, ValueError):
        return None
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for."""
    mine, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + kids.ru_utime + kids.ru_stime


class Meter:
    """Started before a run; ``others(wall)`` is how many CPUs other processes kept busy since."""

    def __init__(self) -> None:
        self.busy, self.own = machine_busy_seconds(), own_cpu_seconds()

    def others(self, wall: float) -> float | None:
        busy = machine_busy_seconds()
        if busy is None or self.busy is None or wall <= 0:
            return None
        return max(0.0, busy - self.busy - (own_cpu_seconds() - self.own)) / wall


def load_line(when: str) -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average ({when}): {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min; {os.cpu_count()} CPUs)"


def progress(text: str) -> None:
    print(f"  {text} ...", file=sys.stderr, flush=True)


@contextlib.contextmanager
def pinned(cpu: int = 0) -> Iterator[str]:
    """Run the body on one CPU; restore the old mask after (subprocesses must not inherit it)."""
    if not hasattr(os, "sched_setaffinity"):
        yield "not pinned (no sched_setaffinity here)"
        return
    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield f"pinned to CPU {cpu} of {len(saved)}"
    finally:
        os.sched_setaffinity(0, saved)


def best_of(runs: int, run: Callable[[], T], seconds: Callable[[T], float]) -> T:
    """The fastest of ``runs`` results of ``run``, ``seconds`` telling each one's time."""
    return min((run() for _ in range(runs)), key=seconds)


def ratio(mine: float, theirs: float) -> str:
    """``mine / theirs`` as ``1.23x``, or ``n/a`` without a peer figure."""
    return f"{mine / theirs:.2f}x" if theirs > 0 else "n/a"


@dataclass(frozen=True, slots=True)
class Done:
    """A whole command's run: wall seconds, its own peak RSS, what it printed on stderr."""

    seconds: float
    rss_mib: float
    stderr: str


# A small launcher between this process and each measured command. On Linux a child's
# ru_maxrss starts at the peak RSS of the process that forked it (the kernel records the old
# address space's high-water mark at exec), so spawning from a big benchmark process would floor
# every reading at its size. The launcher (``python -I -S``, a few MiB) times the command with
# perf_counter around posix_spawn + wait4 and prints "exit seconds maxrss_kib".
LAUNCHER = """
import os, sys, time
null = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0), (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
began = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ, file_actions=null)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - began
print(os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss, flush=True)
"""


def spawn(argv: Sequence[str], cwd: Path) -> Done:
    """Run ``argv`` to the end via the launcher (stdout discarded); raises when it fails."""
    with tempfile.TemporaryFile(dir=cwd) as err:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, *argv],
            cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, check=True,
        )  # fmt: skip
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    code, seconds, kib = done.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {int(code)}: {text[-800:]}")
    return Done(float(seconds), int(kib) / 1024, text)


def timed(run: Callable[[], T]) -> tuple[T, float, float | None]:
    """``run()``'s result, its wall seconds and the CPUs other processes kept busy meanwhile."""
    meter, began = Meter(), time.perf_counter()
    result = run()
    wall = time.perf_counter() - began
    return result, wall, meter.others(wall)


def print_aligned(rows: Sequence[Sequence[str]]) -> None:
    """Print ``rows`` as aligned columns: the first row is the head, underlined; the first column left-aligned."""
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    for k, row in enumerate(rows):
        cells = [cell.rjust(w) for cell, w in zip(row, widths, strict=True)]
        print("  ".join([row[0].ljust(widths[0]), *cells[1:]]))
        if k == 0:
            print("  ".join("-" * w for w in widths))
