"""Scale-out figures (issue: partitioned corpora, Dask, parallel import).

    python benchmarks/bench_scale.py [--count 100000] [--import-count 40000]

Prints, from one run on this machine:

* generation posts/s of ``synth generate --parts`` with 1 and 2 local worker processes and on a
  2-worker Dask LocalCluster (cluster start-up included and also shown apart), and the scaling
  factors against one process;
* parallel PostgreSQL import rows/s of ``synth import DIR/manifest.json --workers K`` for K = 1
  and 2 into fresh schemas (skipped with a note when no server answers).

Every timing is a whole command (``subprocess``), so start-up is included. The machine has
2 cores: a factor near 2 is the ceiling; other load on the machine lowers it (the load average
is printed before and after).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

SYNTH = [sys.executable, "-m", "synth"]
POSTGRES = os.environ.get("SYNTH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _timed(args: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def generation(count: int, folder: Path) -> list[tuple[str, float]]:
    """Seconds for each way of making the same parts."""
    runs = [
        ("--parts 8 --workers 1", ["--workers", "1"]),
        ("--parts 8 --workers 2", ["--workers", "2"]),
        ("--parts 8 --dask (LocalCluster, 2 workers)", ["--dask", "--workers", "2"]),
    ]
    results = []
    for label, extra in runs:
        target = folder / label.split()[-1].strip("()")
        shutil.rmtree(target, ignore_errors=True)
        args = [*SYNTH, "generate", "-n", str(count), "--parts", "8", "-o", str(target), "-q", *extra]
        results.append((label, _timed(args)))
    results.append(
        (
            "dask cluster start-up alone (1 post)",
            _timed([*SYNTH, "generate", "-n", "1", "--parts", "1", "-o", str(folder / "tiny"), "-q", "--dask"]),
        )
    )
    return results


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-c", sql],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def parallel_import(count: int, folder: Path) -> list[tuple[str, float]]:
    """Seconds to import a manifest of ``count`` posts into a fresh schema with 1 and 2 workers."""
    parts = folder / "import-parts"
    subprocess.run([*SYNTH, "generate", "-n", str(count), "--parts", "8", "-o", str(parts), "-q"], check=True)
    results = []
    for workers in (1, 2):
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        _psql(f"CREATE SCHEMA {schema}")
        try:
            url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
            args = [*SYNTH, "import", str(parts / "manifest.json"), "--db", url, "--workers", str(workers)]
            results.append((f"import manifest --workers {workers}", _timed(args)))
        finally:
            _psql(f"DROP SCHEMA {schema} CASCADE")
    return results


def _table(title: str, rows: list[tuple[str, float]], count: int, unit: str) -> None:
    print(f"\n== {title} ({count:,} posts) ==")
    base = rows[0][1]
    for label, seconds in rows:
        print(f"{label:<44} {seconds:8.2f} s {count / seconds:>10,.0f} {unit}  x{base / seconds:4.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--import-count", type=int, default=40_000)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _table("generation", generation(args.count, folder), args.count, "posts/s")
        try:
            _psql("SELECT 1")
        except (OSError, subprocess.CalledProcessError):
            print("\n(no PostgreSQL at 127.0.0.1:5432: parallel import skipped)")
        else:
            imported = parallel_import(args.import_count, folder)
            _table("parallel PostgreSQL import", imported, args.import_count, "rows/s")
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
