"""Signals with worker processes: Ctrl-C is one line and exit 130, and no child outlives the command.

Real commands in real process groups: Ctrl-C in a terminal sends SIGINT to the whole foreground
group (the command and its workers), so the tests do the same with ``killpg``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from synth.generation.writer import write_corpus
from tests.test_workers import gone

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
                found.append(int(entry.name))
    return found


def _workers_of(command: subprocess.Popen[bytes], count: int = 2) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert command.poll() is None, command.stderr.read() if command.stderr else ""
        found = children_of(command.pid)
        if len(found) >= count:
            time.sleep(0.5)  # let them start working
            return found
        time.sleep(0.05)
    pytest.fail("the workers did not start")


def _start(args: list[str], cwd: Path, stdin: int | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "synth", *args],
        cwd=cwd,
        stdin=stdin,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell job
    )


@pytest.fixture(scope="module")
def posts(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    buffer = tmp_path_factory.mktemp("posts") / "posts.jsonl"
    write_corpus(str(buffer), count=2000, seed=5)
    return buffer.read_bytes()


@pytest.fixture
def feeding(posts: bytes) -> Iterator[tuple[int, int]]:
    """A pipe for stdin that got 2,000 posts and stays open, so the command waits with its workers."""
    read, write = os.pipe()
    os.set_blocking(write, False)
    os.write(write, posts[:60_000])  # what a pipe takes at once; the rest keeps it busy later
    yield read, write
    for fd in (read, write):
        os.close(fd)


def _commands(tmp_path: Path) -> dict[str, list[str]]:
    return {
        "generate": ["generate", "-n", "10000000", "--workers", "2", "--engine", "python", "-o", "out.jsonl"],
        "parts": ["generate", "-n", "4000000", "--parts", "4", "--workers", "2", "-o", "corpus"],
        "validate": ["validate", "--workers", "2", "-"],
        # the Python checks: worker processes (the native check's workers are threads, tested below)
        "import": ["import", "--workers", "2", "--engine", "python", "--db", str(tmp_path / "posts.db"), "-"],
    }


def _run_until_workers(name: str, tmp_path: Path, feeding: tuple[int, int], posts: bytes) -> subprocess.Popen[bytes]:
    read, write = feeding
    command = _start(_commands(tmp_path)[name], tmp_path, stdin=read if name in ("validate", "import") else None)
    if name in ("validate", "import"):
        os.set_blocking(write, True)
        os.write(write, posts[60_000:])  # 2,000 posts: four batches for the workers, then the pipe stays open
    return command


def _leftovers(tmp_path: Path) -> list[str]:
    """Files the command left, but the database an import writes into."""
    return sorted(p.name for p in tmp_path.rglob("*") if p.is_file() and not p.name.startswith("posts.db"))


COMMANDS = ["generate", "parts", "validate", "import"]
# The import's workers are the same pool as the validate's; its run is the slowest, so CI runs it.
SIGNALLED = [*COMMANDS[:3], pytest.param("import", marks=pytest.mark.slow)]


@pytest.mark.parametrize("name", SIGNALLED)
def test_ctrl_c_with_workers_is_one_line_and_exit_130(
    name: str, tmp_path: Path, feeding: tuple[int, int], posts: bytes
) -> None:
    command = _run_until_workers(name, tmp_path, feeding, posts)
    workers = _workers_of(command)
    os.killpg(command.pid, signal.SIGINT)
    assert command.wait(timeout=30) == 130
    assert command.stderr is not None and command.stderr.read() == b"synth: interrupted\n"
    assert all(gone(pid) for pid in workers)
    assert _leftovers(tmp_path) == []  # no partial file, no temporary file


@pytest.mark.parametrize("name", SIGNALLED)
def test_sigterm_unwinds_and_no_worker_outlives_it(
    name: str, tmp_path: Path, feeding: tuple[int, int], posts: bytes
) -> None:
    command = _run_until_workers(name, tmp_path, feeding, posts)
    workers = _workers_of(command)
    command.send_signal(signal.SIGTERM)
    assert command.wait(timeout=30) == 143
    assert command.stderr is not None and command.stderr.read() == b"synth: terminated\n"
    assert all(gone(pid) for pid in workers)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_kill_9_of_the_command_ends_its_workers(
    name: str, tmp_path: Path, feeding: tuple[int, int], posts: bytes
) -> None:
    command = _run_until_workers(name, tmp_path, feeding, posts)
    workers = _workers_of(command)
    command.send_signal(signal.SIGKILL)
    command.wait(timeout=30)
    assert all(gone(pid) for pid in workers), workers
    assert not (tmp_path / "out.jsonl").exists()  # at most the command's own hidden temporary file
    assert [p.name for p in tmp_path.rglob("part-*")] == []  # the workers removed theirs


# ---- the native engine's workers are threads of the command itself ----


def _writing(command: subprocess.Popen[bytes], folder: Path) -> None:
    """Wait until the command is writing its output (its hidden temporary file has grown)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert command.poll() is None, command.stderr.read() if command.stderr else ""
        if any(p.stat().st_size > 10_000_000 for p in folder.glob(".out.jsonl.*.tmp")):
            return
        time.sleep(0.05)
    pytest.fail("the command did not start writing")


@pytest.mark.parametrize(
    ("signum", "code", "line"),
    [(signal.SIGINT, 130, b"synth: interrupted\n"), (signal.SIGTERM, 143, b"synth: terminated\n")],
)
def test_a_signal_stops_the_native_threads_and_leaves_no_file(
    tmp_path: Path, signum: int, code: int, line: bytes
) -> None:
    args = ["generate", "-n", "100000000", "--workers", "2", "--engine", "native", "-o", "out.jsonl"]
    command = _start(args, tmp_path)
    _writing(command, tmp_path)
    assert children_of(command.pid) == []  # threads, not processes
    if signum == signal.SIGINT:  # Ctrl-C: the whole process group
        os.killpg(command.pid, signum)
    else:
        command.send_signal(signum)
    assert command.wait(timeout=30) == code
    assert command.stderr is not None and command.stderr.read() == line
    assert _leftovers(tmp_path) == []


@pytest.mark.slow  # the native threads' signals are proven by the test above; this one adds a waiting reader
@pytest.mark.parametrize(
    ("signum", "code", "line"),
    [(signal.SIGINT, 130, b"synth: interrupted\n"), (signal.SIGTERM, 143, b"synth: terminated\n")],
)
def test_a_signal_stops_a_native_import_blocked_on_stdin(
    tmp_path: Path, feeding: tuple[int, int], posts: bytes, signum: int, code: int, line: bytes
) -> None:
    """Its reader thread waits on an open pipe: the command still ends at once, with one line."""
    read, write = feeding
    db = tmp_path / "posts.db"
    args = ["import", "--workers", "2", "--engine", "native", "--batch", "100", "--db", str(db), "-"]
    command = _start(args, tmp_path, stdin=read)
    os.set_blocking(write, True)
    os.write(write, posts[60_000:])
    deadline = time.monotonic() + 60
    while not (db.exists() and (tmp_path / "posts.db-wal").exists()) and time.monotonic() < deadline:
        assert command.poll() is None, command.stderr.read() if command.stderr else ""
        time.sleep(0.05)
    time.sleep(0.5)  # every posted line read: the reader thread now waits on the pipe
    assert children_of(command.pid) == []  # threads, not processes
    if signum == signal.SIGINT:
        os.killpg(command.pid, signum)
    else:
        command.send_signal(signum)
    assert command.wait(timeout=30) == code
    assert command.stderr is not None and command.stderr.read() == line
