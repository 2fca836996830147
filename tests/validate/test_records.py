"""File framing: the layout of a file is decided from more than its first line; arrays stream element by element."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.writer import write_corpus
from synth.validate.elements import elements
from synth.validate.options import make_options
from synth.validate.records import RAW_KEPT, Record, kept_raw, records, slimmed
from synth.validate.run import validate_paths

AS_OF = "2030-01-01"
COUNT = 3000


def _records(data: bytes, **kw: Any) -> list[Record]:
    return list(records(io.BytesIO(data), make_options(as_of=AS_OF, **kw)))


def _findings(path: Path, **kw: Any) -> list[tuple[int | None, str, str]]:
    found = validate_paths([str(path)], options=make_options(as_of=AS_OF, ignore=["R"], **kw))
    return [(f.line, f.code, f.path) for f in found]


SMALL_DOCUMENTS = {"max_document_bytes": 1 << 20}  # smaller than the test files, as 256 MiB was than the issue's


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    target = tmp_path_factory.mktemp("c") / "c.jsonl"
    write_corpus(str(target), count=COUNT, seed=5)
    return target.read_bytes()


@pytest.fixture(scope="module")
def array(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    target = tmp_path_factory.mktemp("c") / "c.json"
    write_corpus(str(target), count=COUNT, seed=5, fmt="json")
    return target.read_bytes()


def _with_line(data: bytes, number: int, line: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[number - 1] = line
    return b"\n".join(lines)


# ---- one bad first line never turns JSON Lines into a document ----

BROKEN_FIRST_LINES = [
    b'{"schema_version": 1, "id": "alphanode-0000',  # cut short
    b"{",
    b"{{{{",
    b'[{"oops": ',
    b"[",
    b"\xff\xfe{",
    b'{"a": 1} trailing',
]


@pytest.mark.parametrize("broken", BROKEN_FIRST_LINES)
def test_a_broken_first_line_leaves_every_other_record(tmp_path: Path, jsonl: bytes, broken: bytes) -> None:
    target = tmp_path / "c.jsonl"
    target.write_bytes(_with_line(jsonl, 1, broken))
    found = _findings(target, **SMALL_DOCUMENTS)
    assert len(_records(target.read_bytes(), **SMALL_DOCUMENTS)) == COUNT
    assert [line for line, _, _ in found] == [1]
    assert found[0][1] in {"P001", "P002", "P004"}


@pytest.mark.slow
def test_the_issue_example_62000_posts(tmp_path: Path) -> None:
    """The issue's own size, over the document bound of the time: 62,000 records, P001 on line 1."""
    target = tmp_path / "big.jsonl"
    write_corpus(str(target), count=62_000, seed=0, workers=2)
    data = target.read_bytes()
    target.write_bytes(b"{oops" + data[data.index(b"\n") :])
    result = CliRunner().invoke(app, ["validate", str(target), "--ignore", "R", "--format", "json"])
    findings = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [(f["line"], f["code"]) for f in findings] == [(1, "P001")]
    assert "checked 62,000 records in 1 file" in result.stderr


def test_a_broken_element_line_leaves_every_other_element(tmp_path: Path, array: bytes) -> None:
    target = tmp_path / "c.json"
    target.write_bytes(_with_line(array, 2, b'{"schema_version": 1, "id": "alpha'))
    assert _findings(target) == [(2, "P001", "$[0]")]
    assert len(_records(target.read_bytes())) == COUNT


def test_a_broken_bracket_line_of_an_element_a_line_array(tmp_path: Path, array: bytes) -> None:
    """The first line holds the bracket and a broken element: the elements on the next lines still count."""
    lines = array.split(b"\n")
    target = tmp_path / "c.json"
    target.write_bytes(b"\n".join([b'[{"schema_version": 1, "id": "alp', *lines[2:]]))
    found = _findings(target)
    assert found == [(1, "P001", "$[0]")]
    assert len(_records(target.read_bytes())) == COUNT


def test_an_element_a_line_array_keeps_its_lines_and_offsets(array: bytes) -> None:
    found = _records(array)
    lines = array.split(b"\n")
    assert [r.line for r in found] == list(range(2, COUNT + 2))
    assert [r.prefix for r in found] == [(k,) for k in range(COUNT)]
    assert [r.data for r in found] == [line.removesuffix(b",") for line in lines[1 : COUNT + 1]]
    assert all(array[r.offset :].startswith(r.data or b"?") for r in found)


def test_an_element_a_line_array_without_its_closing_bracket(tmp_path: Path, array: bytes) -> None:
    target = tmp_path / "cut.json"
    target.write_bytes(array[: array.rindex(b"\n]")] + b"\n")
    assert _findings(target) == [(COUNT + 1, "P004", "$")]


# ---- arrays in any layout: element by element, with the element's own line ----


def _posts(jsonl: bytes, n: int) -> list[Any]:
    return [orjson.loads(line) for line in jsonl.splitlines()[:n]]


@pytest.mark.parametrize(
    "dump",
    [
        lambda posts: json.dumps(posts).encode(),  # json.dumps(list)
        lambda posts: orjson.dumps(posts) + b"\n",  # jq -c -s .
        lambda posts: orjson.dumps(posts, option=orjson.OPT_INDENT_2),
        lambda posts: json.dumps(posts, indent="\t", ensure_ascii=False).encode(),
        lambda posts: b"[" + b",\n".join(map(orjson.dumps, posts)) + b"]",  # first element on the bracket line
    ],
)
def test_an_array_in_any_layout_is_read_element_by_element(tmp_path: Path, jsonl: bytes, dump: Any) -> None:
    posts = _posts(jsonl, 40)
    data = dump(posts)
    found = _records(data)
    assert [orjson.loads(r.data or b"null") for r in found] == posts
    assert [r.prefix for r in found] == [(k,) for k in range(40)]
    assert [r.line for r in found] == [data[: r.offset].count(b"\n") + 1 for r in found]
    target = tmp_path / "a.json"
    target.write_bytes(data)
    assert _findings(target) == []


def test_a_compact_array_of_elements_locates_each_one(jsonl: bytes) -> None:
    posts = _posts(jsonl, 30)
    data = orjson.dumps(posts)
    starts = [1 + sum(len(orjson.dumps(p)) + 1 for p in posts[:k]) for k in range(30)]  # "[" then "elem," each
    assert [r.offset for r in _records(data)] == starts


@pytest.mark.parametrize("data", [b"[]", b" [ ] \n", b"[\n]\n", b"[]\n\n"])
def test_an_empty_array_holds_no_record(data: bytes) -> None:
    assert _records(data) == []


def test_an_array_of_non_posts_gives_one_finding_an_element(tmp_path: Path) -> None:
    target = tmp_path / "n.json"
    target.write_bytes(b'[0, [], {}, "x"]')
    codes = [(f.line, f.code, f.path) for f in validate_paths([str(target)], options=make_options(as_of=AS_OF))]
    assert [c for c in codes if c[1] == "S003"] == [(1, "S003", "$[0]"), (1, "S003", "$[1]"), (1, "S003", "$[3]")]
    assert (1, "S001", "$[2].id") in codes


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"[1,,2]", [(1, "S003", "$[0]"), (1, "P001", "$[1]"), (1, "S003", "$[2]")]),
        (b"[1,]", [(1, "S003", "$[0]"), (1, "P001", "$[1]")]),
        (b"[1, 2", [(1, "S003", "$[0]"), (1, "S003", "$[1]"), (1, "P004", "$")]),
        (b"[1] [2]", [(1, "S003", "$[0]"), (1, "P001", "$")]),
        (b'[{"a": "b', [(1, "P004", "$[0]")]),
        (b"[\n  1,\n  {]\n", [(2, "S003", "$[0]"), (3, "P001", "$[1]"), (4, "P004", "$")]),
        (b'[\n  1,\n  {"a": [\n', [(2, "S003", "$[0]"), (3, "P004", "$[1]")]),
    ],
)
def test_a_broken_array_gives_located_findings(tmp_path: Path, data: bytes, expected: list[Any]) -> None:
    target = tmp_path / "b.json"
    target.write_bytes(data)
    found = [(f.line, f.code, f.path) for f in validate_paths([str(target)], options=make_options(as_of=AS_OF))]
    assert [f for f in found if f[1] != "S001"] == expected


def test_an_element_over_the_line_bound_is_skipped_and_flagged(tmp_path: Path) -> None:
    data = b'[1, "' + b"x" * 5000 + b'", 2]'
    found = _records(data, max_line_bytes=1000)
    assert [(r.prefix, r.issue) for r in found] == [((0,), None), ((1,), "P005"), ((2,), None)]
    assert found[1].offset == 4 and found[2].data == b"2"


def test_a_document_object_is_still_one_record(jsonl: bytes) -> None:
    post = _posts(jsonl, 1)[0]
    (record,) = _records(orjson.dumps(post, option=orjson.OPT_INDENT_2))
    assert record.obj == post


# ---- the element scanner against orjson, on any JSON array in any layout, read in tiny pieces ----

VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.text(alphabet=st.sampled_from('ab"\\[]{},:\n é\u2028\t')),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=20,
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(values=st.lists(VALUES, max_size=8), chunk=st.integers(1, 9), indent=st.sampled_from([None, 1, "\t"]))
def test_the_scanner_finds_every_element(values: list[Any], chunk: int, indent: Any) -> None:
    data = json.dumps(values, indent=indent, ensure_ascii=False).encode()
    found = list(elements(io.BytesIO(data), 1 << 20, chunk=chunk))
    assert [e.problem for e in found] == [None] * len(values)
    assert [orjson.loads(e.data or b"") for e in found] == values
    assert all(data[e.offset :].startswith(e.data or b"?") for e in found)
    assert [e.line for e in found] == [data[: e.offset].count(b"\n") + 1 for e in found]


# ---- what rejects keep of a record's bytes ----


def test_a_long_record_is_kept_as_its_start_and_a_digest() -> None:
    data = "é".encode() * 5000  # 10,000 bytes; a cut at 4096 would split a character
    kept = kept_raw(Record(1, 0, data))
    assert kept is not None and kept.startswith("é" * (RAW_KEPT // 2))
    assert kept.endswith(f"[cut: 10,000 bytes in all, sha256 {hashlib.sha256(data).hexdigest()}]")
    assert len(kept.encode()) < RAW_KEPT + 200
    slim = slimmed(Record(1, 0, data))
    assert slim.data is None and kept_raw(slim) == kept
    short = Record(1, 0, b'{"a": 1}')
    assert slimmed(short) is short and kept_raw(short) == '{"a": 1}'
