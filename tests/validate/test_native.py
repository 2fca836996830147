"""The native check against the Python path (the reference): the same verdict on every kind of input.

The Python path's verdict on a line is whether :func:`check_record` (engine ``python``) finds
any issue: parse and schema issues always count, consistency issues when selected. The native
check must ACCEPT exactly the lines without one (a deferred line is one the Python path
rejects; the one documented exception is ``DEFER_UNDECIDED``), and for an accepted line give
what the Python path gives: the id, the R002 digest, the similar posts, the importer's rows.
A disagreement fails with the line (repr of its bytes), the native answer and the findings.
"""

from __future__ import annotations

import dataclasses
import random
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import ConfigDict, Field

from synth.generation.assemble import batch_json
from synth.generation.writer import write_corpus
from synth.load.rows import COLUMNS, native_rows, post_rows
from synth.schema.hash import seal
from synth.schema.model import Meta, Post
from synth.schema.spec import SpecError, native_spec, spec_json
from synth.strategies import invalid_posts, posts
from synth.validate import native
from synth.validate.check import check_record
from synth.validate.native import DEFER_UNDECIDED, NativeCheck, select_mask
from synth.validate.options import Options, make_options
from tests.conftest import IN_CI, first_then_slow, shared_corpus
from tests.fuzzing import json_paths, mutated_records, permute_keys, respell

if not native.available():
    if IN_CI:
        raise RuntimeError("CI builds synth._native: the native check must be importable")
    pytest.skip("synth._native.Checker is not built", allow_module_level=True)

AS_OF = "2025-01-01"
SELECTIONS = {
    "default": {},
    "ignore-C014": {"ignore": ["C014"]},
    "select-C": {"select": ["C"]},
    "select-S-C001": {"select": ["S", "C001"]},
}


def _options(name: str) -> Options:
    return make_options(as_of=AS_OF, **SELECTIONS[name])  # type: ignore[arg-type]


@dataclasses.dataclass
class Tally:
    accepted: int = 0
    deferred: int = 0
    undecided: int = 0


def disagreements(lines: Sequence[bytes], options: Options, tally: Tally | None = None) -> list[str]:
    """Each line on which the native verdict or payload differs from the Python path, described."""
    tally = tally if tally is not None else Tally()
    reference = dataclasses.replace(options, engine="python")
    found = []
    for line, verdict in zip(lines, NativeCheck(options).check_lines(list(lines)), strict=True):
        result = check_record(line, options=reference)
        accepted = not isinstance(verdict, int)
        tally.accepted += accepted
        tally.deferred += not accepted
        tally.undecided += verdict == DEFER_UNDECIDED
        if accepted != (not result.issues) and not (verdict == DEFER_UNDECIDED and not result.issues):
            found.append(f"{line!r}\n  native: {verdict!r}\n  python: {result.issues}")
        elif accepted:
            native_payload = (verdict.id, verdict.content, verdict.similar)  # type: ignore[union-attr]
            python_payload = (result.post_id, result.content, result.similar)
            if native_payload != python_payload:
                found.append(f"{line!r}\n  native payload: {native_payload}\n  python payload: {python_payload}")
    return found


def assert_agree(lines: Sequence[bytes], options: Options, tally: Tally | None = None) -> None:
    found = disagreements(lines, options, tally)
    assert not found, f"{len(found)} disagreements in {len(lines)} lines, the first ones:\n" + "\n".join(found[:5])


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:-1]


# ---- the labelled invalid corpus ----


@pytest.mark.parametrize(("seed", "locale"), first_then_slow((2, "ja_JP"), (0, "en_US"), (1, "de_DE"), (3, "ar_AA")))
@pytest.mark.parametrize("rate", [1.0, 0.05])
def test_the_labelled_invalid_corpus(tmp_path: Path, seed: int, locale: str, rate: float) -> None:
    path = tmp_path / "invalid.jsonl"
    write_corpus(str(path), count=300, seed=seed, locale=locale, invalid_rate=rate, truth=str(tmp_path / "t.jsonl"))
    lines, tally = _lines(path), Tally()
    for name in SELECTIONS:
        assert_agree(lines, _options(name), tally)
    assert tally.accepted and tally.deferred


def test_every_defect_kind_is_deferred(tmp_path: Path) -> None:
    path, truth = tmp_path / "invalid.jsonl", tmp_path / "truth.jsonl"
    write_corpus(str(path), count=600, seed=5, invalid_rate=1.0, truth=str(truth))
    lines = _lines(path)
    labels = [orjson.loads(line) for line in truth.read_bytes().splitlines()]
    verdicts = NativeCheck(_options("default")).check_lines(lines)
    # P005 (a line too long) is the file reader's to find, R001-R003 the corpus rules'.
    broken = {label["line"] for label in labels if label["code"] != "P005" and label["code"][0] != "R"}
    kinds = {label["code"] for label in labels}
    assert len(kinds) > 30
    for number, verdict in enumerate(verdicts, 1):
        if number in broken:
            assert isinstance(verdict, int), lines[number - 1]


# ---- JSONTestSuite and the naughty strings ----


def test_every_file_of_the_json_test_suite() -> None:
    cases = sorted(shared_corpus("jsontestsuite").glob("*.json"))
    assert len(cases) > 300
    lines = [case.read_bytes() for case in cases]
    for name in ("default", "select-C"):
        assert_agree(lines, _options(name))


def _naughty() -> list[str]:
    strings: list[str] = orjson.loads(shared_corpus("naughty-strings", "blns.json").read_bytes())
    return strings


def _string_paths(post: dict[str, Any]) -> list[tuple[str | int, ...]]:
    doc = post
    paths = []
    for path in json_paths(post):
        value: Any = doc
        for part in path:
            value = value[part]
        if isinstance(value, str) and path != ("meta", "hash"):
            paths.append(path)
    return paths


def _with(post: dict[str, Any], path: tuple[str | int, ...], text: str) -> bytes | None:
    """``post`` with ``text`` at ``path``, hash sealed; None when orjson cannot write the text."""
    changed = orjson.loads(orjson.dumps(post))
    target = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = text
    try:
        return seal(changed)
    except orjson.JSONEncodeError:  # a lone surrogate
        return None


def _naughty_lines(every_field: bool) -> list[bytes]:
    base = [orjson.loads(line) for line in batch_json(0, 30)]
    lines = []
    for k, text in enumerate(_naughty()):
        post = base[k % len(base)]
        paths = _string_paths(post)
        chosen = paths if every_field else [paths[(k * 7 + j * 31) % len(paths)] for j in range(3)]
        for path in chosen:
            line = _with(post, path, text)
            if line is not None:
                lines.append(line)
    return lines


def test_the_naughty_strings_in_the_string_fields() -> None:
    lines, tally = _naughty_lines(every_field=False), Tally()
    for name in ("default", "ignore-C014", "select-S-C001"):
        assert_agree(lines, _options(name), tally)
    assert tally.accepted > 100 and tally.deferred > 100


@pytest.mark.slow
def test_the_naughty_strings_in_every_string_field() -> None:
    lines, tally = _naughty_lines(every_field=True), Tally()
    assert len(lines) > 30_000
    assert_agree(lines, _options("default"), tally)
    assert tally.accepted and tally.deferred


# ---- hypothesis: valid and labelled invalid posts ----


def _line(case: dict[str, Any] | bytes) -> bytes:
    return case if isinstance(case, bytes) else orjson.dumps(case)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invalid_posts())
def test_invalid_posts(case: tuple[dict[str, Any] | bytes, str]) -> None:
    post, _ = case
    for name in ("default", "select-C"):
        assert_agree([_line(post)], _options(name))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posts())
def test_valid_posts_are_accepted(post: dict[str, Any]) -> None:
    line, tally = orjson.dumps(post), Tally()
    assert_agree([line], make_options(as_of="9999-12-31"), tally)
    assert tally.accepted == 1


# ---- other spellings of valid posts ----


def _respelled(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for line in batch_json(0, count, seed=seed):
        value = permute_keys(orjson.loads(line), rng, rng.random())
        out.append(respell(value, rng) if rng.random() < 0.7 else orjson.dumps(value))
    return out


def test_respelled_and_permuted_posts_are_accepted() -> None:
    lines, tally = _respelled(300, seed=4), Tally()
    for name in SELECTIONS:
        assert_agree(lines, _options(name), tally)
    assert tally.deferred == 0


def test_the_hash_is_checked_over_the_canonical_bytes() -> None:
    """A respelled post with a wrong hash is deferred; Python finds C014 alone."""
    rng = random.Random(9)
    lines = []
    for line in batch_json(0, 50):
        value = orjson.loads(line)
        value["meta"]["hash"] = "0" * 24
        lines.append(respell(permute_keys(value, rng), rng))
    options = _options("default")
    assert all(isinstance(v, int) for v in NativeCheck(options).check_lines(lines))
    assert_agree(lines, options)
    ignoring = _options("ignore-C014")
    assert not any(isinstance(v, int) for v in NativeCheck(ignoring).check_lines(lines))


# ---- the seeded mutation fuzzer ----


def _fuzz(count: int, seed: int, selections: Sequence[str]) -> None:
    lines, tally = mutated_records(count, seed=seed), Tally()
    for name in selections:
        assert_agree(lines, _options(name), tally)
    assert tally.accepted > count // 20 and tally.deferred > count // 2
    assert tally.undecided <= len(selections) * count // 1000


def test_mutation_fuzzer() -> None:
    _fuzz(2_000, seed=11, selections=("default", "ignore-C014"))


@pytest.mark.slow
def test_mutation_fuzzer_50k() -> None:
    _fuzz(50_000, seed=12, selections=("default", "select-C"))


# ---- the payload: rows and COPY ----


def _valid_lines() -> list[bytes]:
    made = [line for locale in ("en_US", "zh_CN", "fr_FR") for line in batch_json(0, 60, seed=3, locale=locale)]
    return made + _respelled(100, seed=6)


def test_rows_are_the_rows_of_the_python_path() -> None:
    lines = _valid_lines()
    check = NativeCheck(make_options(as_of=AS_OF), columns=COLUMNS, rows=True)
    for line, accepted in zip(lines, check.check_lines(lines), strict=True):
        assert not isinstance(accepted, int), line
        post = orjson.loads(line)
        rows = post_rows(post, orjson.dumps(post))
        assert accepted.row == rows.post, line
        assert (accepted.tools, accepted.entities, accepted.links) == (rows.tools, rows.entities, rows.links)
        assert accepted.hash == rows.content_hash
        assert native_rows(accepted) == rows


def test_copy_text_loads_into_postgresql_as_the_rows(postgres_url: str) -> None:
    import psycopg  # noqa: PLC0415

    lines = _valid_lines()[:80]
    check = NativeCheck(make_options(as_of=AS_OF), columns=COLUMNS, rows=True, copy=True)
    accepted = [a for a in check.check_lines(lines) if not isinstance(a, int)]
    types = {"number": "bigint", "reading_time": "int", "view_count": "bigint", "last_reviewed": "date", "doc": "jsonb"}
    types |= dict.fromkeys(("quality", "freshness", "depth", "clarity"), "smallint")
    types |= dict.fromkeys(("ai_generated_style", "has_images", "image_heavy", "needs_human_review"), "boolean")
    with psycopg.connect(postgres_url) as conn:
        columns = ", ".join(f"{c} {types.get(c, 'text')}" for c in COLUMNS)
        conn.execute(f"CREATE TEMP TABLE p ({columns})".encode())
        conn.execute(b"CREATE TEMP TABLE e (post_id text, position int, name text, type text)")
        with conn.cursor() as cur:
            with cur.copy(b"COPY p FROM STDIN") as copy:
                for a in accepted:
                    copy.write(a.copy[0])  # type: ignore[index]
            with cur.copy(b"COPY e FROM STDIN") as copy:
                for a in accepted:
                    copy.write(a.copy[2])  # type: ignore[index]
            loaded = cur.execute(b"SELECT * FROM p").fetchall()
            entities = cur.execute(b"SELECT * FROM e").fetchall()
    assert len(loaded) == len(accepted)
    for got, a in zip(loaded, accepted, strict=True):
        want = list(a.row)  # type: ignore[arg-type]
        doc = COLUMNS.index("doc")
        want[doc] = orjson.loads(want[doc])
        reviewed = COLUMNS.index("last_reviewed")
        assert got[reviewed].isoformat() == want[reviewed]
        want[reviewed] = got[reviewed]
        assert list(got) == want
    assert entities == [row for a in accepted for row in a.entities]  # type: ignore[union-attr]


# ---- the spec comes from the model ----


class _TightMeta(Meta):
    reading_time: Annotated[int, Field(ge=1, le=3)]


class _TightPost(Post):
    meta: _TightMeta


def test_a_bound_changed_in_the_model_changes_the_native_verdict() -> None:
    from synth._native import Checker  # noqa: PLC0415

    lines = [line for line in batch_json(0, 40) if orjson.loads(line)["meta"]["reading_time"] > 3]
    assert lines
    options = make_options(as_of=AS_OF)
    tight = Checker(spec_json(_TightPost))
    verdicts = tight.check_lines(lines, as_of=AS_OF, select=select_mask(options.selection))
    assert all(isinstance(v, int) for v in verdicts)
    assert all(not isinstance(v, int) for v in NativeCheck(options).check_lines(lines))
    spec = native_spec(_TightPost)
    meta = dict(spec["root"]["fields"])["meta"]
    assert dict(meta["fields"])["reading_time"] == {"type": "int", "ge": 1, "le": 3, "choices": None}


def test_what_the_spec_cannot_say_is_refused() -> None:
    class WithDefault(Post):
        title: str = "x"

    class Lax(Post):
        model_config = ConfigDict(strict=False)

    for model in (WithDefault, Lax):
        with pytest.raises(SpecError):
            native_spec(model)


# ---- engines, threads, the whole run ----


def test_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.errors import UsageError  # noqa: PLC0415

    with pytest.raises(UsageError, match="engine 'rust'"):
        make_options(engine="rust")
    assert native.use_native(make_options(engine="auto"))
    assert not native.use_native(make_options(engine="python"))
    assert not native.use_native(make_options(engine="native", sanitize=True))
    monkeypatch.setattr(native, "available", lambda: False)
    assert not native.use_native(make_options(engine="auto"))
    with pytest.raises(UsageError, match="not built") as error:
        native.use_native(make_options(engine="native"))
    assert error.value.parameter == "engine"
    assert "Rust toolchain" in str(error.value)


def test_threads_get_the_verdicts_of_one_thread() -> None:
    lines = mutated_records(800, seed=21)
    check = NativeCheck(_options("default"))
    want = [v if isinstance(v, int) else v.id for v in check.check_lines(lines)]
    got: list[list[Any]] = [[] for _ in range(4)]

    def run(k: int) -> None:
        got[k] = [v if isinstance(v, int) else v.id for v in check.check_lines(lines)]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == [want] * 4


def test_no_finding_depends_on_the_engine(tmp_path: Path) -> None:
    from synth.validate.run import validate_paths  # noqa: PLC0415

    path = tmp_path / "mixed.jsonl"
    write_corpus(str(path), count=400, seed=8, invalid_rate=0.3, truth=str(tmp_path / "truth.jsonl"))
    with path.open("ab") as stream:
        stream.write(b"\n".join(mutated_records(300, seed=8)) + b"\n")
    for name in SELECTIONS:
        found = {
            (engine, workers): list(
                validate_paths([str(path)], options=dataclasses.replace(_options(name), engine=engine), workers=workers)
            )
            for engine in ("native", "python")
            for workers in ((1, 2) if name == "default" else (1,))
        }
        first = found["python", 1]
        assert first
        assert all(findings == first for findings in found.values())


def test_the_text_pattern_the_crate_tests_its_framed_matcher_on_is_the_models() -> None:
    """native/src/check/pattern.rs matches the visible-text pattern without a regex, and its tests hold
    that matcher to the regex on every character: they must test the model's pattern, not an old copy."""
    source = (Path(__file__).parents[2] / "native" / "src" / "check" / "pattern.rs").read_text()
    found = re.search(r'const WHITESPACE: &str =\s*r"([^"]*)";', source)
    assert found is not None, "pattern.rs no longer spells WHITESPACE"
    rust_pattern = rf"^[^{found.group(1)}\x00](?:[^\r\n\x00]*[^{found.group(1)}\x00])?$"

    def patterns(node: Any) -> set[str]:
        if isinstance(node, dict):
            own = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
            return own.union(*(patterns(v) for v in node.values()))
        return set().union(*(patterns(v) for v in node)) if isinstance(node, list) else set()

    framed = {p for p in patterns(native_spec()) if r"(?:[^\r\n\x00]*" in p}  # the shape pattern.rs frames
    assert framed == {rust_pattern}
