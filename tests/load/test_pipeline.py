"""The import pipeline (issue 15): workers beside one writer, the row source seam, skipping unchanged
lines unparsed, the fresh-load path, progress and the summary of where the time went."""

from __future__ import annotations

import gzip
import itertools
import json
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.errors import DatabaseError
from synth.generation.assemble import batch_json, post_dict
from synth.generation.writer import write_corpus
from synth.load import importer, rowsource
from synth.load.importer import ImportOptions, import_paths, import_validation
from synth.load.pipeline import CHUNK, outcomes
from synth.load.rowsource import Outcome, RowJob, digest_key, line_digest, line_id, python_rows
from synth.load.search import search
from synth.validate.native import NativeCheck
from synth.validate.options import make_options
from synth.validate.records import Record
from synth.validate.run import validate_paths
from tests.conftest import first_then_slow
from tests.load.common import (
    SECONDARY,
    deferred,
    digest,
    fts_intact,
    indexes,
    mixed,
    options,
    query,
    sealed,
    write_lines,
)

runner = CliRunner()


def _corpus(tmp_path: Path, count: int = 600, seed: int = 3, **kw: Any) -> Path:
    path = tmp_path / f"posts-{count}-{seed}.jsonl"
    write_corpus(str(path), count=count, seed=seed, **kw)
    return path


class _Counting:
    """Counts the lines parsed and checked, by the native check or the Python one (a line the native
    check defers to Python counts once), in this process (inline or thread workers)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lines: dict[int, bytes] = {}  # id -> the line (kept, so that no id is reused)
        real, native = rowsource.check, NativeCheck.check_lines

        def counted(record: Record, opts: Any) -> Any:
            data = record.data if record.data is not None else repr(record).encode()
            self.lines[id(data)] = data
            return real(record, opts)

        def counted_natively(check: NativeCheck, lines: list[bytes]) -> Any:
            self.lines.update((id(line), line) for line in lines)
            return native(check, lines)

        monkeypatch.setattr(rowsource, "check", counted)
        monkeypatch.setattr(NativeCheck, "check_lines", counted_natively)

    @property
    def seen(self) -> int:
        return len(self.lines)


# ---- the row source seam and COPY text --------------------------------------------------------------


def test_copy_text_round_trips_through_postgres(postgres_url: str) -> None:
    """Every escape of COPY's text format, checked by PostgreSQL itself reading what the encoder wrote."""
    import psycopg  # noqa: PLC0415

    from synth.load.copytext import copy_line  # noqa: PLC0415

    values = [
        ("back\\slash", 1, True, None), ("tab\there", -2, False, "x"), ("new\nline\r\n", 0, True, "\\N"),
        ("\\t literally", 2**62, False, ""), ("ünïcödé 🙂 \u2028", 7, True, "\\\\"), ("", 3, False, "end\\"),
    ]  # fmt: skip
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(b"CREATE TABLE t (k serial, a text, b bigint, c boolean, d text)")
        with conn.cursor() as cur, cur.copy(b"COPY t (a, b, c, d) FROM STDIN") as copy:
            copy.write("".join(copy_line(v) for v in values).encode())
        assert [tuple(r) for r in conn.execute(b"SELECT a, b, c, d FROM t ORDER BY k").fetchall()] == values
    assert copy_line(("a\tb", None, True, 5)) == "a\\tb\t\\N\tt\t5\n"


def test_the_python_row_source_gives_rows_copy_text_and_digests() -> None:
    lines = mixed(6, bad={2})
    job = RowJob(import_validation(as_of="2030-01-01"), True, digest_key(import_validation()))
    done = python_rows([Record(k + 1, 0, line) for k, line in enumerate(lines)], job)
    assert [o.line for o in done] == [1, 2, 3, 4, 5, 6]
    assert [o.reject is not None for o in done] == [False, False, True, False, False, False]
    good = done[0].rows
    assert good is not None and good.copy is not None
    assert good.id == orjson.loads(lines[0])["id"]
    assert good.digest == line_digest(lines[0], job.key)
    assert good.copy.post.count(b"\n") == 1 and good.copy.post.count(b"\t") == len(good.post) - 1
    assert good.copy.tools.count(b"\n") == len(good.tools)
    plain = python_rows([Record(1, 0, lines[0])], RowJob(job.options, False, job.key))[0].rows
    assert plain is not None and plain.copy is None and plain.post == good.post


def test_line_ids_are_read_only_from_lines_that_start_as_synth_writes_them() -> None:
    line = batch_json(0, 1)[0]
    assert line_id(line) == orjson.loads(line)["id"]
    assert line_id(b'{"id":"x-1","title":"t"}') == "x-1"
    assert line_id(b' {"schema_version":1,"id":"x"}') is None  # a space first: not synth's layout
    assert line_id(b'{"title":"t","id":"x"}') is None
    assert line_id(b'{"id":"a\\"b"}') is None  # an escape: left to the parser


def test_options_that_can_change_a_verdict_change_the_digest_key() -> None:
    base = digest_key(make_options(ignore=["R"], as_of="2030-01-01"))
    assert digest_key(make_options(ignore=["R"], as_of="2001-01-01")) == base  # as-of is checked on its own
    assert digest_key(make_options(ignore=["R", "C005"], as_of="2030-01-01")) != base
    assert digest_key(make_options(ignore=["R"], as_of="2030-01-01", max_depth=10)) != base
    assert digest_key(make_options(ignore=["R"], as_of="2030-01-01", max_line_bytes=1000)) != base
    assert digest_key(make_options(ignore=["R"], as_of="2030-01-01", sanitize=True)) != base


# ---- the pipeline: in order, bounded, the same on every executor -------------------------------------


def _stub_source(records: Sequence[Record], job: RowJob) -> list[Outcome]:
    return [Outcome(r.line) for r in records]


def test_the_reader_stays_a_bounded_number_of_records_ahead() -> None:
    read = [0]

    def source() -> Any:
        for k in itertools.count(1):
            if k > 40 * CHUNK:
                return
            read[0] = k
            yield Record(k, 0, b"{}")

    job = RowJob(import_validation(), False, b"k")
    consumed, ahead = 0, 0
    for chunk in outcomes(source(), lambda: 0, _stub_source, job, workers=1):
        for outcome in chunk.outcomes:
            consumed += 1
            assert outcome.line == consumed  # in order
        ahead = max(ahead, read[0] - consumed)
    assert consumed == 40 * CHUNK
    assert ahead <= 2 * CHUNK  # workers + 1 chunks out, the one in hand among them


@pytest.mark.parametrize("ahead", [0, 6])
def test_workers_check_ahead_while_the_writer_holds_a_chunk(ahead: int) -> None:
    """The writer commits a batch at a time: the check thread must not wait for it, nor run unbounded."""
    checked = [0]

    def counting(records: Sequence[Record], job: RowJob) -> list[Outcome]:
        checked[0] += 1
        return _stub_source(records, job)

    source = (Record(k, 0, b"{}") for k in range(1, 20 * CHUNK + 1))
    job = RowJob(import_validation(), False, b"k")
    expected = max(ahead, 2)  # 0: workers + 1 chunks in flight
    with ThreadPoolExecutor(1) as pool:
        chunks = outcomes(source, lambda: 0, counting, job, pool=pool, workers=1, ahead=ahead)
        next(chunks)  # the writer holds the first chunk (as while it commits a batch) ...
        deadline = time.monotonic() + 10
        while checked[0] < expected and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(0.05)
        assert checked[0] == expected  # ... while the workers checked that many, and no more
        assert sum(len(c.outcomes) for c in chunks) == 19 * CHUNK


@pytest.mark.parametrize(
    ("executor", "workers"), [("processes", 2), *first_then_slow(("threads", 2), ("inline", 1), ("threads", 1))]
)
def test_every_executor_loads_the_same_database(db_url: str, tmp_path: Path, executor: str, workers: int) -> None:
    source = write_lines(tmp_path / "m.jsonl", mixed(700, bad={0, 5, 299, 300, 699}))
    reference = str(tmp_path / "reference.db")
    ref = import_paths(
        [str(source)], reference, options=options(batch=97, executor="inline"), rejects=str(tmp_path / "r")
    )
    done = import_paths(
        [str(source)],
        db_url,
        options=options(batch=97, executor=executor, workers=workers),
        rejects=str(tmp_path / "d"),
    )
    assert done.counts == ref.counts
    assert digest(db_url) == digest(reference)
    assert (tmp_path / "d").read_text() == (tmp_path / "r").read_text().replace(reference, db_url)


def test_an_unknown_executor_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="executor 'fibers' is not one of auto, inline, threads, processes"):
        import_paths([str(tmp_path / "x.jsonl")], str(tmp_path / "x.db"), options=options(executor="fibers"))


# ---- re-imports: unchanged lines are skipped unparsed --------------------------------------------------


@pytest.mark.parametrize("engine", ["native", "python"])
def test_an_unchanged_corpus_is_skipped_without_parsing(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    validation = import_validation(as_of="2030-01-01", engine=engine)
    source = _corpus(tmp_path)
    import_paths([str(source)], db_url, options=options(batch=100, validation=validation))
    counting = _Counting(monkeypatch)
    again = import_paths([str(source)], db_url, options=options(batch=100, validation=validation))
    assert (again.counts.unchanged, again.counts.records, again.fresh) == (600, 600, False)
    assert counting.seen == 0
    lines = source.read_bytes().splitlines()
    edited = orjson.loads(lines[10])
    edited["meta"]["view_count"] += 1
    lines[10] = sealed(edited)
    changed = write_lines(tmp_path / "edited.jsonl", lines)
    third = import_paths([str(changed)], db_url, options=options(batch=100, validation=validation))
    assert (third.counts.updated, third.counts.unchanged) == (1, 599)
    assert counting.seen == 1  # only the changed line was parsed and checked
    assert query(db_url, f"SELECT view_count FROM posts WHERE id = '{edited['id']}'") == [
        (edited["meta"]["view_count"],)
    ]


def test_a_new_as_of_date_is_not_ignored_by_the_skip(db_url: str, tmp_path: Path) -> None:
    """C015 depends on --as-of, not on the line: a line skipped unparsed still gets its review date checked."""
    source = _corpus(tmp_path, 300)
    import_paths([str(source)], db_url, options=options())
    dates = sorted(orjson.loads(line)["meta"]["revision"]["last_reviewed"] for line in source.read_bytes().splitlines())
    as_of = dates[len(dates) // 2]
    expected = sum(
        1
        for f in validate_paths([str(source)], options=import_validation(as_of=as_of))
        if f.code == "C015"
    )  # fmt: skip
    assert 0 < expected < 300
    later = ImportOptions(validation=import_validation(as_of=as_of))
    again = import_paths([str(source)], db_url, options=later, rejects=str(tmp_path / "dead.jsonl"))
    assert (again.counts.rejected, again.counts.unchanged) == (expected, 300 - expected)
    codes = {
        f["code"] for e in map(json.loads, (tmp_path / "dead.jsonl").read_text().splitlines()) for f in e["findings"]
    }
    assert codes == {"C015"}


def test_other_validation_options_check_every_line_again(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _corpus(tmp_path, 200)
    import_paths([str(source)], db_url, options=options())
    counting = _Counting(monkeypatch)
    stricter = ImportOptions(validation=import_validation(as_of="2030-01-01", max_depth=20))
    again = import_paths([str(source)], db_url, options=stricter)
    assert counting.seen == 200 and again.counts.unchanged == 200


def test_a_post_changed_after_its_lookup_is_checked_again(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same id three times: stored v1, then v2, then v1 again. The reader looks v1 up ahead of the
    writer (while v1 is still stored), the writer finds v2 there by then: the last line must win."""
    post = post_dict(0, seed=4)
    first = sealed(post)
    other = post_dict(1, seed=4)
    post["meta"]["view_count"] += 1
    second = sealed(post)
    seed_file = write_lines(tmp_path / "seed.jsonl", [first])
    source = write_lines(tmp_path / "p.jsonl", [second, sealed(other), first])
    rechecked = []
    real = importer._recheck

    def counted(batch: Any, stale: set[str], run: Any) -> Any:
        rechecked.append(set(stale))
        return real(batch, stale, run)

    monkeypatch.setattr(importer, "_recheck", counted)
    import_paths([str(seed_file)], db_url, options=options())
    done = import_paths([str(source)], db_url, options=options(batch=1))
    assert rechecked == [{"alphanode-000000"}]
    assert (done.counts.updated, done.counts.inserted, done.counts.unchanged) == (2, 1, 0)
    reference = str(tmp_path / "reference.db")
    import_paths([str(seed_file)], reference, options=options())
    import_paths([str(source)], reference, options=options(batch=1, executor="inline"))
    assert digest(db_url) == digest(reference)
    stored = query(db_url, "SELECT view_count FROM posts WHERE id = 'alphanode-000000'")
    assert stored == [(orjson.loads(first)["meta"]["view_count"],)]


def test_a_layout_2_database_gains_line_digests_on_its_next_import(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _corpus(tmp_path, 150)
    import_paths([str(source)], db_url, options=options())
    _execute(
        db_url,
        "DROP INDEX IF EXISTS posts_keys",  # layout 2 had no such index
        "ALTER TABLE posts DROP COLUMN line_digest",
        "UPDATE synth_meta SET value = '2' WHERE key = 'layout_version'",
    )
    counting = _Counting(monkeypatch)
    upgraded = import_paths([str(source)], db_url, options=options())
    assert (upgraded.counts.unchanged, counting.seen) == (150, 150)  # no digest yet: checked in full, once
    assert query(db_url, "SELECT count(*) FROM posts WHERE line_digest IS NULL") == [(0,)]
    import_paths([str(source)], db_url, options=options())
    assert counting.seen == 150  # the next re-import skips them all unparsed


def _execute(db: str, *statements: str) -> None:
    from tests.load.common import execute  # noqa: PLC0415

    execute(db, *statements)


# ---- the fresh-load path -------------------------------------------------------------------------------


class _CrashError(Exception):
    pass


def _crash_after(batches: int) -> Any:
    seen = []

    def progress(records: int, read: int, total: int | None) -> None:
        seen.append(records)
        if len(seen) == batches:
            raise _CrashError

    return progress


def test_a_fresh_load_builds_its_indexes_at_the_end_and_resumes(
    db_url: str, reference_url: str, tmp_path: Path
) -> None:
    source = _corpus(tmp_path, 500)
    reference = reference_url
    ref = import_paths([str(source)], reference, options=options(batch=100))
    assert ref.fresh and ref.timings.index > 0
    with pytest.raises(_CrashError):
        import_paths([str(source)], db_url, options=options(batch=100), progress=_crash_after(2))
    assert deferred(db_url)
    assert not SECONDARY & indexes(db_url)  # built only at the end
    if not db_url.startswith("postgresql://"):
        with pytest.raises(DatabaseError, match="has not built its search index yet"):
            search(db_url, "the", limit=5)
    resumed = import_paths([str(source)], db_url, options=options(batch=100))
    assert resumed.fresh and resumed.resumed_from == {str(source): 200}
    assert not deferred(db_url)
    assert indexes(db_url) >= SECONDARY
    assert digest(db_url) == digest(reference)
    fts_intact(db_url)
    for words in ("the", "postgres index", "kafka"):
        assert search(db_url, words, limit=20) == search(reference, words, limit=20)
    again = import_paths([str(source)], db_url, options=options(batch=100))
    assert not again.fresh and again.timings.index < 5


KILL_DURING_INDEX = """
import os, signal, sys
from synth.load import postgres, sqlite
from synth.load.importer import import_paths
from tests.load.common import options

def killing(original):
    def run(self, template, *args, **kw):
        if "CREATE INDEX" in template and "post_links_target" in template and getattr(self, "_building", False):
            os.kill(os.getpid(), signal.SIGKILL)  # kill -9 inside the transaction that builds the indexes
        return original(self, template, *args, **kw)
    return run

for backend in (sqlite.SQLiteBackend, postgres.PostgresBackend):
    finish = backend.finish_load
    def building(self, finish=finish):
        self._building = True
        return finish(self)
    backend.finish_load = building
sqlite.SQLiteBackend._sql = killing(sqlite.SQLiteBackend._sql)
postgres.PostgresBackend._run = killing(postgres.PostgresBackend._run)
import_paths([sys.argv[1]], sys.argv[2], options=options(batch=100), rejects=sys.argv[3])
"""


@pytest.mark.slow
def test_a_kill_9_during_the_index_build_is_recovered_by_the_next_run(
    db_url: str, reference_url: str, tmp_path: Path
) -> None:
    source = _corpus(tmp_path, 300)
    root = Path(__file__).resolve().parents[2]
    killed = subprocess.run(
        [sys.executable, "-c", KILL_DURING_INDEX, str(source), db_url, str(tmp_path / "dead.jsonl")],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    assert deferred(db_url) and not SECONDARY & indexes(db_url)  # the build's transaction never committed
    assert query(db_url, "SELECT count(*) FROM posts") == [(300,)]
    after = import_paths([str(source)], db_url, options=options(batch=100))
    assert after.fresh and (after.counts.unchanged, after.counts.records) == (300, 300)
    assert not deferred(db_url) and indexes(db_url) >= SECONDARY
    reference = reference_url
    import_paths([str(source)], reference, options=options(batch=100))
    assert digest(db_url) == digest(reference)
    fts_intact(db_url)
    assert search(db_url, "the", limit=50) == search(reference, "the", limit=50)


def test_an_import_into_a_database_with_posts_keeps_itsindexes(db_url: str, tmp_path: Path) -> None:
    import_paths([str(write_lines(tmp_path / "a.jsonl", batch_json(0, 50, seed=6)))], db_url, options=options())
    more = import_paths([str(write_lines(tmp_path / "b.jsonl", batch_json(50, 80, seed=6)))], db_url, options=options())
    assert not more.fresh and (more.counts.inserted, more.timings.index < 5) == (80, True)
    assert indexes(db_url) >= SECONDARY and not deferred(db_url)
    fts_intact(db_url)
    title = orjson.loads(batch_json(100, 1, seed=6)[0])["title"]
    assert search(db_url, title, limit=1)[0][0] == "alphanode-000100"


# ---- progress and the summary -----------------------------------------------------------------------------


def test_progress_counts_records_and_the_compressed_bytes_read(tmp_path: Path) -> None:
    plain = _corpus(tmp_path, 400)
    packed = tmp_path / "posts.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    ticks: list[tuple[int, int, int | None]] = []
    import_paths([str(packed)], str(tmp_path / "p.db"), options=options(batch=100), progress=lambda *t: ticks.append(t))
    size = packed.stat().st_size
    assert [t[0] for t in ticks] == [100, 200, 300, 400]
    assert all(t[2] == size for t in ticks)
    reads = [t[1] for t in ticks]
    assert reads == sorted(reads) and reads[-1] == size and 0 < reads[0] <= size


def test_progress_over_stdin_has_no_total(tmp_path: Path) -> None:
    ticks: list[tuple[int, int, int | None]] = []
    data = b"".join(line + b"\n" for line in batch_json(0, 30))
    import io  # noqa: PLC0415
    import sys as _sys  # noqa: PLC0415

    stdin = _sys.stdin
    _sys.stdin = io.TextIOWrapper(io.BytesIO(data))
    try:
        import_paths(["-"], str(tmp_path / "s.db"), options=options(batch=10), progress=lambda *t: ticks.append(t))
    finally:
        _sys.stdin = stdin
    assert [(t[0], t[2]) for t in ticks] == [(10, None), (20, None), (30, None)]
    assert ticks[-1][1] == len(data)


TIME_LINE = re.compile(
    r"time: read \d+\.\d\d s, validate \d+\.\d\d s, write \d+\.\d\d s, index \d+\.\d\d s "
    r"\((fresh load, indexes built at the end|incremental); the stages overlap\)"
)


def test_the_text_summary_ends_with_where_the_time_went(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    source = write_lines(tmp_path / "p.jsonl", batch_json(0, 40))
    first = runner.invoke(app, ["import", str(source), "--db", db, "--as-of", "2030-01-01"])
    again = runner.invoke(app, ["import", str(source), "--db", db, "--as-of", "2030-01-01"])
    for result, kind in ((first, "fresh load, indexes built at the end"), (again, "incremental")):
        assert result.exit_code == 0, result.output
        summary, stages = result.stderr.splitlines()
        assert summary.startswith("40 records: ")
        found = TIME_LINE.fullmatch(stages)
        assert found is not None and found.group(1) == kind, stages


def test_the_json_summary_has_every_stage(tmp_path: Path) -> None:
    db = str(tmp_path / "j.db")
    source = write_lines(tmp_path / "p.jsonl", batch_json(0, 40))
    result = runner.invoke(app, ["import", str(source), "--db", db, "--as-of", "2030-01-01", "--log-format", "json"])
    assert result.exit_code == 0
    summary = json.loads(result.stderr)
    assert list(summary) == [
        "records", "inserted", "updated", "unchanged", "rejected", "deleted", "records_this_run", "seconds",
        "records_per_second", "read_seconds", "validate_seconds", "write_seconds", "index_seconds", "fresh_load",
        "resumed_from_record", "rejects_file", "rejects_files",
    ]  # fmt: skip
    assert summary["fresh_load"] is True
    stages = [summary[f"{k}_seconds"] for k in ("read", "validate", "write", "index")]
    assert all(isinstance(s, float) and s >= 0 for s in stages) and summary["validate_seconds"] > 0
