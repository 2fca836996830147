"""Load-test feeds: _bulk bodies, Rally/OSB corpora (offset table, sizes, mapping), k6/JMeter rows."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import itertools
import json
import random
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
import zstandard

from synth.errors import SynthError, UsageError
from synth.feeds.bulk import write_bulk
from synth.feeds.k6 import FLAT_COLUMNS, flat_post, write_k6
from synth.feeds.rally import write_rally_corpus
from synth.generation.assemble import batch_json, post_id, post_json
from synth.schema.mapping import FACETS, index_mapping
from synth.schema.model import Post
from synth.validate.check import validate_post
from synth.validate.options import make_options

OPTIONS = make_options(as_of="2030-01-01", ignore=["R"])


def _read(path: str) -> bytes:
    data = Path(path).read_bytes()
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".zst"):
        return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()
    return data


def _pairs(body: bytes) -> list[tuple[dict[str, Any], bytes]]:
    """The (action, document line) pairs of a _bulk body, checking its shape on the way."""
    assert body.endswith(b"\n"), "a _bulk body must end with a newline"
    lines = body[:-1].split(b"\n")
    assert len(lines) % 2 == 0, "actions and documents alternate"
    return [(orjson.loads(lines[i]), lines[i + 1]) for i in range(0, len(lines), 2)]


# ---- bulk ----


@pytest.fixture(scope="module")
def bulk_parts(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("bulk") / "out"
    return write_bulk(str(folder), count=300, seed=3, start=40, index="posts-v1", max_docs=128)


def test_bulk_parts_alternate_actions_and_the_generator_s_documents(bulk_parts: list[str]) -> None:
    assert [Path(p).name for p in bulk_parts] == [f"posts-v1-{n:05d}.ndjson" for n in range(3)]
    pairs = [pair for part in bulk_parts for pair in _pairs(_read(part))]
    assert [len(_pairs(_read(p))) for p in bulk_parts] == [128, 128, 44]
    expected = batch_json(40, 300, seed=3)
    assert [doc for _, doc in pairs] == expected
    for number, (action, doc) in enumerate(pairs, 40):
        assert action == {"index": {"_index": "posts-v1", "_id": post_id(number)}}
        post = orjson.loads(doc)
        assert post["id"] == post_id(number)
        assert validate_post(post, options=OPTIONS) == []


def test_bulk_is_deterministic(bulk_parts: list[str], tmp_path: Path) -> None:
    again = write_bulk(str(tmp_path / "again"), count=300, seed=3, start=40, index="posts-v1", max_docs=128)
    assert [_read(p) for p in again] == [_read(p) for p in bulk_parts]


@pytest.mark.parametrize("compress", ["gz", "zst"])
def test_bulk_compressed_parts_hold_the_same_bodies(compress: Any, tmp_path: Path) -> None:
    plain = write_bulk(str(tmp_path / "plain"), count=30, max_docs=20)
    packed = write_bulk(str(tmp_path / "packed"), count=30, max_docs=20, compress=compress)
    assert all(p.endswith(f".ndjson.{compress}") for p in packed)
    assert [_read(p) for p in packed] == [_read(p) for p in plain]
    again = write_bulk(str(tmp_path / "again"), count=30, max_docs=20, compress=compress)
    assert [Path(p).read_bytes() for p in again] == [Path(p).read_bytes() for p in packed]  # byte-identical


def test_bulk_max_bytes_packs_whole_pairs_up_to_the_limit(tmp_path: Path) -> None:
    limit = 40_000
    parts = write_bulk(str(tmp_path / "b"), count=120, seed=1, max_docs=None, max_bytes=limit)
    bodies = [_read(p) for p in parts]
    assert len(bodies) > 5
    assert all(0 < len(body) <= limit for body in bodies)
    for body, following in itertools.pairwise(bodies):
        first_action, first_doc = _pairs(following)[0]
        next_pair = len(orjson.dumps(first_action)) + len(first_doc) + 2
        assert len(body) + next_pair > limit  # greedy: the next pair did not fit
    docs = [doc for body in bodies for _, doc in _pairs(body)]
    assert docs == batch_json(0, 120, seed=1)


def test_bulk_both_limits_and_create_op(tmp_path: Path) -> None:
    parts = write_bulk(str(tmp_path / "c"), count=50, op_type="create", max_docs=7, max_bytes=25_000)
    counts = [len(_pairs(_read(p))) for p in parts]
    assert sum(counts) == 50 and max(counts) <= 7
    assert all(len(_read(p)) <= 25_000 for p in parts)
    action, _ = _pairs(_read(parts[0]))[0]
    assert action == {"create": {"_index": "alphanode", "_id": "alphanode-000000"}}


def test_bulk_single_file_and_stdout(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    target = str(tmp_path / "one.ndjson.gz")
    assert write_bulk(target, count=12) == [target]
    body = _read(target)
    assert [doc for _, doc in _pairs(body)] == batch_json(0, 12)
    assert write_bulk("-", count=12, max_docs=None) == ["-"]
    assert capsysbinary.readouterr().out == body


@pytest.mark.parametrize(
    ("target", "options", "message"),
    [
        ("dir", {"index": "Posts"}, "not a valid index name"),
        ("dir", {"index": "_posts"}, "not a valid index name"),
        ("dir", {"index": "a b"}, "not a valid index name"),
        ("dir", {"op_type": "update"}, "not index or create"),
        ("dir", {"count": -1}, "count -1 is negative"),
        ("dir", {"max_bytes": 100}, "more than max_bytes"),
        ("dir", {"compress": "bz2"}, "not gz or zst"),
        ("dir", {"seed": -1}, "out of range"),
        ("dir", {"locale": "xx"}, "unknown locale"),
        ("one.ndjson", {"count": 20, "max_docs": 10}, "would split"),
        ("one.ndjson", {"max_bytes": 10_000_000}, "would split"),
        ("one.ndjson", {"compress": "gz"}, "does not match"),
        ("one.ndjson", {"compress": "bz2"}, "not gz or zst"),
        ("dir", {"max_docs": -1}, "negative"),
    ],
)
def test_bulk_bad_arguments_are_usage_errors(
    target: str, options: dict[str, Any], message: str, tmp_path: Path
) -> None:
    arguments: dict[str, Any] = {"count": 5, **options}
    with pytest.raises(SynthError, match=message) as caught:
        write_bulk(str(tmp_path / target), **arguments)
    assert "To resolve this error" in str(caught.value)


# ---- Rally / OSB ----


@pytest.fixture(scope="module")
def rally(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rally") / "track"
    write_rally_corpus(str(folder), count=1100, seed=5, start=7, offset_interval=100)
    return folder


def test_track_counts_and_sizes_match_the_files(rally: Path) -> None:
    track = json.loads((rally / "track.json").read_text())
    [corpus] = track["corpora"]
    [documents] = corpus["documents"]
    archive = rally / documents["source-file"]
    data = bz2.decompress(archive.read_bytes())
    assert documents["document-count"] == data.count(b"\n") == 1100
    assert documents["compressed-bytes"] == archive.stat().st_size
    assert documents["uncompressed-bytes"] == len(data) == (rally / "documents.json").stat().st_size
    assert data == (rally / "documents.json").read_bytes()
    assert documents["target-index"] == track["indices"][0]["name"] == "alphanode"
    assert track["version"] == 2 and track["indices"][0]["body"] == "index.json"
    operations = [task["operation"]["operation-type"] for task in track["schedule"]]
    assert operations == ["delete-index", "create-index", "cluster-health", "bulk"]
    assert track["schedule"][-1] == {
        "name": "index-append",
        "operation": {"operation-type": "bulk", "bulk-size": 5000},
        "clients": 2,
    }
    assert len({task["name"] for task in track["schedule"]}) == len(track["schedule"])


def _skip_to(data_file: io.BufferedReader, table: Path, lines_to_skip: int) -> None:
    """What Rally's skip_lines does: seek to the closest offset entry at or before, then read on."""
    offset, remaining = 0, lines_to_skip
    for entry in table.read_text().splitlines():
        line_number, byte_offset = (int(part) for part in entry.split(";"))
        if line_number <= lines_to_skip:
            offset, remaining = byte_offset, lines_to_skip - line_number
    data_file.seek(offset)
    for _ in range(remaining):
        data_file.readline()


def test_offset_table_seeks_to_any_document_of_the_decompressed_file(rally: Path, tmp_path: Path) -> None:
    table = rally / "documents.json.offset"
    entries = table.read_text().splitlines()
    assert all(re.fullmatch(r"\d+;\d+", entry) for entry in entries)
    assert [int(e.split(";")[0]) for e in entries] == list(range(100, 1101, 100))
    # decompress the archive as Rally does (documents.json next to it), then seek with the table
    unpacked = tmp_path / "documents.json"
    unpacked.write_bytes(bz2.decompress((rally / "documents.json.bz2").read_bytes()))
    picks = [0, 99, 100, 101, 1099, *random.Random(11).sample(range(1100), 25)]
    with unpacked.open("rb") as data_file:
        for line in picks:
            _skip_to(data_file, table, line)
            document = data_file.readline()
            assert document == post_json(7 + line, seed=5) + b"\n"
    for entry in entries:  # each entry points at the start of the line after that many lines
        line_number, byte_offset = (int(part) for part in entry.split(";"))
        assert unpacked.read_bytes()[:byte_offset].count(b"\n") == line_number


def test_offset_table_is_not_older_than_the_documents(rally: Path) -> None:
    assert (rally / "documents.json.offset").stat().st_mtime_ns >= (rally / "documents.json").stat().st_mtime_ns


def test_test_mode_file_holds_the_first_thousand_posts(rally: Path) -> None:
    sample = bz2.decompress((rally / "documents-1k.json.bz2").read_bytes())
    assert sample == (rally / "documents.json").read_bytes()[: len(sample)]
    assert sample.count(b"\n") == 1000


def test_small_corpus_default_interval_and_no_test_mode_file(tmp_path: Path) -> None:
    track = write_rally_corpus(str(tmp_path / "t"), count=20, keep_uncompressed=False)
    assert (tmp_path / "t" / "documents.json.offset").read_bytes() == b""  # fewer lines than 50,000
    assert not (tmp_path / "t" / "documents-1k.json.bz2").exists()
    assert not (tmp_path / "t" / "documents.json").exists()
    assert track.document_count == 20
    assert track.compressed_bytes == (tmp_path / "t" / "documents.json.bz2").stat().st_size
    assert all(Path(f).exists() for f in track.files)


def test_osb_workload_and_determinism(tmp_path: Path) -> None:
    options: dict[str, Any] = {"count": 40, "seed": 2, "index": "posts", "corpus": "c"}
    first = write_rally_corpus(str(tmp_path / "a"), flavour="osb", base_url="https://example.invalid/c", **options)
    second = write_rally_corpus(str(tmp_path / "b"), flavour="osb", base_url="https://example.invalid/c", **options)
    assert Path(first.spec).name == "workload.json"
    assert [Path(f).name for f in first.files] == [Path(f).name for f in second.files]
    assert [Path(f).read_bytes() for f in first.files] == [Path(f).read_bytes() for f in second.files]
    workload = json.loads(Path(first.spec).read_text())
    [corpus] = workload["corpora"]
    assert corpus["name"] == "c" and corpus["base-url"] == "https://example.invalid/c"
    assert corpus["documents"][0]["document-count"] == 40
    assert corpus["documents"][0]["uncompressed-bytes"] == first.uncompressed_bytes
    assert (tmp_path / "a" / "files.txt").read_text() == "documents.json.bz2\n"
    assert "schedule" in workload and "challenges" not in workload


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"flavour": "jmeter"}, "not rally or osb"),
        ({"count": 0}, "count of 1 or more"),
        ({"bulk_size": 0}, "not positive"),
        ({"index": "A"}, "not a valid index name"),
        ({"corpus": "my corpus"}, "not usable"),
        ({"shards": 0}, "shards"),
    ],
)
def test_rally_bad_arguments(options: dict[str, Any], message: str, tmp_path: Path) -> None:
    arguments: dict[str, Any] = {"count": 3, **options}
    with pytest.raises(UsageError, match=message):
        write_rally_corpus(str(tmp_path / "t"), **arguments)


# ---- the mapping ----


def _leaf_paths(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        return {p for key, item in value.items() for p in _leaf_paths(item, f"{prefix}{key}.")}
    if isinstance(value, list):
        return {p for item in value for p in _leaf_paths(item, prefix)}
    return {prefix[:-1]}


def _mapped(mapping: dict[str, Any], path: str) -> dict[str, Any]:
    node: dict[str, Any] = mapping
    for part in path.split("."):
        node = node["properties"][part]
    return node


def test_index_json_maps_every_field_of_the_posts(rally: Path) -> None:
    body = json.loads((rally / "index.json").read_text())
    mapping = body["mappings"]
    assert mapping == index_mapping() and mapping["dynamic"] == "strict"
    assert set(mapping["properties"]) == set(Post.model_fields)
    paths = set().union(*(_leaf_paths(orjson.loads(doc)) for doc in batch_json(0, 200, seed=5)))
    assert all("type" in _mapped(mapping, path) for path in paths)


def test_mapping_types_follow_the_model() -> None:
    mapping = index_mapping()
    expected = {
        "id": "keyword",
        "similar_posts": "keyword",
        "meta.hash": "keyword",
        "meta.tools": "keyword",
        "meta.code_language": "keyword",
        "meta.difficulty": "keyword",
        "meta.revision.status": "keyword",
        "meta.revision.version": "keyword",
        "meta.reference": "keyword",
        "meta.image_sources.url": "keyword",
        "meta.entities.type": "keyword",
        "sections.kind": "keyword",
        "title": "text",
        "intro": "text",
        "sections.paragraphs": "text",
        "meta.summary": "text",
        "meta.ai_brief": "text",
        "meta.notes": "text",
        "meta.view_count": "long",
        "meta.payload.seed": "long",
        "meta.reading_time": "integer",
        "meta.score.quality": "integer",
        "meta.revision.last_reviewed": "date",
        "meta.flags.image_heavy": "boolean",
        "meta.entities": "nested",
        "meta.image_sources": "nested",
    }
    assert {path: _mapped(mapping, path)["type"] for path in expected} == expected
    assert all(_mapped(mapping, path)["type"] == "keyword" for path in FACETS)
    assert _mapped(mapping, "title")["fields"]["keyword"] == {"type": "keyword", "ignore_above": 300}
    assert "fields" not in _mapped(mapping, "intro")


# ---- k6 / JMeter ----


def _as_csv(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def test_k6_csv_parses_back_and_matches_the_json_array(tmp_path: Path) -> None:
    csv_path, json_path = tmp_path / "posts.csv", tmp_path / "posts.json"
    summary = write_k6(str(csv_path), count=120, seed=4, start=3)
    assert summary.posts == 120 and summary.bytes == csv_path.stat().st_size
    write_k6(str(json_path), count=120, seed=4, start=3, fmt="json")
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    assert tuple(header) == FLAT_COLUMNS
    assert len(rows) == 120
    objects = json.loads(json_path.read_text())
    assert len(objects) == 120
    posts = [orjson.loads(doc) for doc in batch_json(3, 120, seed=4)]
    for row, obj, post in zip(rows, objects, posts, strict=True):
        assert obj == flat_post(post)
        assert row == [_as_csv(obj[column]) for column in FLAT_COLUMNS]
        assert row[0] == post["id"] and obj["tools"].split("|") == post["meta"]["tools"]
    assert any('"' in cell or "," in cell for row in rows for cell in row)  # quoting was exercised


def test_k6_with_post_column_determinism_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    write_k6(str(path), count=5, with_post=True)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["post"].encode() for row in rows] == batch_json(0, 5)
    first = path.read_bytes()
    write_k6(str(path), count=5, with_post=True)
    assert path.read_bytes() == first
    write_k6(str(tmp_path / "e.csv"), count=0)
    assert (tmp_path / "e.csv").read_text().strip() == ",".join(FLAT_COLUMNS)
    write_k6(str(tmp_path / "e.json"), count=0, fmt="json")
    assert json.loads((tmp_path / "e.json").read_text()) == []


def test_k6_bad_format(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not csv or json"):
        write_k6(str(tmp_path / "x"), count=1, fmt="xml")  # type: ignore[arg-type]
