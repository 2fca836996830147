"""Workloads: the file format, determinism, the corpus sources, Zipf frequencies and the query log."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import orjson
import pytest

from synth.errors import InputError, UsageError
from synth.generation.assemble import batch_dicts
from synth.generation.parts import write_parts
from synth.generation.writer import write_corpus
from synth.load.importer import import_paths
from synth.schema.hash import seal
from synth.workload.kinds import SHARES, shares
from synth.workload.spec import KINDS
from synth.workload.workload import Workload, queries, read_workload


def _bytes(workload: Workload, tmp_path: Path, name: str = "w.jsonl") -> bytes:
    path = tmp_path / name
    workload.write(str(path))
    return path.read_bytes()


@pytest.fixture(scope="module")
def small() -> Workload:
    return queries(count=300, seed=4, size=200, query_seed=2)


def test_the_same_arguments_give_the_same_bytes(small: Workload, tmp_path: Path) -> None:
    again = queries(count=300, seed=4, size=200, query_seed=2)
    assert _bytes(small, tmp_path, "a") == _bytes(again, tmp_path, "b")
    other = queries(count=300, seed=4, size=200, query_seed=3)
    assert _bytes(other, tmp_path, "c") != _bytes(small, tmp_path, "a")


def test_each_line_is_a_query_with_its_answer_and_es_query(small: Workload, tmp_path: Path) -> None:
    lines = [orjson.loads(line) for line in _bytes(small, tmp_path).splitlines()]
    assert len(lines) == 200 and [line["id"] for line in lines] == [f"q{i:06d}" for i in range(1, 201)]
    for line in lines:
        assert set(line) == {"id", "kind", "query", "answer", "rank", "weight", "es_query"}
        assert line["es_query"]["track_total_hits"] is True
        assert ("ids" in line["answer"]) == (line["answer"]["count"] <= 1000)
    assert Counter(line["kind"] for line in lines) == shares(200)


def test_a_workload_file_reads_back_as_the_same_queries(small: Workload, tmp_path: Path) -> None:
    path = tmp_path / "w.jsonl.gz"
    small.write(str(path))
    assert list(read_workload(str(path))) == list(small)


def test_shares_add_up_and_give_every_kind_a_place() -> None:
    assert sum(SHARES.values()) == 100
    for size in (0, 1, 7, 8, 9, 100, 1999, 2000, 10_000):
        got = shares(size)
        assert sum(got.values()) == size
        if size >= len(KINDS):
            assert min(got.values()) >= 1
    assert shares(2000) == {k: 20 * v for k, v in SHARES.items()}


def test_weights_follow_zipf_over_a_permutation_of_ranks(small: Workload) -> None:
    ranks = sorted(q.rank for q in small)
    assert ranks == list(range(1, 201))
    by_rank = {q.rank: q.weight for q in small}
    assert sum(by_rank.values()) == pytest.approx(1.0)
    assert by_rank[1] / by_rank[2] == pytest.approx(2.0) and by_rank[1] / by_rank[10] == pytest.approx(10.0)


def test_the_query_log_repeats_queries_with_their_weights(small: Workload, tmp_path: Path) -> None:
    seen = Counter(q.rank for q in small.log(20_000, seed=1))
    expected = {q.rank: q.weight * 20_000 for q in small}
    for rank in (1, 2, 5):
        assert abs(seen[rank] - expected[rank]) < 5 * expected[rank] ** 0.5, rank
    assert seen[1] > seen[50] and sum(seen.values()) == 20_000
    path = tmp_path / "log.jsonl"
    small.write_log(str(path), 100, seed=1)
    first = orjson.loads(path.read_bytes().splitlines()[0])
    assert set(first) == {"n", "id", "kind", "query"} and first["n"] == 0
    assert [q.id for q in small.log(100, seed=1)] == [orjson.loads(x)["id"] for x in path.read_bytes().splitlines()]


def test_files_manifests_and_generation_give_the_same_workload(tmp_path: Path) -> None:
    write_corpus(str(tmp_path / "c.jsonl"), count=300, seed=4)
    manifest = write_parts(str(tmp_path / "parts"), count=300, parts=3, seed=4)
    assert manifest.count == 300
    generated = _bytes(queries(count=300, seed=4, size=120), tmp_path, "g")
    assert _bytes(queries(str(tmp_path / "c.jsonl"), size=120), tmp_path, "f") == generated
    assert _bytes(queries(str(tmp_path / "parts" / "manifest.json"), size=120), tmp_path, "m") == generated


def test_an_edition_generated_or_read_gives_the_same_workload(tmp_path: Path) -> None:
    write_corpus(str(tmp_path / "e3.jsonl"), count=300, seed=4, edition=3)
    generated = queries(count=300, seed=4, edition=3, size=100)
    assert list(queries(str(tmp_path / "e3.jsonl"), size=100)) == list(generated)
    assert generated.summary.posts == sum(1 for _ in (tmp_path / "e3.jsonl").open())


def test_invalid_records_are_skipped_as_the_importer_rejects_them(tmp_path: Path) -> None:
    corpus = tmp_path / "bad.jsonl"
    write_corpus(str(corpus), count=400, seed=1, invalid_rate=0.1)
    workload = queries(str(corpus), size=150, as_of="2030-01-01")
    imported = import_paths([str(corpus)], str(tmp_path / "bad.db"), rejects=str(tmp_path / "r.jsonl"))
    assert workload.summary.skipped == imported.counts.rejected > 0
    assert workload.summary.posts == imported.counts.inserted + imported.counts.updated
    assert "invalid records skipped" in workload.summary.line()


def test_a_repeated_post_id_is_an_error_naming_the_line(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    write_corpus(buffer, count=5, seed=1)
    lines = buffer.getvalue().splitlines()
    (tmp_path / "dup.jsonl").write_bytes(b"\n".join([*lines, lines[2]]) + b"\n")
    with pytest.raises(InputError, match=r"dup.jsonl:6: post id alphanode-000002 appears again"):
        queries(str(tmp_path / "dup.jsonl"), size=10)


def test_reuse_answers_the_same_queries_over_another_corpus(small: Workload) -> None:
    same = queries(count=300, seed=4, reuse=list(small))
    assert list(same) == list(small)
    bigger = queries(count=400, seed=4, reuse=list(small))
    assert [(q.id, q.clauses) for q in bigger] == [(q.id, q.clauses) for q in small][: len(bigger)]
    assert any(a.answer != b.answer for a, b in zip(bigger, small, strict=False))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"{not json", "w.jsonl:2: not JSON"),
        (b'{"id": "q1", "kind": "nope"}', "w.jsonl:2: not a workload query"),
        (b'{"id": "q1", "kind": "term", "query": {"terms": ["Upper"]}, "answer": {}}', "lower-case words"),
        (b'{"id": "q1", "kind": "term", "query": {"bogus": 1}, "answer": {}}', "the query must be an object"),
        (b'{"id": "q1", "kind": "filter", "query": {"filter": [{"field": "view_count", "gte": "1"}]}}', "gte and lte"),
        (b'{"id": "q1", "kind": "id", "query": {"id": "post-1"}}', "must be a post id"),
    ],
)
def test_a_bad_workload_line_is_an_error_naming_it(small: Workload, tmp_path: Path, line: bytes, message: str) -> None:
    first = orjson.dumps(small[0].as_dict())
    (tmp_path / "w.jsonl").write_bytes(first + b"\n" + line + b"\n")
    with pytest.raises(InputError, match=message):
        read_workload(str(tmp_path / "w.jsonl"))


@pytest.mark.parametrize(
    ("kwargs", "parameter"), [({"size": -1}, "size"), ({"max_ids": -2}, "max_ids"), ({"zipf": -1.0}, "zipf")]
)
def test_bad_arguments_name_their_parameter(kwargs: dict[str, object], parameter: str) -> None:
    with pytest.raises(UsageError) as info:
        queries(count=10, **kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == parameter


def test_an_empty_corpus_gives_an_empty_workload() -> None:
    assert len(queries(count=0, size=50)) == 0


def test_sparse_post_numbers_are_planned_quickly() -> None:
    posts = batch_dicts(0, 40, seed=1)
    for i, post in enumerate(posts):
        post["id"] = post["meta"]["payload"]["source_id"] = f"alphanode-{i * 10**9:06d}"
        seal(post)
    workload = queries(posts, size=40)  # the gaps between ids are not enumerated
    assert len(workload) == 40
    found = [q for q in workload if q.kind == "id" and q.answer.count]
    assert found and all(q.answer.ids == (q.clauses.id,) for q in found)


def test_every_kind_has_the_clauses_it_is_named_for(small: Workload) -> None:
    for q in small:
        c = q.clauses
        assert {
            "term": len(c.terms) == 1 and not c.filter,
            "all-terms": len(c.terms) >= 2 and not c.filter,
            "phrase": len(c.phrase) >= 2,
            "filter": bool(c.filter) and not c.terms,
            "term+filter": bool(c.terms) and bool(c.filter),
            "id": c.id is not None,
            "similar": c.linked_to is not None,
            "absent": q.answer.count == 0,
        }[q.kind], q
