"""Editions: streamed in bounded memory, with links dropped exactly where their target left the edition."""

from __future__ import annotations

import itertools
import time
import tracemalloc

import orjson
import pytest

from synth.generation.assemble import batch_json
from synth.generation.edition import edition_lines, edition_members


@pytest.mark.parametrize(("count", "edition", "seed"), [(3000, 2, 0), (1000, 4, 7), (20, 6, 3), (0, 3, 0)])
def test_presence_is_membership_of_the_edition(count: int, edition: int, seed: int) -> None:
    from synth.generation.edition import present_in  # noqa: PLC0415 - the other tests run on any version

    members = {m.index for m in edition_members(count, edition, seed)}
    end = max(members, default=0) + 50  # past the last post of the edition, too
    mask = present_in(count, edition, 0, end, seed)
    assert {i for i in range(end) if mask[i]} == members
    window = present_in(count, edition, count - 7, count + 7, seed)  # across the base and the first added posts
    assert [bool(v) for v in window] == [i in members for i in range(count - 7, count + 7)]


@pytest.mark.parametrize(("count", "edition"), [(2500, 2), (1500, 4)])
def test_links_are_dropped_exactly_where_their_target_is_gone(count: int, edition: int) -> None:
    members = [m.index for m in edition_members(count, edition, 0)]
    present = set(members)
    total = max(members) + 1
    base = {i: orjson.loads(line) for i, line in enumerate(batch_json(0, total))}
    lines = [orjson.loads(line) for line in edition_lines(count, edition)]
    assert [post["id"] for post in lines] == [f"alphanode-{i:06d}" for i in members]
    for index, post in zip(members, lines, strict=True):  # the oracle: the base post's links, filtered by a set
        assert post["similar_posts"] == [s for s in base[index]["similar_posts"] if int(s[10:]) in present]


def test_a_huge_edition_streams_its_first_lines_in_bounded_memory() -> None:
    tracemalloc.start()
    began = time.perf_counter()
    try:
        first = list(itertools.islice(edition_lines(2_000_000, 2), 600))  # two batches
        seconds = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [orjson.loads(line)["id"] for line in first[:2]] == ["alphanode-000000", "alphanode-000001"]
    assert peak < 30 << 20, f"{peak / 2**20:.0f} MiB for the first lines"  # not a list of every member and a set
    assert seconds < 20
