"""The OpenSearch Benchmark peer of ``bench_generate.py``: ``osb generate-data`` with a custom Mimesis module.

OpenSearch Benchmark's synthetic data generator runs Dask (a local cluster) over a user module's
``generate_synthetic_document(providers, **custom_lists)``; ours is ``mimesis_posts.py``, the same
post shape as the Mimesis peer. It needs its own virtualenv (its dependencies pin versions the
project's do not share)::

    python3 -m venv /tmp/synth-osb-venv && /tmp/synth-osb-venv/bin/pip install opensearch-benchmark

``--total-size`` is a whole number of GB, minutes of work at these rates, so the command is run
for a fixed window and stopped: the rate is measured between the first chunk written (the Dask
cluster is up) and the end of the window, from the size of the output file; documents per second
use the average document size of the file.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from _peers import Result

__all__ = ["DEFAULT_VENV", "bench_osb", "osb_command"]

DEFAULT_VENV = Path("/tmp/synth-osb-venv")  # noqa: S108 - a throwaway virtualenv, named in the docs
MODULE = Path(__file__).with_name("mimesis_posts.py")
CONFIG = "settings:\n  workers: 1\n  docs_per_chunk: 500\n  max_file_size_gb: 40\n"


def osb_command(venv: Path) -> Path | None:
    """The ``osb`` command of ``venv``, or None when it is not installed there."""
    command = venv / "bin" / "osb"
    return command if command.exists() else None


def _output_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.json"))


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the command and its Dask cluster (its own process group, started by us)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _observe(process: subprocess.Popen[bytes], out: Path, window: float) -> tuple[float, int, float, int]:
    """(t1, bytes at t1, t2, bytes at t2): from the first data written to the end of the window."""
    deadline = time.monotonic() + 120
    while _output_size(out) == 0:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"osb generate-data wrote nothing (exit {process.poll()})")
        time.sleep(0.1)
    t1, size1 = time.perf_counter(), _output_size(out)
    time.sleep(window)
    return t1, size1, time.perf_counter(), _output_size(out)


def bench_osb(venv: Path, window: float) -> Result:
    """``osb generate-data --custom-module mimesis_posts.py`` with one Dask worker, for ``window`` seconds."""
    command = osb_command(venv)
    if command is None:
        raise FileNotFoundError(f"no osb in {venv}")
    with tempfile.TemporaryDirectory(prefix="synth-osb-") as folder:
        root = Path(folder)
        out = root / "out"
        out.mkdir()
        (root / "config.yml").write_text(CONFIG)
        argv = [str(command), "generate-data", "--custom-module", str(MODULE), "--total-size", "1",
                "--index-name", "posts", "--output-path", str(out), "--custom-config", str(root / "config.yml"),
                "--quiet"]  # fmt: skip
        process = subprocess.Popen(
            argv, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            t1, size1, t2, size2 = _observe(process, out, window)
        finally:
            _stop(process)
        data = b"".join(p.read_bytes() for p in sorted(out.glob("*.json")))
    docs = data.count(b"\n")
    average = len(data) / docs if docs else 0.0
    posts = round((size2 - size1) / average) if average else 0
    note = (
        f"Dask LocalCluster, 1 worker, docs_per_chunk 500, json.dumps lines (avg {average:,.0f} B);"
        f" rate from the first chunk on (cluster start-up excluded), over {t2 - t1:.0f} s"
    )
    return Result("OSB generate-data (Dask + Mimesis)", posts, t2 - t1, size2 - size1, None, note)
