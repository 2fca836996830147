"""``synth queries`` and ``synth check-index``: the files written, exact reports, exit codes 0, 1 and 2."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.writer import write_corpus
from synth.load.importer import import_paths
from synth.workload.kinds import shares
from synth.workload.spec import KINDS
from synth.workload.workload import queries

runner = CliRunner()


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Path, Path]:
    corpus, db = tmp_path / "c.jsonl", tmp_path / "c.db"
    write_corpus(str(corpus), count=200, seed=3)
    import_paths([str(corpus)], str(db), rejects=str(tmp_path / "r.jsonl"))
    return corpus, db


def test_queries_writes_the_workload_and_its_log(tmp_path: Path) -> None:
    out = tmp_path / "w.jsonl"
    result = runner.invoke(
        app, ["queries", "-n", "200", "-s", "3", "--queries", "50", "-o", str(out), "--repeat", "30"]
    )
    assert result.exit_code == 0, result.output
    kinds = ", ".join(f"{n} {k}" for k, n in shares(50).items())
    assert re.fullmatch(
        rf"50 queries \({re.escape(kinds)}\) over 200 posts in \d+\.\d\d s\n"
        rf"query log: 30 queries in {re.escape(str(tmp_path / 'w.log.jsonl'))}\n",
        result.stderr,
    ), result.stderr
    library = tmp_path / "lib.jsonl"
    queries(count=200, seed=3, size=50).write(str(library))
    assert out.read_bytes() == library.read_bytes()
    assert len((tmp_path / "w.log.jsonl").read_bytes().splitlines()) == 30


def test_queries_from_a_file_to_stdout(imported: tuple[Path, Path]) -> None:
    corpus, _ = imported
    result = runner.invoke(app, ["queries", str(corpus), "--queries", "20", "--quiet"])
    assert result.exit_code == 0 and result.stderr == ""
    lines = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == [f"q{i:06d}" for i in range(1, 21)]


def test_check_index_passes_a_fresh_import(tmp_path: Path, imported: tuple[Path, Path]) -> None:
    corpus, db = imported
    queries(str(corpus), size=80).write(str(tmp_path / "w.jsonl"))
    result = runner.invoke(app, ["check-index", str(tmp_path / "w.jsonl"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    rows = [f"{k:<12} {n:>8,} {n:>8,} {1:>8.4f} {1:>9.4f}" for k, n in shares(80).items()]
    header = f"{'kind':<12} {'queries':>8} {'passed':>8} {'recall':>8} {'precision':>9}"
    assert result.stdout == "\n".join([f"80 queries against {db}: 80 passed, 0 failed", header, *rows]) + "\n"


def test_check_index_reports_damage_and_exits_1(tmp_path: Path, imported: tuple[Path, Path]) -> None:
    corpus, db = imported
    workload = queries(str(corpus), size=80)
    workload.write(str(tmp_path / "w.jsonl"))
    term = next(q for q in workload if q.kind == "term" and q.answer.ids and len(q.answer.ids) < 50)
    assert term.answer.ids is not None
    lost = term.answer.ids[0]
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO posts_fts (posts_fts, rowid, title, intro, body) "
            "SELECT 'delete', rowid, title, intro, body FROM posts WHERE id = ?",
            (lost,),
        )
    result = runner.invoke(app, ["check-index", str(tmp_path / "w.jsonl"), "--db", str(db), "--failures", "100"])
    assert result.exit_code == 1
    line = next(x for x in result.stdout.splitlines() if x.startswith(f"failed {term.id} "))
    assert line == (
        f"failed {term.id} term {orjson.dumps(term.query).decode()}: expected {term.answer.count:,}, "
        f"got {term.answer.count - 1:,}; missing {lost}"
    )
    report = runner.invoke(app, ["check-index", str(tmp_path / "w.jsonl"), "--db", str(db), "-f", "json"])
    assert report.exit_code == 1
    body = orjson.loads(report.stdout)
    assert set(body) == {"db", "queries", "passed", "failed", "kinds", "failures"} and body["failed"] >= 1
    assert set(body["kinds"]) == set(KINDS) and body["kinds"]["term"]["recall"] < 1


def test_check_index_errors_exit_2(tmp_path: Path, imported: tuple[Path, Path]) -> None:
    _, db = imported
    missing = runner.invoke(app, ["check-index", str(tmp_path / "none.jsonl"), "--db", str(db)])
    assert missing.exit_code == 2 and missing.stderr.startswith(f"synth: error: cannot read {tmp_path / 'none.jsonl'}")
    (tmp_path / "bad.jsonl").write_bytes(b"{oops\n")
    bad = runner.invoke(app, ["check-index", str(tmp_path / "bad.jsonl"), "--db", str(db)])
    assert bad.exit_code == 2 and bad.stderr.startswith(f"synth: error: {tmp_path / 'bad.jsonl'}:1: not JSON")
    nodb = runner.invoke(app, ["check-index", str(tmp_path / "bad.jsonl"), "--db", str(tmp_path / "x.db")])
    assert nodb.exit_code == 2 and "no database at" in nodb.stderr


def test_repeat_to_stdout_needs_a_log_file() -> None:
    result = runner.invoke(app, ["queries", "-n", "10", "--repeat", "5"])
    assert result.exit_code == 2
    assert result.stderr == (
        "synth: error: --repeat needs --log when the workload goes to stdout. To resolve this error, add --log FILE\n"
    )


def test_queries_reuse_answers_a_workload_over_another_corpus(tmp_path: Path) -> None:
    first = runner.invoke(app, ["queries", "-n", "150", "--queries", "30", "-o", str(tmp_path / "a.jsonl"), "-q"])
    assert first.exit_code == 0
    again = runner.invoke(
        app,
        [
            "queries",
            "-n",
            "150",
            "--edition",
            "2",
            "--reuse",
            str(tmp_path / "a.jsonl"),
            "-o",
            str(tmp_path / "b.jsonl"),
        ],
    )
    assert again.exit_code == 0, again.output
    old = [orjson.loads(x) for x in (tmp_path / "a.jsonl").read_bytes().splitlines()]
    new = [orjson.loads(x) for x in (tmp_path / "b.jsonl").read_bytes().splitlines()]
    assert [(q["id"], q["query"]) for q in new] == [(q["id"], q["query"]) for q in old][: len(new)]
    assert {q["id"]: q["answer"] for q in new} == {
        q.id: q.answer.as_dict() for q in queries(count=150, edition=2, reuse=str(tmp_path / "a.jsonl"))
    }
