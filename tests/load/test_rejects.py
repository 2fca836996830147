"""The dead-letter file: appended, never truncated or deleted, named after the database (issue 13, point 4)."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.assemble import batch_json
from synth.load.importer import import_paths
from synth.load.rejects import default_rejects
from synth.load.tables import Tables
from tests.load.common import lines_of, mixed, options, query, write_lines

runner = CliRunner()
AS_OF = ["--as-of", "2030-01-01"]


@pytest.mark.parametrize("text", ["precious\n", "\nprecious\n", "  \n\nprecious"])
def test_a_file_that_is_not_synth_s_is_refused_before_importing(tmp_path: Path, text: str) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text(text)
    source = write_lines(tmp_path / "five.jsonl", batch_json(0, 5))
    db = tmp_path / "x.db"
    result = runner.invoke(app, ["import", str(source), "--db", str(db), "--rejects", str(notes), *AS_OF])
    assert result.exit_code == 2
    assert result.stderr == (
        f"synth: error: the rejects file {notes} exists and is not a synth rejects file (synth appends only to its "
        "own, and never overwrites a file); nothing was imported. To resolve this error, name a new file (or an "
        "earlier synth rejects file) with --rejects, or move this one away\n"
    )
    assert notes.read_text() == text
    assert not db.exists()


@pytest.mark.parametrize("content", [b"", b"\n", b" \n\n"])
def test_an_empty_file_is_appended_to(tmp_path: Path, content: bytes) -> None:
    dead = tmp_path / "dead.jsonl"
    dead.write_bytes(content)
    source = write_lines(tmp_path / "m.jsonl", mixed(3, bad={1}))
    summary = import_paths([str(source)], str(tmp_path / "x.db"), options=options(), rejects=str(dead))
    assert summary.rejects_file == str(dead)
    assert dead.read_bytes().startswith(content)
    entries = [orjson.loads(line) for line in dead.read_bytes().splitlines() if line.strip()]
    assert [e["record"] for e in entries] == [2]


def test_a_clean_import_leaves_every_file_alone(db_url: str, tmp_path: Path) -> None:
    bad = write_lines(tmp_path / "bad.jsonl", mixed(4, bad={0}))
    first = import_paths([str(bad)], db_url, options=options())
    default = Path(first.rejects_file or "")
    before = default.read_bytes()
    assert [e["record"] for e in lines_of(default)] == [1]
    clean = write_lines(tmp_path / "clean.jsonl", batch_json(10, 5))
    again = import_paths([str(clean)], db_url, options=options())
    assert (again.rejects_file, again.rejects_files) == (None, [])
    assert default.read_bytes() == before  # the rejects of the earlier import are still there


def test_rejects_are_appended_once_each(db_url: str, tmp_path: Path) -> None:
    dead = tmp_path / "dead.jsonl"
    one = write_lines(tmp_path / "one.jsonl", mixed(5, bad={1, 3}))
    two = write_lines(tmp_path / "two.jsonl", mixed(4, bad={0}, seed=1))
    import_paths([str(one)], db_url, options=options(), rejects=str(dead))
    written = dead.read_bytes()
    again = import_paths([str(one)], db_url, options=options(), rejects=str(dead))  # the same file: same rejects
    assert (again.counts.rejected, again.rejects_file, again.rejects_files) == (2, None, [str(dead)])
    assert dead.read_bytes() == written
    import_paths([str(two)], db_url, options=options(), rejects=str(dead))
    assert dead.read_bytes().startswith(written)
    assert [(Path(e["file"]).name, e["record"]) for e in lines_of(dead)] == [
        ("one.jsonl", 2),
        ("one.jsonl", 4),
        ("two.jsonl", 1),
    ]


def test_changed_findings_are_written_again(tmp_path: Path) -> None:
    """Under another --as-of a record is rejected for another reason: that is news."""
    dead, db = tmp_path / "dead.jsonl", str(tmp_path / "x.db")
    source = write_lines(tmp_path / "m.jsonl", mixed(3, bad={1}))
    import_paths([str(source)], db, options=options(), rejects=str(dead))
    import_paths([str(source)], db, options=options(), rejects=str(dead))
    assert len(lines_of(dead)) == 1
    query(db, "UPDATE synth_rejects SET findings = '[]'")  # as if an earlier synth had found something else
    import_paths([str(source)], db, options=options(), rejects=str(dead))
    assert [e["record"] for e in lines_of(dead)] == [2, 2]


def test_rejects_of_records_that_now_pass_leave_the_table(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    source = write_lines(tmp_path / "m.jsonl", mixed(3, bad={1}))
    import_paths([str(source)], db, options=options())
    assert query(db, "SELECT record FROM synth_rejects") == [(2,)]
    query(db, "UPDATE synth_rejects SET record = 3")  # record 3 is valid: its row is stale
    import_paths([str(source)], db, options=options())
    assert query(db, "SELECT record FROM synth_rejects") == [(2,)]


def test_a_compressed_rejects_file_gets_one_more_member(tmp_path: Path) -> None:
    dead, db = tmp_path / "dead.jsonl.gz", str(tmp_path / "x.db")
    import_paths([str(write_lines(tmp_path / "a.jsonl", mixed(2, bad={0})))], db, options=options(), rejects=str(dead))
    import_paths(
        [str(write_lines(tmp_path / "b.jsonl", mixed(2, bad={1}, seed=3)))], db, options=options(), rejects=str(dead)
    )
    with gzip.open(dead) as stream:
        entries = [line for line in stream.read().splitlines() if line]
    assert len(entries) == 2


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "folder",
            "the rejects file {tmp}/folder is a folder. To resolve this error, name a file in it with --rejects",
        ),
        (
            "missing/dead.jsonl",
            "the rejects file {tmp}/missing/dead.jsonl is in a folder that does not exist ({tmp}/missing). To resolve "
            "this error, create the folder, or name a file in an existing folder with --rejects",
        ),
    ],
)
def test_unusable_targets_are_refused_before_importing(tmp_path: Path, target: str, message: str) -> None:
    (tmp_path / "folder").mkdir()
    source = write_lines(tmp_path / "p.jsonl", batch_json(0, 2))
    db = tmp_path / "x.db"
    result = runner.invoke(app, ["import", str(source), "--db", str(db), "--rejects", str(tmp_path / target), *AS_OF])
    assert result.exit_code == 2
    assert result.stderr == f"synth: error: {message.format(tmp=tmp_path)}\n"
    assert not db.exists()


@pytest.mark.parametrize(
    ("db", "tables", "name"),
    [
        ("synth.db", Tables(), "synth.db.rejects.jsonl"),
        ("sqlite:///data/x.db", Tables("app_"), "data/x.db.app_rejects.jsonl"),
        ("postgresql://u:s3cret@db.example:6543/shop", Tables(), "synth-rejects-db.example-6543-shop-public.jsonl"),
        ("postgresql://u@db.example/shop", Tables(schema="tenant"), "synth-rejects-db.example-5432-shop-tenant.jsonl"),
        (
            "postgresql://u@h/shop?options=-csearch_path%3Dtenant_2&password=s3cret",
            Tables("p_"),
            "synth-rejects-h-5432-shop-tenant_2-p_.jsonl",
        ),
        ("postgresql://u@[::1]:5433/x", Tables(), "synth-rejects-_1_-5433-x-public.jsonl"),
        ("postgresql://bob@/", Tables(), "synth-rejects-localhost-5432-bob-public.jsonl"),
        ("postgresql://u@h/a%2Fb%20c", Tables(), "synth-rejects-h-5432-a_b_c-public.jsonl"),
    ],
)
def test_the_default_file_is_named_after_the_database(db: str, tables: Tables, name: str) -> None:
    assert default_rejects(db, tables) == name


def test_two_postgres_schemas_get_two_files(postgres_url: str, tmp_path: Path) -> None:
    source = write_lines(tmp_path / "m.jsonl", mixed(3, bad={2}))
    one = import_paths([str(source)], postgres_url, options=options())
    two = import_paths([str(source)], postgres_url, options=options(tables=Tables("other_")))
    assert one.rejects_file != two.rejects_file
    assert all(Path(f or "").is_file() for f in (one.rejects_file, two.rejects_file))
    assert "search_path" not in (one.rejects_file or "") and (one.rejects_file or "").startswith("synth-rejects-")
