"""The validator: located findings, exact match with the labelled invalid corpus, hostile input."""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.assemble import batch_json, post_dict
from synth.generation.defects import KINDS
from synth.generation.writer import write_corpus
from synth.schema.model import Post
from synth.validate.check import check_record, validate_post
from synth.validate.options import Options, make_options
from synth.validate.rules import RULES
from synth.validate.run import validate_file, validate_paths
from tests.conftest import SHARED, first_then_slow

runner = CliRunner()
AS_OF = "2030-01-01"


def _options(**kw: Any) -> Options:
    return make_options(as_of=AS_OF, **kw)


def _findings(path: Path, **kw: Any) -> list[tuple[int | None, str]]:
    return [(f.line, f.code) for f in validate_paths([str(path)], options=_options(**kw))]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    target = tmp_path / name
    target.write_bytes(data)
    return target


# ---- the labelled invalid corpus ----


def _truth(path: Path) -> set[tuple[int, str]]:
    return {(d["line"], d["code"]) for d in map(orjson.loads, path.read_bytes().splitlines())}


def test_findings_match_the_truth_file_exactly(tmp_path: Path) -> None:
    corpus, truth = tmp_path / "bad.jsonl", tmp_path / "truth.jsonl"
    count, rate = 6000, 0.05
    write_corpus(str(corpus), count=count, seed=0, invalid_rate=rate, truth=str(truth))
    expected = _truth(truth)
    found = _findings(corpus)
    assert len(found) == len(set(found)), "one finding per defect"
    assert set(found) == expected
    assert len(expected) > count * rate * 0.8
    assert {code for _, code in expected} >= {k.code for k in KINDS if k.needs != "last"}


def test_every_defect_kind_including_the_last_line(tmp_path: Path) -> None:
    corpus, truth = tmp_path / "all.jsonl", tmp_path / "truth.jsonl"
    write_corpus(str(corpus), count=1500, seed=3, invalid_rate=1.0, truth=str(truth))
    expected = _truth(truth)
    assert {code for _, code in expected} == {k.code for k in KINDS} - {"P004"} | ({"P004"} & {c for _, c in expected})
    assert set(_findings(corpus)) == expected


def test_truncated_last_line(tmp_path: Path) -> None:
    lines = batch_json(0, 3)
    target = _write(tmp_path, "t.jsonl", lines[0] + b"\n" + lines[1] + b"\n" + lines[2][:100])
    assert _findings(target) == [(3, "P004")]


def test_the_invalid_corpus_is_deterministic_and_worker_independent(tmp_path: Path) -> None:
    outputs = []
    for workers in (1, 2):
        corpus, truth = tmp_path / f"c{workers}.jsonl", tmp_path / f"t{workers}.jsonl"
        write_corpus(str(corpus), count=1200, seed=8, invalid_rate=0.1, truth=str(truth), workers=workers, chunk=100)
        outputs.append((corpus.read_bytes(), truth.read_bytes()))
    assert outputs[0] == outputs[1]


# ---- valid input in every layout ----


@pytest.fixture(scope="module")
def clean_lines() -> list[bytes]:
    return batch_json(0, 600, seed=12)


def test_clean_jsonl_has_no_finding(tmp_path: Path, clean_lines: list[bytes]) -> None:
    assert _findings(_write(tmp_path, "c.jsonl", b"\n".join(clean_lines) + b"\n")) == []


def test_missing_final_newline_is_fine(tmp_path: Path, clean_lines: list[bytes]) -> None:
    assert _findings(_write(tmp_path, "c.jsonl", b"\n".join(clean_lines))) == []


def test_json_array_one_element_a_line(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    write_corpus(str(target), count=300, seed=12, fmt="json")
    assert _findings(target) == []


def test_pretty_printed_array_and_object(tmp_path: Path, clean_lines: list[bytes]) -> None:
    posts = [orjson.loads(line) for line in clean_lines[:20]]
    array = _write(tmp_path, "p.json", orjson.dumps(posts, option=orjson.OPT_INDENT_2))
    single = _write(tmp_path, "o.json", orjson.dumps(posts[0], option=orjson.OPT_INDENT_2))
    assert _findings(array) == []
    assert _findings(single) == []
    posts[3]["meta"]["score"]["depth"] = 101
    data = orjson.dumps(posts, option=orjson.OPT_INDENT_2)
    broken = _write(tmp_path, "b.json", data)
    found = list(validate_paths([str(broken)], options=_options(ignore=["R003"])))  # links to post 3 now dangle
    lines = data.split(b"\n")
    starts = [n for n, line in enumerate(lines) if line == b"  {"]  # where each element begins (0-based lines)
    assert [(f.line, f.code, f.path) for f in found] == [(starts[3] + 1, "S004", "$[3].meta.score.depth")]
    assert found[0].offset == sum(len(line) + 1 for line in lines[: starts[3]]) + 2  # the element's "{"


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_compressed_input(tmp_path: Path, clean_lines: list[bytes], suffix: str) -> None:
    raw = b"\n".join(clean_lines) + b"\n" + b"{}\n"
    data = gzip.compress(raw) if suffix.endswith("gz") else zstandard.ZstdCompressor().compress(raw)
    found = _findings(_write(tmp_path, "c" + suffix, data))
    assert found and all(line == 601 and code == "S001" for line, code in found)


def test_stdin() -> None:
    data = b"\n".join(batch_json(0, 5)) + b"\n[]\n"
    result = runner.invoke(app, ["validate", "-", "--as-of", AS_OF], input=data)
    assert result.exit_code == 1
    assert result.stdout.startswith("-:6:")


# ---- locations ----


def test_offsets_point_at_line_starts(tmp_path: Path, clean_lines: list[bytes]) -> None:
    lines = clean_lines[:50]
    bad = orjson.loads(lines[30])
    bad["meta"]["topic"] = "x"
    lines[30] = orjson.dumps(bad)
    data = b"\n".join(lines) + b"\n"
    target = _write(tmp_path, "o.jsonl", data)
    (finding,) = [f for f in validate_paths([str(target)], options=_options()) if f.code == "C001"]
    assert finding.line == 31
    assert finding.offset == data.index(lines[30])
    assert finding.id == bad["id"]
    assert finding.path == "$.meta.topic"


def test_invalid_utf8_offset_is_the_bad_byte(tmp_path: Path) -> None:
    data = b'{"ok": 1}\n{"title": "caf\xe9"}\n'
    (finding,) = validate_paths([str(_write(tmp_path, "u.jsonl", data))], options=_options(select=["P"]))
    assert (finding.line, finding.code, finding.offset) == (2, "P002", data.index(b"\xe9"))


def test_every_schema_error_is_reported(tmp_path: Path) -> None:
    post = post_dict(4)
    post["title"] = ""
    post["meta"]["score"]["quality"] = 500
    post["meta"]["difficulty"] = "medium"
    post["surprise"] = True
    codes = {(f.code, f.path) for f in validate_post(post, options=_options())}
    assert codes == {
        ("S007", "$.title"),
        ("S004", "$.meta.score.quality"),
        ("S006", "$.meta.difficulty"),
        ("S002", "$.surprise"),
    }


def test_sample_page_breaks_only_the_hash_rule(sample: dict[str, Any]) -> None:
    assert [f.code for f in validate_post(sample, options=_options())] == ["C014"]


@pytest.mark.parametrize(
    ("edit", "code", "path"),
    [
        (lambda p: p["meta"].update(topic="a / b"), "C001", "$.meta.topic"),
        (lambda p: p["meta"]["ai_outline"].update(context="for fun"), "C002", "$.meta.ai_outline.context"),
        (lambda p: p["meta"]["payload"].update(paragraphs=99), "C004", "$.meta.payload.paragraphs"),
        (lambda p: p["meta"].update(code_language="cobol"), "C012", "$.meta.code_language"),
        (lambda p: p["meta"]["revision"].update(last_reviewed="2031-01-01"), "C015", "$.meta.revision.last_reviewed"),
        (
            lambda p: p["similar_posts"].append(p["id"]),
            "C016",
            f"$.similar_posts[{len(post_dict(9)['similar_posts'])}]",
        ),
    ],
)
def test_consistency_rules_locate_the_field(edit: Any, code: str, path: str) -> None:
    post = post_dict(9)
    edit(post)
    found = [(f.code, f.path) for f in validate_post(post, options=_options()) if f.code != "C014"]
    assert found == [(code, path)]


# ---- corpus rules ----


def test_corpus_rules_span_files(tmp_path: Path, clean_lines: list[bytes]) -> None:
    first = _write(tmp_path, "1.jsonl", b"\n".join(clean_lines[:300]) + b"\n")
    second = _write(tmp_path, "2.jsonl", b"\n".join(clean_lines[300:]) + b"\n")
    assert list(validate_paths([str(first), str(second)], options=_options())) == []
    only_second = [f.code for f in validate_paths([str(second)], options=_options())]
    assert only_second and set(only_second) == {"R003"}


def test_duplicate_ids_across_files(tmp_path: Path, clean_lines: list[bytes]) -> None:
    first = _write(tmp_path, "1.jsonl", clean_lines[0] + b"\n")
    again = _write(tmp_path, "2.jsonl", clean_lines[0] + b"\n")
    found = [(f.file, f.code) for f in validate_paths([str(first), str(again)], options=_options())]
    assert found == [(str(again), "R001")]


# ---- selection, limits, exit codes, output ----


def test_select_and_ignore(tmp_path: Path) -> None:
    corpus = tmp_path / "bad.jsonl"
    write_corpus(str(corpus), count=3000, seed=1, invalid_rate=0.2)
    everything = _findings(corpus)
    only_c = _findings(corpus, select=["C"])
    no_c = _findings(corpus, ignore=["C"])
    assert only_c and all(code.startswith("C") for _, code in only_c)
    assert sorted(only_c + no_c) == sorted(everything)
    assert _findings(corpus, select=["C014"]) == [f for f in only_c if f[1] == "C014"]


def test_unknown_code_is_a_usage_error() -> None:
    result = runner.invoke(app, ["validate", "x.jsonl", "--select", "Z9"])
    assert result.exit_code == 2
    assert (
        result.stderr
        == "synth: error: unknown rule code Z9. To resolve this error, run `synth rules` to list the codes\n"
    )


def test_missing_file_is_exit_2() -> None:
    result = runner.invoke(app, ["validate", "/nonexistent/posts.jsonl"])
    assert result.exit_code == 2
    assert result.stderr == (
        "synth: error: cannot read /nonexistent/posts.jsonl: No such file or directory. "
        "To resolve this error, check the path and its permissions\n"
    )


def test_max_errors_stops_early(tmp_path: Path) -> None:
    corpus = tmp_path / "bad.jsonl"
    write_corpus(str(corpus), count=2000, seed=1, invalid_rate=0.3)
    result = runner.invoke(app, ["validate", str(corpus), "--max-errors", "5", "--format", "json", "--as-of", AS_OF])
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 5
    assert "stopped early (--max-errors)" in result.stderr


def test_json_format_keys_and_exit_codes(tmp_path: Path, clean_lines: list[bytes]) -> None:
    good = _write(tmp_path, "g.jsonl", b"\n".join(clean_lines[:10]) + b"\n")
    ok = runner.invoke(app, ["validate", str(good), "--format", "json"])
    assert (ok.exit_code, ok.stdout) == (0, "")
    assert ok.stderr == "checked 10 records in 1 file: all valid\n"
    bad = _write(tmp_path, "b.jsonl", b"\n".join(clean_lines[:10]) + b"\nnot json\n")
    result = runner.invoke(app, ["validate", str(bad), "--format", "json"])
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert json.loads(line) == {
        "file": str(bad),
        "line": 11,
        "offset": len(b"\n".join(clean_lines[:10])) + 1,
        "id": None,
        "path": "$",
        "code": "P001",
        "message": "invalid JSON: invalid literal, expected 'null' at column 1",
    }


def test_text_format(tmp_path: Path, clean_lines: list[bytes]) -> None:
    bad = _write(tmp_path, "b.jsonl", b"\n\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert result.stdout == (
        f"{bad}:1:0: P003 $: empty line\n{bad}:2:1: P003 $: empty line\n"
        "checked 2 records in 1 file: 2 errors, 0 warnings\n  P003 empty-line                      2\n"
    )


def test_line_bound(tmp_path: Path, clean_lines: list[bytes]) -> None:
    data = clean_lines[0] + b"\n" + b"[" + b" " * 5000 + b"]\n" + clean_lines[1] + b"\n"
    target = _write(tmp_path, "l.jsonl", data)
    found = [
        (f.line, f.code, f.offset)
        for f in validate_paths([str(target)], options=make_options(max_line_bytes=4096, as_of=AS_OF))
    ]
    assert found == [(2, "P005", len(clean_lines[0]) + 1)]


def test_workers_give_the_same_findings(tmp_path: Path) -> None:
    corpus = tmp_path / "bad.jsonl"
    write_corpus(str(corpus), count=3000, seed=5, invalid_rate=0.1)
    serial = list(validate_paths([str(corpus)], options=_options()))
    parallel = list(validate_paths([str(corpus)], options=_options(), workers=2))
    assert parallel == serial


def test_rules_command_lists_every_code() -> None:
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == list(RULES)


# ---- hostile input ----

SUITE = sorted((SHARED / "corpora" / "jsontestsuite").glob("*.json"))


@pytest.mark.skipif(not SUITE, reason="shared/corpora/jsontestsuite is not beside the checkout")
def test_json_test_suite_ends_in_parse_or_schema_findings() -> None:
    assert len(SUITE) > 300
    for path in SUITE:
        found = list(validate_file(str(path), options=_options()))
        assert found or path.read_bytes().strip() == b"[]", path.name  # an empty array holds no record
        assert all(f.code[0] in "PS" for f in found), (path.name, found)
        assert all(f.path.startswith("$") and f.line is not None for f in found)


@pytest.mark.skipif(not SUITE, reason="shared/corpora/jsontestsuite is not beside the checkout")
def test_json_test_suite_through_the_command_exits_1() -> None:
    result = runner.invoke(app, ["validate", *map(str, SUITE), "--format", "json"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


NAUGHTY = SHARED / "corpora" / "naughty-strings" / "blns.json"
FREE_TEXT = [
    ("title",),
    ("intro",),
    ("sections", 0, "paragraphs", 0),
    ("sections", 1, "items", 0),
    ("meta", "summary"),
    ("meta", "ai_brief"),
    ("meta", "ai_outline", "recommended_action"),
    ("meta", "notes", 0),
    ("images", 0, "caption"),
]


@pytest.mark.skipif(not NAUGHTY.exists(), reason="shared/corpora/naughty-strings is not beside the checkout")
@pytest.mark.parametrize("every_field", first_then_slow(False, True), ids=["a-field-each", "every-field-each"])
def test_naughty_strings_in_every_free_text_field(every_field: bool) -> None:
    """Each naughty string in a free-text field (in turn, so that every field gets some fifty), or in each."""
    strings = json.loads(NAUGHTY.read_text(encoding="utf-8"))
    assert len(strings) == 515
    base = post_dict(17)
    base["images"] = base["images"] or [{"caption": "c", "source": "picsum.photos"}]
    documented = set(RULES)
    for k, text in enumerate(strings):
        for path in FREE_TEXT if every_field else [FREE_TEXT[k % len(FREE_TEXT)]]:
            post = copy.deepcopy(base)
            target: Any = post
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = text
            found = validate_post(post, options=_options())
            assert all(f.code in documented for f in found)
            line = orjson.dumps(post)
            result = check_record(line, options=_options())
            assert {code for code, *_ in result.issues} == {f.code for f in found}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values)
def test_arbitrary_json_values_never_crash(value: Any) -> None:
    result = check_record(json.dumps(value).encode(), options=_options())
    assert result.issues
    assert all(code != "S099" and path.startswith("$") for code, path, _, _ in result.issues)  # S099 is unreachable


@settings(max_examples=300)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    target = tmp_path_factory.mktemp("bytes") / "b.jsonl"
    target.write_bytes(data)
    for finding in validate_paths([str(target)], options=_options()):
        assert finding.code != "S099"
        assert finding.line is not None and finding.line >= 1
        assert finding.offset is not None and 0 <= finding.offset <= len(data)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, 10**6), cut=st.integers(0, 4000))
def test_any_cut_of_a_post_is_a_parse_finding(index: int, cut: int) -> None:
    line = batch_json(index, 1)[0]
    result = check_record(line[: min(cut, len(line) - 1)], last=True, options=_options())
    assert [code for code, *_ in result.issues] in (["P004"], ["P003"], ["P001"])


def test_validate_post_of_a_non_object() -> None:
    assert [(f.code, f.path) for f in validate_post([1, 2], options=_options())] == [("S003", "$")]


@pytest.mark.parametrize(("name", "data"), [("x.jsonl.gz", b"garbage"), ("x.jsonl.zst", b"garbage")])
def test_corrupt_compressed_input_is_exit_2(tmp_path: Path, name: str, data: bytes) -> None:
    target = _write(tmp_path, name, data)
    result = runner.invoke(app, ["validate", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"synth: error: cannot read {target}: ")
    assert result.stderr.endswith("To resolve this error, check the file is complete and compressed as its name says\n")


def test_document_bound(tmp_path: Path) -> None:
    target = _write(tmp_path, "big.json", b"{\n" + b" " * 5000 + b'"a": 1}\n')
    options = make_options(max_document_bytes=1000, as_of=AS_OF)
    assert [(f.line, f.code) for f in validate_paths([str(target)], options=options)] == [(1, "P009")]


def test_depth_bound(tmp_path: Path) -> None:
    post = post_dict(2)
    post["meta"]["notes"] = [[[[["deep"]]]]]
    target = _write(tmp_path, "d.jsonl", orjson.dumps(post) + b"\n")
    shallow = make_options(max_depth=4, as_of=AS_OF)
    assert [f.code for f in validate_paths([str(target)], options=shallow)] == ["P006"]
    assert {f.code for f in validate_paths([str(target)], options=_options())} == {"S003"}


def test_empty_json_document_is_a_parse_finding(tmp_path: Path) -> None:
    assert _findings(_write(tmp_path, "e.json", b"  \n")) == [(1, "P001")]
    assert _findings(_write(tmp_path, "e.jsonl", b"")) == []


# ---- a lone surrogate: valid JSON syntax, not Unicode text; one code and message on both paths ----

SURROGATE_PLACES: list[tuple[str | int, ...]] = [("title",), ("meta", "summary"), ("sections", 0, "heading"), ("id",)]


@pytest.mark.parametrize("place", SURROGATE_PLACES)
@pytest.mark.parametrize("char", ["\ud800", "\udfff", "\udc00"])
def test_a_lone_surrogate_is_one_p002_on_both_paths(tmp_path: Path, place: tuple[str | int, ...], char: str) -> None:
    post = post_dict(4)
    target: Any = post
    for part in place[:-1]:
        target = target[part]
    target[place[-1]] = f"a{char}b"
    line = json.dumps(post).encode()  # the stdlib writes the \udXXX escape; orjson refuses to
    expected = ("P002", "$." + ".".join(f"{p}" if isinstance(p, str) else f"[{p}]" for p in place).replace(".[", "["))
    message = f"a string holds the lone surrogate \\u{ord(char):04x}: not Unicode text (write the character itself)"
    via_post = [(f.code, f.path, f.message) for f in validate_post(post, options=_options())]
    via_line = [(code, path, text) for code, path, text, _ in check_record(line, options=_options()).issues]
    assert via_post == via_line == [(*expected, message)]
    source = _write(tmp_path, "s.jsonl", line + b"\n")
    result = runner.invoke(app, ["validate", str(source), "--as-of", AS_OF])
    escape = line.index(f"\\u{ord(char):04x}".encode())
    assert result.stdout.splitlines()[0] == f"{source}:1:{escape}: P002 {expected[1]}: {message}"
    assert result.exit_code == 1


def test_a_lone_surrogate_in_a_key_names_its_object() -> None:
    post = post_dict(5)
    post["meta"]["score"]["\ud834"] = 1
    line = json.dumps(post).encode()
    via_post = [(f.code, f.path) for f in validate_post(post, options=_options())]
    via_line = [(code, path) for code, path, *_ in check_record(line, options=_options()).issues]
    assert via_post == via_line == [("P002", "$.meta.score")]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(st.integers(0xD800, 0xDFFF).map(chr) | st.characters(), min_size=1).map("".join))
def test_s099_is_unreachable_with_surrogates(text: str) -> None:
    post = post_dict(6)
    post["intro"] = text
    codes = {f.code for f in validate_post(post, options=_options())}
    assert "S099" not in codes
    line = json.dumps(post).encode()
    if json.loads(line)["intro"] == text:  # not so when a high and a low surrogate meet: the line holds a pair
        assert {code for code, *_ in check_record(line, options=_options()).issues} == codes


# ---- bounded findings and memory ----


def test_the_schema_findings_of_one_record_are_bounded() -> None:
    line = orjson.dumps({f"k{i}": 0 for i in range(5000)})
    issues = check_record(line, options=_options()).issues
    assert len(issues) == 101
    errors = 5000 + sum(field.is_required() for field in Post.model_fields.values())  # unknown keys, missing fields
    assert issues[-1][2] == f"and {errors - 100:,} more schema errors in this record, not listed"


PEAK = (
    "import resource, subprocess, sys; rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)"
)


def _peak_mb(*args: str) -> tuple[int, int]:
    """Exit code and peak RSS (MB) of ``synth ARGS`` run alone in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", PEAK, sys.executable, "-m", "synth", *args], capture_output=True, check=True
    )
    rc, peak = out.stdout.split()
    return int(rc), int(peak)


def _zstd_file(path: Path, pieces: Iterable[bytes]) -> Path:
    with path.open("wb") as raw, zstandard.ZstdCompressor(level=3).stream_writer(raw) as writer:
        for piece in pieces:
            writer.write(piece)
    return path


@pytest.mark.slow
def test_a_150_mb_array_is_validated_in_bounded_memory(tmp_path: Path) -> None:
    """300 elements of 500 KB: parsed at once they took 480 MB; streamed, one element at a time."""
    element = b'"' + b"x" * 500_000 + b'"'
    source = _zstd_file(tmp_path / "a.json.zst", [b"[", b",".join([element] * 300), b"]"])
    assert source.stat().st_size < 20_000
    rc, peak = _peak_mb("validate", str(source), "--as-of", AS_OF)
    assert rc == 1 and peak < 300


def test_sanitize_rejects_keep_a_bounded_part_of_each_line(tmp_path: Path) -> None:
    source = _zstd_file(tmp_path / "bad.jsonl.zst", [b"\xff" * 1_000_000 + b"\n"] * 100)
    rejects = tmp_path / "rejects.jsonl"
    rc, peak = _peak_mb("validate", str(source), "--sanitize", "--rejects", str(rejects), "--as-of", AS_OF)
    entries = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert rc == 1 and peak < 300 and len(entries) == 100
    digest = hashlib.sha256(b"\xff" * 1_000_000).hexdigest()
    assert {entry["raw"] for entry in entries} == {
        "\\xff" * 4096 + f" ... [cut: 1,000,000 bytes in all, sha256 {digest}]"
    }
