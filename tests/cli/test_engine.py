"""``--engine auto|native|python`` of ``synth validate`` and ``synth import``: no finding or row depends on it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.writer import write_corpus
from synth.validate import native
from tests.fuzzing import mutated_records

runner = CliRunner()
needs_native = pytest.mark.skipif(not native.available(), reason="synth._native.Checker is not built")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("engine")
    path = folder / "mixed.jsonl"
    write_corpus(str(path), count=300, seed=4, invalid_rate=0.2, truth=str(folder / "truth.jsonl"))
    with path.open("ab") as stream:
        stream.write(b"\n".join(mutated_records(200, seed=4)) + b"\n")
    return path


@needs_native
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_validate_prints_the_same_findings_with_every_engine(mixed: Path, fmt: str) -> None:
    runs = {
        engine: runner.invoke(app, ["validate", str(mixed), "--as-of", "2025-01-01", "-f", fmt, "--engine", engine])
        for engine in ("auto", "native", "python")
    }
    assert {r.exit_code for r in runs.values()} == {1}
    assert runs["native"].output == runs["python"].output == runs["auto"].output
    assert "C014" in runs["python"].output


def test_an_unknown_engine_is_a_usage_error(mixed: Path) -> None:
    result = runner.invoke(app, ["validate", str(mixed), "--engine", "rust"])
    assert result.exit_code == 2
    assert "--engine" in result.output


def test_engine_native_without_the_compiled_checker(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "available", lambda: False)
    for argv in (["validate", str(mixed)], ["import", str(mixed), "--db", str(mixed.parent / "none.db")]):
        result = runner.invoke(app, [*argv, "--engine", "native"])
        assert result.exit_code == 2, result.output
        assert "synth._native.Checker is not built" in result.output
        assert "--engine 'python'" in result.output
    assert not (mixed.parent / "none.db").exists()


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(posts)")]
        kept = ", ".join(c for c in columns if c not in {"imported_at", "updated_at"})
        return {
            "posts": conn.execute(f"SELECT {kept} FROM posts ORDER BY id").fetchall(),
            "tools": conn.execute("SELECT * FROM post_tools ORDER BY post_id, position").fetchall(),
            "entities": conn.execute("SELECT * FROM post_entities ORDER BY post_id, position").fetchall(),
            "links": conn.execute("SELECT * FROM post_links ORDER BY post_id, position").fetchall(),
            "rejects": conn.execute("SELECT line, raw, findings FROM synth_rejects ORDER BY line").fetchall(),
        }


@needs_native
def test_import_writes_the_same_rows_with_every_engine(mixed: Path, tmp_path: Path) -> None:
    tables = {}
    for engine in ("native", "python"):
        db = tmp_path / f"{engine}.db"
        argv = ["import", str(mixed), "--db", str(db), "--as-of", "2025-01-01", "--engine", engine, "--allow-rejects"]
        result = runner.invoke(app, argv)
        assert result.exit_code == 0, result.output
        tables[engine] = _tables(db)
    assert tables["native"] == tables["python"]
    assert tables["native"]["posts"] and tables["native"]["rejects"]
