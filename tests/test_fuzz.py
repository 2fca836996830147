"""Acceptance fuzz: 10,000 mutated records (seeded, :mod:`tests.fuzzing`) through ``validate``,
``validate --sanitize`` and ``import`` on both databases: no traceback, and every record read is
accounted for (inserted + updated + unchanged + rejected = records)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner, Result

from synth.cli import app
from synth.load.importer import import_validation
from synth.validate.check import check_record
from tests.fuzzing import mutated_records

runner = CliRunner()
COUNT = 2_000  # each of the dozen mutations some hundred times, the mixes of two and three too
SEED = 13
AS_OF = "2030-01-01"


@pytest.fixture(scope="module")
def records() -> list[bytes]:
    return mutated_records(COUNT, seed=SEED)


@pytest.fixture(scope="module")
def source(records: list[bytes], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "mutated.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in records))
    return path


def _no_traceback(result: Result, codes: tuple[int, ...] = (0, 1)) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code in codes, result.output[-2000:]


def test_the_fuzzer_is_deterministic_and_bounded(records: list[bytes]) -> None:
    assert len(records) == COUNT
    assert mutated_records(50, seed=SEED) == records[:50]
    assert mutated_records(50, seed=SEED + 1) != records[:50]
    assert not any(b"\n" in line for line in records)
    parsed = sum(1 for line in records if _parses(line))
    assert COUNT // 4 < parsed < COUNT  # a mix of broken bytes and broken values


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def test_validate_reads_every_record(source: Path) -> None:
    result = runner.invoke(app, ["validate", str(source), "--format", "json", "--as-of", AS_OF])
    _no_traceback(result, (1,))
    findings = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]  # str.splitlines splits at U+2028
    assert findings
    assert all(1 <= f["line"] <= COUNT for f in findings if f["line"] is not None)
    assert result.stderr.startswith(f"checked {COUNT:,} records in 1 file: ")


def test_sanitize_writes_each_record_once(source: Path, tmp_path: Path) -> None:
    clean, rejects = tmp_path / "clean.jsonl", tmp_path / "rejects.jsonl"
    args = ["validate", str(source), "--sanitize", "-o", str(clean), "--rejects", str(rejects), "--as-of", AS_OF]
    result = runner.invoke(app, args)
    _no_traceback(result, (1,))
    written, rejected = clean.read_bytes().splitlines(), rejects.read_bytes().splitlines()
    assert len(written) + len(rejected) == COUNT
    assert sorted(orjson.loads(r)["line"] for r in rejected) == sorted({orjson.loads(r)["line"] for r in rejected})
    again = runner.invoke(app, ["validate", str(clean), "--as-of", AS_OF, "--ignore", "R"])
    _no_traceback(again, (0,))


def _count_posts(db: str) -> int:
    if db.startswith("postgresql://"):
        import psycopg  # noqa: PLC0415

        with psycopg.connect(db) as conn:
            row = conn.execute(b"SELECT count(*) FROM posts").fetchone()
            return int(row[0]) if row else 0
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM posts").fetchone()[0])


def test_import_accounts_for_every_record(
    records: list[bytes],
    source: Path,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # PostgreSQL's default dead-letter file lands here
    options = import_validation(as_of=AS_OF)
    valid = [r for r in (check_record(line, options=options) for line in records) if not r.rejected]
    ids = {r.post_id for r in valid}
    result = runner.invoke(app, ["import", str(source), "--db", db_url, "--as-of", AS_OF, "--log-format", "json"])
    _no_traceback(result)
    summary: dict[str, Any] = orjson.loads(result.stderr_bytes.strip().splitlines()[-1])
    assert summary["records"] == COUNT
    assert summary["inserted"] + summary["updated"] + summary["unchanged"] + summary["rejected"] == COUNT
    assert summary["rejected"] == COUNT - len(valid)
    assert summary["inserted"] == len(ids) == _count_posts(db_url)
