"""Corpus statistics behind the README's figures: how varied and how realistic a corpus is.

    python benchmarks/corpus_stats.py [--count 1000000] [--seed 0] [--locale en_US]

Prints the number of distinct titles, intros and bodies (the three sections), distinct
problems and stacks, and the distributions of view counts, images, paragraphs, reading time
and post size, plus the rank-frequency of the free-text vocabulary (a Zipf law shows as a
roughly constant rank x frequency). Nothing here is timed.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
from collections import Counter

import orjson

from synth.generation.assemble import batch_json


def _quantiles(values: list[int]) -> str:
    values.sort()
    picks = [(q, values[min(len(values) - 1, int(q * len(values)))]) for q in (0.5, 0.9, 0.99, 0.999)]
    return ", ".join(f"p{q * 100:g}={v:,}" for q, v in picks) + f", max={values[-1]:,}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--locale", default="en_US")
    args = parser.parse_args()

    titles: set[bytes] = set()
    intros: set[bytes] = set()
    bodies: set[bytes] = set()
    problems: set[str] = set()
    stacks: set[str] = set()
    views: list[int] = []
    sizes: list[int] = []
    reading: list[int] = []
    images: Counter[int] = Counter()
    paragraphs: Counter[int] = Counter()
    words: Counter[str] = Counter()
    for first in range(0, args.count, 1000):
        for line in batch_json(first, min(1000, args.count - first), seed=args.seed, locale=args.locale):
            post = orjson.loads(line)
            meta = post["meta"]
            titles.add(hashlib.blake2b(post["title"].encode(), digest_size=12).digest())
            intros.add(hashlib.blake2b(post["intro"].encode(), digest_size=12).digest())
            bodies.add(hashlib.blake2b(orjson.dumps(post["sections"]), digest_size=12).digest())
            problems.add(meta["ai_outline"]["problem"])
            stacks.add(meta["ai_outline"]["stack"])
            views.append(meta["view_count"])
            sizes.append(len(line) + 1)
            reading.append(meta["reading_time"])
            images[len(post["images"])] += 1
            paragraphs[meta["payload"]["paragraphs"]] += 1
            if first < 100_000:
                for section in post["sections"]:
                    for text in section.get("paragraphs", []):
                        words.update(text.split())
    n = args.count
    print(f"posts                 {n:,} (seed {args.seed}, locale {args.locale})")
    print(f"distinct titles       {len(titles):,} ({len(titles) / n:.1%})")
    print(f"distinct intros       {len(intros):,} ({len(intros) / n:.1%})")
    print(f"distinct bodies       {len(bodies):,} ({len(bodies) / n:.1%})")
    print(f"distinct problems     {len(problems):,}   stacks {len(stacks):,}")
    print(f"post bytes            mean {statistics.fmean(sizes):,.0f}; {_quantiles(sizes)}")
    print(f"view count            {_quantiles(views)}")
    print(f"reading time (min)    {_quantiles(reading)}")
    print(f"images per post       {dict(sorted(images.items()))}")
    print(f"body paragraphs       {dict(sorted(paragraphs.items()))}")
    ranked = words.most_common()
    print(f"free-text vocabulary  {len(ranked):,} distinct tokens in the first 100k posts")
    for rank in (1, 10, 100, 1000, 3000):
        if rank <= len(ranked):
            word, freq = ranked[rank - 1]
            print(f"  rank {rank:>5}  freq {freq:>9,}  rank*freq {rank * freq:>11,}  {word}")


if __name__ == "__main__":
    main()
