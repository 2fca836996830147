"""Workload answers: how fast ``synth.queries`` answers a workload over a corpus, and its peak memory.

Run from the project root with the project's virtualenv (progress goes to stderr)::

    .venv/bin/python benchmarks/bench_queries.py                       # 100,000 posts, 10,000 queries
    .venv/bin/python benchmarks/bench_queries.py --posts 1000000       # the goal: 1M posts, < 2 min, < 500 MB
    .venv/bin/python benchmarks/bench_queries.py --quick               # 20,000 posts, 2,000 queries

The process pins itself to CPU 0. It measures, in order, on the same generated corpus (seed 0):

1. ``generate``: the posts alone as JSON lines (``synth.workload.source.generated_lines``), the
   floor of any pass over a generated corpus;
2. ``sample + plan``: decoding and tokenizing the first 2,000 posts, planning the candidates;
3. ``scan``, once per engine on the same lines, side by side: ``python`` (the reference: decoding
   each line with orjson, tokenizing in Python, numpy per chunk of 4,096 posts) and ``native``
   (``synth._native.Scanner``: reading, tokenizing, phrase matching and evaluating in Rust; the
   taints of dirty segments and the id hashes in Python);
4. ``total``: ``synth.queries(count=N, size=Q)`` end to end with the native engine, timed
   separately (it generates the posts again), with the peak RSS of the whole process
   (``ru_maxrss``) at the end.

Times are CPU seconds of this process (``time.process_time``), so that other load on the
machine counts less; the wall time of the total is printed too, with the load average.
``--engines native`` skips the Python scan (for the 1M-post goal run).
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import sys
import time

from synth.workload import kinds, scan
from synth.workload.source import Counted, generated_lines, generated_posts
from synth.workload.workload import SAMPLE, queries


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _parts(posts: int, size: int, locale: str, engines: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    began = time.process_time()
    head = list(itertools.islice(generated_posts(posts, seed=0, locale=locale, edition=1, counted=Counted()), SAMPLE))
    candidates = kinds.plan(kinds.Sample.of(head), kinds.shares(size), 0)
    out["sample + plan"] = time.process_time() - began
    runs = {e: scan.Scan([c.clauses for c in candidates], max_ids=1000, engine=e) for e in engines}
    times = dict.fromkeys(["generate", *engines], 0.0)
    stream = generated_lines(posts, seed=0, locale=locale, edition=1, counted=Counted())
    for done in range(0, posts, scan.CHUNK):
        a = time.process_time()
        chunk = list(itertools.islice(stream, scan.CHUNK))
        times["generate"] += time.process_time() - a
        for engine, run in runs.items():
            a = time.process_time()
            run.feed(chunk)
            times[engine] += time.process_time() - a
        _progress(f"  {done + len(chunk):,} posts scanned")
    results = {e: run.result() for e, run in runs.items()}
    if len(results) == 2:
        python, native = results["python"], results["native"]
        same = python.safe == native.safe and all(python.answer(q) == native.answer(q) for q in range(len(candidates)))
        out["same answers"] = float(same)
    out.update({f"scan: {e}": times[e] for e in engines}, generate=times["generate"], candidates=len(candidates))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--locale", default="en_US")
    parser.add_argument("--quick", action="store_true", help="20,000 posts and 2,000 queries")
    parser.add_argument("--engines", default="python,native", help="scans to time side by side")
    args = parser.parse_args()
    posts, size = (20_000, 2_000) if args.quick else (args.posts, args.queries)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    print(f"{posts:,} posts ({args.locale}), {size:,} queries; load average {os.getloadavg()[0]:.1f}")
    engines = args.engines.split(",")
    parts = _parts(posts, size, args.locale, engines)
    print(f"{'part':<16} {'CPU s':>9} {'us/post':>9} {'posts/s':>10}")
    for name in ("generate", "sample + plan", *(f"scan: {e}" for e in engines)):
        seconds = parts[name]
        print(f"{name:<16} {seconds:>9.2f} {seconds / posts * 1e6:>9.1f} {posts / seconds:>10,.0f}")
    print(f"candidate queries answered by the scan: {parts['candidates']:,}")
    if "same answers" in parts:
        print(f"native and python answers identical: {bool(parts['same answers'])}")
    wall, cpu = time.perf_counter(), time.process_time()
    workload = queries(count=posts, locale=args.locale, size=size, engine="native")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total: {workload.summary.line()}")
    print(f"total: {cpu:.1f} CPU s, {wall:.1f} wall s, {len(workload) / cpu:,.0f} queries/s answered, "
          f"{posts / cpu:,.0f} posts/s; peak RSS {rss:,.0f} MB; load average {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
