"""Generation: synth's two engines against Mimesis, Faker, polyfactory and OpenSearch Benchmark.

Run from the project root with the project's virtualenv (progress goes to stderr)::

    .venv/bin/python benchmarks/bench_generate.py           # normal run, a few minutes
    .venv/bin/python benchmarks/bench_generate.py --quick   # smoke run, about a minute
    .venv/bin/python benchmarks/bench_generate.py --full    # adds the 10,000,000-post RSS run
    .venv/bin/python benchmarks/bench_generate.py --osb-venv /tmp/synth-osb-venv  # where osb lives

Every figure comes with the load it was measured under: the 1-minute load average at its end
and "others", how many CPUs other processes kept busy meanwhile (``/proc/stat``). On a shared
2-CPU machine a row with others near or above 1 ran on a shared core. ``perf stat -e
instructions`` is tried first and named in the header: where it works it is the steadier
measure; where it does not (VMs without counters), posts per CPU second (``time.process_time``
of this process, or ``ru_utime + ru_stime`` of a child) is printed next to the wall-clock rate,
which other processes disturb less than wall time.

Parts, as printed:

1. **Throughput on ONE core** (this process pinned to CPU 0, subprocesses inherit it), every
   contender making the same post shape (every key of :class:`synth.schema.model.Post`) in
   compact JSON: polyfactory (as-is, construct, with retries), Faker and Mimesis with a call per
   field (``_peers.py``), OpenSearch Benchmark ``generate-data`` with a custom Mimesis module
   (``_osb.py``; skipped with a note when its virtualenv is missing), and synth: the Python
   reference (``batch_json`` and ``write_corpus`` to /dev/null) and the native engine
   (``batch_json``, and ``write_corpus`` to /dev/null, to a file, to ``.zst`` and ``.gz``). The
   last column is how many times the native engine writing a file is faster, posts/s and MB/s.
2. **The CLI's own writing**: ``synth generate --engine native`` as whole commands (one core)
   to /dev/null, a file, ``.zst`` and ``.gz``, against the in-process ``lines()`` rate of the
   engine: what the command adds on top of making the posts.
3. **Start-up**: best of several ``synth generate --count 1`` (native and python engine),
   ``import synth`` and ``python -c pass``, and the modules that cost most on the native path
   (``python -X importtime``).
4. **Scaling on two cores**: ``synth generate -n N --workers K`` for K = 1, 2 with each engine
   (native: threads; python: processes), unpinned, alternately, best of R; and, in-process, the
   native engine's chunks on two threads against two processes.
5. **Peak RSS** of ``synth generate --count N`` for growing N (the launcher of ``_common.spawn``,
   so the reading is the command's own).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import Meter, pinned, print_aligned, spawn
from _osb import DEFAULT_VENV, bench_osb, osb_command
from _peers import (
    Result,
    bench_faker,
    bench_mimesis,
    bench_polyfactory_asis,
    bench_polyfactory_construct,
    bench_polyfactory_retry,
    valid_share,
)

from synth.generation import assemble, corpus, native, writer

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parent.parent
BATCH = 500


@dataclass(frozen=True)
class Counts:
    """How many posts each part makes."""

    polyfactory: int
    faker: int
    mimesis: int
    python: int
    native: int
    gzip: int
    osb_seconds: float
    cli: int
    scaling: int
    rss: tuple[int, ...]
    repeats: int  # throughput runs per fast contender (the fastest is reported)
    startup_repeats: int
    scaling_repeats: int


QUICK = Counts(10, 200, 500, 5_000, 50_000, 5_000, 8.0, 100_000, 50_000, (10_000, 100_000), 2, 3, 1)
NORMAL = Counts(
    100, 1_000, 5_000, 30_000, 300_000, 20_000, 20.0, 1_000_000, 400_000, (10_000, 100_000, 1_000_000), 3, 7, 3
)
FULL_RSS = (10_000, 100_000, 1_000_000, 10_000_000)


# ---- the machine ----


def perf_works() -> bool:
    """Whether ``perf stat -e instructions`` counts instructions here (VMs often expose no counters)."""
    if shutil.which("perf") is None:
        return False
    done = subprocess.run(
        ["perf", "stat", "-x,", "-e", "instructions", "true"], check=False, capture_output=True, text=True
    )
    return done.returncode == 0 and "not supported" not in done.stderr and "instructions" in done.stderr


def load() -> float:
    return os.getloadavg()[0]


def busy_now(interval: float = 0.5) -> str:
    meter = Meter()
    time.sleep(interval)
    others = meter.others(interval)
    where = "unknown" if others is None else f"{others:.1f} of {os.cpu_count()} CPUs"
    return f"load average {load():.2f}; other processes kept {where} busy just before this part"


# ---- synth contenders (each returns a Result; CPU time and load are filled in by ``watched``) ----


def bench_python_batches(n: int, seed: int) -> Result:
    """The Python reference's ``batch_json`` over ``range(n)`` in batches of 500."""
    assemble.batch_json(0, 1, seed=seed)  # warm-up: loads the vocabulary
    nbytes, sample = 0, []
    began = time.perf_counter()
    for first in range(0, n, BATCH):
        posts = assemble.batch_json(first, min(BATCH, n - first), seed=seed)
        nbytes += sum(map(len, posts))
        sample = sample or posts
    return Result("synth python batch_json x500", n, time.perf_counter() - began, nbytes, valid_share(sample))


def bench_native_batches(n: int, seed: int) -> Result:
    """The native engine's ``batch_json`` (one ``bytes`` a post) in batches of 500."""
    native.batch_json(0, 1, seed=seed)  # warm-up: builds the engine
    nbytes, sample = 0, []
    began = time.perf_counter()
    for first in range(0, n, BATCH):
        posts = native.batch_json(first, min(BATCH, n - first), seed=seed)
        nbytes += sum(map(len, posts))
        sample = sample or posts
    return Result("synth native batch_json x500", n, time.perf_counter() - began, nbytes, valid_share(sample))


def corpus_bench(engine: str, suffix: str | None) -> Callable[[int, int], Result]:
    """``write_corpus`` (what ``synth generate`` runs), one worker, to /dev/null or a file ``posts.jsonl<suffix>``."""
    name = f"synth {engine} write_corpus {'/dev/null' if suffix is None else suffix or 'file'}"

    def bench(n: int, seed: int) -> Result:
        native.batch_json(0, 1, seed=seed)
        with tempfile.TemporaryDirectory(prefix="synth-bench-") as folder:
            target = os.devnull if suffix is None else str(Path(folder) / f"posts.jsonl{suffix}")
            summary = writer.write_corpus(target, count=n, seed=seed, engine=engine)  # type: ignore[arg-type]
        return Result(name, summary.posts, summary.seconds, summary.bytes, None)

    return bench


def watched(bench: Callable[[int, int], Result], n: int, seed: int) -> Result:
    """One run: the result with this process's CPU time (children included), the load and the others' CPUs."""
    meter = Meter()
    cpu0 = _cpu()
    began = time.perf_counter()
    result = bench(n, seed)
    wall = time.perf_counter() - began
    cpu = _cpu() - cpu0
    cpu = None if result.name.startswith("OSB") else cpu  # its Dask processes are not this process's children
    return dataclasses.replace(result, others=meter.others(wall), cpu=cpu, load=load())


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def guarded(name: str, bench: Callable[[int, int], Result], n: int, seed: int, repeats: int) -> Result:
    """Best (fastest) of ``repeats`` runs; a crash becomes a row with its error."""
    print(f"  {name} ({n:,} posts, best of {repeats}) ...", file=sys.stderr, flush=True)
    try:
        return min((watched(bench, n, seed) for _ in range(repeats)), key=lambda r: r.seconds / max(r.posts, 1))
    except Exception as exc:  # every failure is a row, the run goes on
        return Result(name, 0, 0.0, 0, None, f"FAILED: {type(exc).__name__}: {exc}")


def _x(mine: float, theirs: float) -> str:
    return f"{mine / theirs:,.1f}x" if theirs > 0 and mine > 0 else "-"


def print_table(results: Sequence[Result], reference: Result) -> None:
    head = (
        "contender",
        "posts",
        "posts/s",
        "MB/s",
        "posts/CPU-s",
        "avg B",
        "valid",
        "native file is",
        "load",
        "others",
    )
    rows = [head]
    for r in results:
        rows.append((
            r.name, f"{r.posts:,}", f"{r.rate:,.0f}", f"{r.mb_per_s:,.1f}",
            f"{r.cpu_rate:,.0f}" if r.cpu else "-", f"{r.avg_bytes:,.0f}",
            "-" if r.valid is None else f"{r.valid:.0%}",
            f"{_x(reference.rate, r.rate)} / {_x(reference.mb_per_s, r.mb_per_s)}",
            "-" if r.load is None else f"{r.load:.2f}", "-" if r.others is None else f"{r.others:.2f}",
        ))  # fmt: skip
    print_aligned(rows)
    for r in results:
        if r.note:
            print(f"  note, {r.name}: {r.note}")


def run_throughput(counts: Counts, seed: int, osb_venv: Path) -> dict[str, Result]:
    r = counts.repeats
    n = counts.native
    writes = [
        ("/dev/null", None, n, r),
        ("file", "", n, r),
        (".zst", ".zst", n // 4, r),
        (".gz", ".gz", counts.gzip, 1),
    ]
    plan: list[tuple[str, Callable[[int, int], Result], int, int]] = [
        ("polyfactory build() as-is", bench_polyfactory_asis, counts.polyfactory, 1),
        ("polyfactory build(construct)", bench_polyfactory_construct, counts.polyfactory, 1),
        ("polyfactory build() + retry", bench_polyfactory_retry, max(5, counts.polyfactory // 4), 1),
        ("faker + orjson", bench_faker, counts.faker, r),
        ("mimesis + orjson", bench_mimesis, counts.mimesis, r),
        ("synth python batch_json x500", bench_python_batches, counts.python, r),
        ("synth python write_corpus /dev/null", corpus_bench("python", None), counts.python, r),
        ("synth native batch_json x500", bench_native_batches, n, r),
        *(
            (f"synth native write_corpus {label}", corpus_bench("native", suffix), k, rr)
            for label, suffix, k, rr in writes
        ),
    ]
    print(f"\n== 1. throughput, ONE core, seed {seed}; best of {r} runs (polyfactory, .gz: 1) ==")
    print(busy_now())
    with pinned(0) as where:
        results = [guarded(name, bench, n, seed, repeats) for name, bench, n, repeats in plan]
        if osb_command(osb_venv) is not None:
            print(f"  OSB generate-data ({counts.osb_seconds:.0f} s window) ...", file=sys.stderr, flush=True)
            results.insert(5, watched(lambda n, s: bench_osb(osb_venv, counts.osb_seconds), 0, seed))
    print(where)
    if osb_command(osb_venv) is None:
        print(f"  OpenSearch Benchmark generate-data: skipped, no osb in {osb_venv} "
              f"(python3 -m venv {osb_venv} && {osb_venv}/bin/pip install opensearch-benchmark)")  # fmt: skip
    by_name = {result.name: result for result in results}
    reference = by_name["synth native write_corpus file"]
    print_table(results, reference)
    return by_name


# ---- 2. the CLI's own writing ----


def synth_command() -> list[str]:
    script = Path(PYTHON).parent / "synth"
    return [str(script)] if script.exists() else [PYTHON, "-m", "synth"]


def generate_argv(count: int, output: str, workers: int = 1, engine: str = "native") -> list[str]:
    return [*synth_command(), "generate", "-n", str(count), "-w", str(workers), "--engine", engine, "-q", "-o", output]


def lines_rate(n: int) -> tuple[float, float]:
    """Posts/s and posts per CPU second of the engine's ``lines()`` alone, chunks of ``CHUNK``."""
    engine = native.engine("en_US")
    engine.lines(0, 0, 10)
    cpu0, began = time.process_time(), time.perf_counter()
    for first in range(0, n, corpus.CHUNK):
        engine.lines(0, first, min(corpus.CHUNK, n - first))
    return n / (time.perf_counter() - began), n / (time.process_time() - cpu0)


def run_cli_writing(counts: Counts) -> None:
    n = counts.cli
    print(f"\n== 2. the CLI's own writing: synth generate --engine native -n {n:,}, ONE core, whole commands ==")
    print(busy_now())
    with pinned(0), tempfile.TemporaryDirectory(prefix="synth-bench-") as folder:
        wall, cpu = lines_rate(n)
        print(
            f"{'in-process engine.lines(), chunks of ' + str(corpus.CHUNK):<44} {wall:>10,.0f} posts/s"
            f" {cpu:>10,.0f} posts/CPU-s  load {load():.2f}"
        )
        targets = [("-o /dev/null", os.devnull, n), ("-o posts.jsonl", f"{folder}/posts.jsonl", n),
                   ("-o posts.jsonl.zst", f"{folder}/posts.jsonl.zst", n // 4),
                   ("-o posts.jsonl.gz", f"{folder}/posts.jsonl.gz", counts.gzip)]  # fmt: skip
        for label, target, count in targets:
            done = spawn(generate_argv(count, target), ROOT)
            size = Path(target).stat().st_size if target != os.devnull else 0
            stored = f"{size / 1e6:,.0f} MB stored" if size else ""
            print(
                f"{'synth generate ' + label:<44} {count / done.seconds:>10,.0f} posts/s"
                f" (incl. start-up, n={count:,})  load {load():.2f}  {stored}"
            )


# ---- 3. start-up ----


def best_seconds(argv: Sequence[str], repeats: int) -> float:
    return min(spawn(argv, ROOT).seconds for _ in range(repeats))


def import_profile(top: int = 8) -> list[tuple[int, str]]:
    """The modules with the largest cumulative import time on the native path (``-X importtime``)."""
    argv = [PYTHON, "-X", "importtime", "-m", "synth", "generate", "-n", "1", "-q", "-o", os.devnull]
    done = subprocess.run(argv, check=False, capture_output=True, text=True, cwd=ROOT)
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(2)) <= 2:  # top-level and first-level imports
            rows.append((int(match.group(1)), match.group(2) + match.group(3)))
    return sorted(rows, reverse=True)[:top]


def run_startup(repeats: int) -> float:
    print(f"\n== 3. start-up, best of {repeats} ==")
    print(busy_now())
    cases = {
        "synth generate --count 1 (auto: native)": [*synth_command(), "generate", "-n", "1", "-q", "-o", os.devnull],
        "synth generate --count 1 --engine python": generate_argv(1, os.devnull, engine="python"),
        'python -c "import synth"': [PYTHON, "-c", "import synth"],
        'python -c "pass"': [PYTHON, "-c", "pass"],
    }
    times = {label: best_seconds(argv, repeats) for label, argv in cases.items()}
    for label, seconds in times.items():
        print(f"{label:<44} {seconds * 1000:8.0f} ms  load {load():.2f}")
    print("largest cumulative imports of synth generate (native), ms (python -X importtime):")
    for micros, name in import_profile():
        print(f"  {micros / 1000:8.1f}  {name}")
    return times["synth generate --count 1 (auto: native)"]


# ---- 4. scaling ----


@contextlib.contextmanager
def native_chunks_in_processes() -> Iterator[None]:
    """Make the native engine's plain chunks in worker processes instead of threads (for the comparison)."""
    saved = corpus.PlainChunks.threaded
    corpus.PlainChunks.threaded = property(lambda self: False)  # type: ignore[assignment]
    try:
        yield
    finally:
        corpus.PlainChunks.threaded = saved  # type: ignore[method-assign]


def in_process(n: int, workers: int, processes: bool) -> tuple[float, float]:
    """Posts/s and CPUs used of ``write_corpus`` to /dev/null with the native engine."""
    cpu0, began = _cpu(), time.perf_counter()
    with native_chunks_in_processes() if processes else contextlib.nullcontext():
        writer.write_corpus(os.devnull, count=n, workers=workers, engine="native")
    wall = time.perf_counter() - began
    return n / wall, (_cpu() - cpu0) / wall


def run_scaling(counts: Counts, startup: float) -> None:
    n, repeats = counts.scaling, counts.scaling_repeats
    print(
        f"\n== 4. scaling: synth generate -n {n:,} -o /dev/null, unpinned, {os.cpu_count()} CPUs, best of {repeats} =="
    )
    print(busy_now())
    for engine, how in (("native", "threads"), ("python", "processes")):
        count = n if engine == "native" else n // 10
        best: dict[int, float] = {}
        for _ in range(repeats):
            for workers in (1, 2):
                seconds = spawn(generate_argv(count, os.devnull, workers, engine), ROOT).seconds
                best[workers] = min(best.get(workers, seconds), seconds)
        rates = {w: count / s for w, s in best.items()}
        net = {w: count / (s - startup) if s > startup else 0.0 for w, s in best.items()}
        print(f"{engine} ({how}), n={count:,}: workers 1 {rates[1]:,.0f} posts/s, workers 2 {rates[2]:,.0f} posts/s;"
              f" ratio {rates[2] / rates[1]:.2f} (excl. start-up {net[2] / net[1] if net[1] else 0:.2f})"
              f"  load {load():.2f}")  # fmt: skip
    print("native engine, in-process write_corpus to /dev/null, workers 2: threads against processes")
    for label, processes in (("threads", False), ("processes", True)):
        rate, cpus = max((in_process(n, 2, processes) for _ in range(repeats)), key=lambda x: x[0])
        print(f"  {label:<10} {rate:>10,.0f} posts/s  {cpus:.2f} CPUs used  load {load():.2f}")


# ---- 5. memory ----


def run_rss(counts: Sequence[int]) -> None:
    print(
        "\n== 5. peak RSS: synth generate --count N -o /dev/null -q (native, workers 1; workers 2 at the largest N) =="
    )
    print(busy_now())
    print(f"{'N':>11}  {'seconds':>8}  {'posts/s':>9}  {'peak RSS MiB':>12}  load")
    peaks = []
    for n in counts:
        done = spawn(generate_argv(n, os.devnull), ROOT)
        peaks.append(done.rss_mib)
        print(f"{n:>11,}  {done.seconds:8.2f}  {n / done.seconds:9,.0f}  {done.rss_mib:12.1f}  {load():.2f}")
    two = spawn(generate_argv(counts[-1], os.devnull, workers=2), ROOT)
    print(
        f"{counts[-1]:>11,}  {two.seconds:8.2f}  {counts[-1] / two.seconds:9,.0f}  {two.rss_mib:12.1f}"
        f"  {load():.2f}  (workers 2)"
    )
    print(f"largest / smallest N peak RSS: {peaks[-1] / peaks[0]:.2f} (1.00 = flat)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    parser.add_argument("--full", action="store_true", help="add the 10,000,000-post peak-RSS run")
    parser.add_argument("--seed", type=int, default=0, help="seed for every contender (default 0)")
    parser.add_argument(
        "--osb-venv",
        type=Path,
        default=DEFAULT_VENV,
        help=f"virtualenv with opensearch-benchmark (default {DEFAULT_VENV})",
    )
    parser.add_argument(
        "--only",
        choices=["throughput", "cli", "startup", "scaling", "rss"],
        action="append",
        help="run only these parts",
    )
    args = parser.parse_args(argv)
    if not native.available():
        print(f"synth._native is not built ({native.missing()}): {native.BUILD_HINT}", file=sys.stderr)
        return 2
    counts = QUICK if args.quick else NORMAL
    parts = set(args.only or ["throughput", "cli", "startup", "scaling", "rss"])
    counters = (
        "perf stat -e instructions works"
        if perf_works()
        else "perf stat -e instructions: not supported here (CPU time printed instead)"
    )
    print(f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs; {counters};"
          f" mode: {'quick' if args.quick else 'full' if args.full else 'normal'}")  # fmt: skip
    began, startup = time.perf_counter(), 0.3
    if "throughput" in parts:
        run_throughput(counts, args.seed, args.osb_venv)
    if "cli" in parts:
        run_cli_writing(counts)
    if "startup" in parts:
        startup = run_startup(counts.startup_repeats)
    if "scaling" in parts:
        run_scaling(counts, startup)
    if "rss" in parts:
        run_rss(FULL_RSS if args.full else counts.rss)
    print(f"\ntotal benchmark time: {time.perf_counter() - began:.0f} s; load average at the end {load():.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
