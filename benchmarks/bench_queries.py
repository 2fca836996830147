"""Workload answers: how fast ``synth.queries`` answers a workload over a corpus, and its peak memory.

Run from the project root with the project's virtualenv (progress goes to stderr)::

    .venv/bin/python benchmarks/bench_queries.py                       # 100,000 posts, 10,000 queries
    .venv/bin/python benchmarks/bench_queries.py --posts 1000000       # the goal: 1M posts, < 2 min, < 500 MB
    .venv/bin/python benchmarks/bench_queries.py --quick               # 20,000 posts, 2,000 queries

The process pins itself to CPU 0. It measures, in order, on the same generated corpus (seed 0):

1. ``generate``: the posts alone (``synth.workload.source.generated_posts``: ``batch_dicts`` and
   the content hash), the floor of any pass over a generated corpus;
2. ``sample + plan``: tokenizing the first 2,000 posts and planning the candidate queries;
3. ``scan``: the one pass, split into ``build`` (per post, in Python: tokenizing every text,
   mapping tokens to query words, the filter columns) and ``evaluate`` (per chunk of 4,096
   posts, numpy: presence matrix, phrase windows, one boolean mask per candidate query);
4. ``total``: ``synth.queries(count=N, size=Q)`` end to end, timed separately (it generates the
   posts again), with the peak RSS of the whole process (``ru_maxrss``) at the end.

Times are CPU seconds of this process (``time.process_time``), so that other load on the
machine counts less; the wall time of the total is printed too, with the load average.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import sys
import time

from synth.workload import kinds, scan
from synth.workload.source import Counted, generated_posts
from synth.workload.workload import SAMPLE, queries


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _parts(posts: int, size: int, locale: str) -> dict[str, float]:
    out: dict[str, float] = {}
    began = time.process_time()
    head = list(itertools.islice(generated_posts(posts, seed=0, locale=locale, edition=1, counted=Counted()), SAMPLE))
    sample = kinds.Sample.of(head)
    candidates = kinds.plan(sample, kinds.shares(size), 0)
    out["sample + plan"] = time.process_time() - began
    run = scan.Scan([c.clauses for c in candidates], max_ids=1000)
    builder, build, evaluate, generate = run.builder, 0.0, 0.0, 0.0
    stream = generated_posts(posts, seed=0, locale=locale, edition=1, counted=Counted())
    for done in range(0, posts, scan.CHUNK):
        a = time.process_time()
        chunk = list(itertools.islice(stream, scan.CHUNK))
        b = time.process_time()
        for post in chunk:
            builder.add(post)
        c = time.process_time()
        run._evaluate(builder.take())  # the benchmark times the two halves apart
        d = time.process_time()
        generate, build, evaluate = generate + b - a, build + c - b, evaluate + d - c
        _progress(f"  {done + len(chunk):,} posts scanned")
    out.update({"generate": generate, "scan: build": build, "scan: evaluate": evaluate, "candidates": len(candidates)})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--locale", default="en_US")
    parser.add_argument("--quick", action="store_true", help="20,000 posts and 2,000 queries")
    args = parser.parse_args()
    posts, size = (20_000, 2_000) if args.quick else (args.posts, args.queries)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    print(f"{posts:,} posts ({args.locale}), {size:,} queries; load average {os.getloadavg()[0]:.1f}")
    parts = _parts(posts, size, args.locale)
    print(f"{'part':<16} {'CPU s':>9} {'us/post':>9} {'posts/s':>10}")
    for name in ("generate", "sample + plan", "scan: build", "scan: evaluate"):
        seconds = parts[name]
        print(f"{name:<16} {seconds:>9.2f} {seconds / posts * 1e6:>9.1f} {posts / seconds:>10,.0f}")
    scanned = parts["scan: build"] + parts["scan: evaluate"]
    print(f"{'scan':<16} {scanned:>9.2f} {scanned / posts * 1e6:>9.1f} {posts / scanned:>10,.0f}")
    print(f"candidate queries answered by the scan: {parts['candidates']:,}")
    wall, cpu = time.perf_counter(), time.process_time()
    workload = queries(count=posts, locale=args.locale, size=size)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total: {workload.summary.line()}")
    print(f"total: {cpu:.1f} CPU s, {wall:.1f} wall s, {len(workload) / cpu:,.0f} queries/s answered, "
          f"{posts / cpu:,.0f} posts/s; peak RSS {rss:,.0f} MB; load average {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
