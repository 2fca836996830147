"""Search: read-only on SQLite, a line for zero hits, and the tokenizers' documented differences (point 22)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import synth.load.search
from synth.cli import app
from synth.generation.assemble import batch_json, post_dict
from synth.load.importer import import_paths
from synth.load.search import search
from tests.load.common import options, sealed, write_lines

runner = CliRunner()


def _table() -> list[tuple[str, str, str, str]]:
    """The rows of the table in synth.load.search's docstring."""
    doc = synth.load.search.__doc__ or ""
    rows = [re.split(r" {2,}", line.strip()) for line in doc.splitlines()]
    found = [(r[0], r[1], r[2], r[3]) for r in rows if len(r) == 4 and {r[2], r[3]} <= {"yes", "no"}]
    assert len(found) > 20, "the tokenizer table is missing from synth.load.search"
    return found


def _posts(table: list[tuple[str, str, str, str]], with_text: bool) -> list[bytes]:
    lines = []
    for k, (text, _, _, _) in enumerate(table):
        post = post_dict(k, seed=11)
        post["sections"][0]["paragraphs"][0] = f"marker{k} {text} end" if with_text else f"marker{k} end"
        lines.append(sealed(post))
    return lines


def _matches(db: str, table: list[tuple[str, str, str, str]]) -> list[str]:
    return [
        "yes" if f"alphanode-{k:06d}" in {pid for pid, _, _ in search(db, f"marker{k} {q}", limit=50)} else "no"
        for k, (_, q, _, _) in enumerate(table)
    ]


def test_the_tokenizer_table_is_what_each_database_does(db_url: str, tmp_path: Path) -> None:
    table = _table()
    column = 3 if db_url.startswith("postgresql://") else 2
    source = tmp_path / "w.jsonl"
    write_lines(source, _posts(table, with_text=False))  # first without the words: nothing else matches them
    import_paths([str(source)], db_url, options=options())
    assert _matches(db_url, table) == ["no"] * len(table)
    write_lines(source, _posts(table, with_text=True))
    import_paths([str(source)], db_url, options=options())
    got = _matches(db_url, table)
    wrong = [(row[0], row[1], row[column], seen) for row, seen in zip(table, got, strict=True) if row[column] != seen]
    assert wrong == [], "synth.load.search documents another answer (text, query, documented, seen)"


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    db = tmp_path / "s.db"
    import_paths([str(write_lines(tmp_path / "p.jsonl", batch_json(0, 30, seed=3)))], str(db), options=options())
    return db


def test_zero_hits_say_so_and_exit_1(imported: Path) -> None:
    result = runner.invoke(app, ["search", "zzzyqx", "--db", str(imported)])
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "no posts match 'zzzyqx'\n")
    json_result = runner.invoke(app, ["search", "zzzyqx nothing", "--db", str(imported), "--format", "json"])
    assert (json_result.exit_code, json_result.stdout) == (1, "")
    assert json_result.stderr == "no posts match 'zzzyqx nothing'\n"


def test_search_never_changes_the_database_file(imported: Path) -> None:
    with sqlite3.connect(imported) as conn:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    before = imported.read_bytes()
    hits = runner.invoke(app, ["search", "the", "--db", str(imported)])
    assert hits.exit_code == 0 and hits.stdout
    assert imported.read_bytes() == before  # a WAL switch rewrites the header
    assert sorted(p.name for p in imported.parent.iterdir() if p.name.startswith("s.db")) == ["s.db"]


def _as_nobody() -> list[str] | None:
    """How to run a command as a user without write access here (root ignores file modes)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups"] if setpriv else None


def test_search_works_in_a_read_only_folder(imported: Path) -> None:
    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("running as root without setpriv: no way to lose write access")
    folder = Path(tempfile.mkdtemp())
    try:
        shutil.copy(imported, folder / "ro.db")  # no -wal or -shm file beside it
        (folder / "ro.db").chmod(0o444)
        folder.chmod(0o555)
        command = [*prefix, sys.executable, "-m", "synth", "search", "the", "--db", str(folder / "ro.db"), "-n", "3"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert (done.returncode, done.stderr) == (0, "")
        assert len(done.stdout.splitlines()) == 3
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


@pytest.mark.parametrize("name", ["missing.db", "folder"])
def test_a_missing_database_is_a_clear_error(tmp_path: Path, name: str) -> None:
    (tmp_path / "folder").mkdir()
    db = tmp_path / name
    result = runner.invoke(app, ["search", "x", "--db", str(db)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"synth: error: no database at {db}. To resolve this error, import posts first: synth import FILE --db {db}\n"
    )
    assert not (tmp_path / "missing.db").exists()
