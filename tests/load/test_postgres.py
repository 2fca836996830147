"""What PostgreSQL cannot store (NUL), its layout migration and its connection errors; the corpora
tests run on both databases (issue 13, points 6, 3 and 25)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.assemble import batch_json, post_dict
from synth.load.backend import LAYOUT_VERSION
from synth.load.importer import import_paths, import_validation
from synth.validate.check import check
from synth.validate.records import Record, kept_raw, records
from tests.conftest import SHARED
from tests.load.common import digest, execute, lines_of, options, query, sealed, write_lines

runner = CliRunner()
SUITE = sorted((SHARED / "corpora" / "jsontestsuite").glob("*.json"))
NAUGHTY = SHARED / "corpora" / "naughty-strings" / "blns.json"


def _with(index: int, change: Any) -> bytes:
    post = post_dict(index, seed=2)
    change(post)
    return sealed(post)


def _nul_lines() -> list[bytes]:
    """Records that put NUL into an id, a kind, a key, a value, a message or a raw line."""
    return [
        b'{"id":"\\u0000"}',
        _with(100, lambda p: p.__setitem__("id", "\x00")),
        _with(101, lambda p: p["sections"][0].__setitem__("kind", "\x00")),
        _with(102, lambda p: p["meta"].__setitem__("x\x00y", 1)),
        _with(103, lambda p: p.__setitem__("title", "a\x00b")),
        b'{"id": "raw\x00nul"}',
        b"\x00",
        b'{"\\u0000": "\\u0000"}',
    ]


def test_nul_anywhere_rejects_one_record_not_the_batch(db_url: str, tmp_path: Path) -> None:
    bad = _nul_lines()
    good = batch_json(0, 4, seed=2)
    lines = [line for pair in zip(bad, good, strict=False) for line in pair] + bad[len(good) :]
    source = write_lines(tmp_path / "nul.jsonl", lines)
    dead = tmp_path / "dead.jsonl"
    summary = import_paths([str(source)], db_url, options=options(batch=3), rejects=str(dead))
    assert (summary.counts.inserted, summary.counts.rejected) == (4, len(bad))
    entries = lines_of(dead)
    kept = [kept_raw(Record(k, 0, line)) for k, line in enumerate(bad, 1)]  # long posts keep their first 4 KiB
    assert [e["raw"] for e in entries] == kept  # NUL and all
    stored = query(db_url, "SELECT raw, findings FROM synth_rejects ORDER BY line")
    assert [bytes(r).decode() if not isinstance(r, str) else r for r, _ in stored] == kept
    assert [orjson.loads(f) for _, f in stored] == [e["findings"] for e in entries]
    again = import_paths([str(source)], db_url, options=options(batch=3), rejects=str(dead))
    assert (again.counts.unchanged, again.counts.rejected) == (4, len(bad))


def _framed(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in records(stream, import_validation()))


@pytest.mark.skipif(not SUITE, reason="shared/corpora/jsontestsuite is not beside the checkout")
def test_the_whole_json_test_suite_is_read_record_by_record(db_url: str, tmp_path: Path) -> None:
    dead = tmp_path / "dead.jsonl"
    summary = import_paths([str(p) for p in SUITE], db_url, options=options(batch=7), rejects=str(dead))
    expected = sum(_framed(p) for p in SUITE)
    assert (summary.counts.records, summary.counts.inserted, summary.counts.rejected) == (expected, 0, expected)
    entries = lines_of(dead)
    assert len(entries) == expected
    assert {Path(e["file"]).name for e in entries} == {p.name for p in SUITE if _framed(p)}


def _naughty_lines(strings: list[str]) -> list[bytes]:
    lines = []
    for k, text in enumerate(strings):
        for variant in (text, text + "\x00"):
            lines.append(_with(k, lambda p, v=variant: p.__setitem__("id", v)))
            lines.append(_with(k, lambda p, v=variant: p["meta"].__setitem__(v, v)))
        lines.append(_with(k, lambda p, v=text: p["meta"]["notes"].append(f"note {v} end")))
    return lines


@pytest.mark.slow
@pytest.mark.skipif(not NAUGHTY.exists(), reason="shared/corpora/naughty-strings is not beside the checkout")
def test_naughty_strings_as_ids_keys_and_values(db_url: str, tmp_path: Path) -> None:
    strings = json.loads(NAUGHTY.read_text(encoding="utf-8"))
    lines = _naughty_lines(strings)
    validation = import_validation(as_of="2030-01-01")
    accepted = [line for line in lines if check(Record(1, 0, line), validation).post is not None]
    source = write_lines(tmp_path / "naughty.jsonl", lines)
    dead = tmp_path / "dead.jsonl"
    summary = import_paths([str(source)], db_url, options=options(batch=50), rejects=str(dead))
    assert summary.counts.records == len(lines)
    assert summary.counts.inserted + summary.counts.updated + summary.counts.unchanged == len(accepted)
    assert summary.counts.rejected == len(lines) - len(accepted) == len(lines_of(dead))
    kept = {orjson.loads(line)["id"]: orjson.loads(line) for line in accepted}  # a repeated id: the last wins
    docs = {
        pid: orjson.loads(doc) if isinstance(doc, str) else doc
        for pid, doc in query(db_url, "SELECT id, doc FROM posts")
    }
    assert docs == kept


# --- Layout 1 databases are migrated in place (point 3) ------------------------------------------

V1_TABLES = (
    "DROP TABLE synth_checkpoints",
    "DROP TABLE synth_rejects",
    "CREATE TABLE synth_checkpoints (source text PRIMARY KEY, line bigint NOT NULL, inserted bigint NOT NULL, "
    "updated bigint NOT NULL, unchanged bigint NOT NULL, rejected bigint NOT NULL)",
    'CREATE TABLE synth_rejects (source text NOT NULL, line bigint NOT NULL, "offset" bigint NOT NULL, '
    "raw text NOT NULL, findings jsonb NOT NULL, PRIMARY KEY (source, line))",
    "ALTER TABLE posts DROP COLUMN line_digest",  # layout 3's
    "UPDATE synth_meta SET value = '1' WHERE key = 'layout_version'",
)


def test_a_layout_1_database_is_migrated_in_place(postgres_url: str, tmp_path: Path) -> None:
    lines = batch_json(0, 6, seed=2)
    source = write_lines(tmp_path / "p.jsonl", [*lines[:3], b"{}", *lines[3:]])
    old = write_lines(tmp_path / "old.jsonl", [b"[]"])
    import_paths([str(write_lines(tmp_path / "seed.jsonl", lines[:2]))], postgres_url, options=options())
    execute(postgres_url, *V1_TABLES)
    execute(
        postgres_url,
        f"INSERT INTO synth_rejects VALUES ('{old.resolve()}|3|x', 1, 0, '[]', '[{{\"code\": \"P001\"}}]')",
        f"INSERT INTO synth_checkpoints VALUES ('{source.resolve()}|0|y', 2, 2, 0, 0, 0)",  # another identity
    )
    dead = tmp_path / "dead.jsonl"
    summary = import_paths([str(source)], postgres_url, options=options(), rejects=str(dead))
    assert (summary.counts.inserted, summary.counts.unchanged, summary.counts.rejected) == (4, 2, 1)
    assert query(postgres_url, "SELECT value FROM synth_meta WHERE key = 'layout_version'") == [(str(LAYOUT_VERSION),)]
    assert query(
        postgres_url, "SELECT source, record, line, raw, findings, reported FROM synth_rejects WHERE line = 1"
    ) == [(f"{old.resolve()}|3|x", 1, 1, b"[]", '[{"code": "P001"}]', "")]
    assert [e["record"] for e in lines_of(dead)] == [4]
    again = import_paths([str(source)], postgres_url, options=options(), rejects=str(dead))  # idempotent
    assert again.counts.unchanged == 6
    reference = str(tmp_path / "ref.db")
    import_paths([str(source)], reference, options=options(), rejects=str(tmp_path / "ref.jsonl"))
    assert digest(postgres_url) == digest(reference)


# --- Connection errors name the host and port (point 25) -----------------------------------------


@pytest.mark.parametrize(
    ("url", "start", "hint"),
    [
        (
            "postgresql://u@nohost.invalid:5432/test",
            "postgresql://u@nohost.invalid:5432/test: cannot resolve the host name 'nohost.invalid' (",
            "To resolve this error, check the host name 'nohost.invalid' in --db (and that this machine can "
            "resolve it)\n",
        ),
        (
            "postgresql://u@127.0.0.1:99999/test",
            "postgresql://u@127.0.0.1:99999/test: the port '99999' is not a port number (",
            "To resolve this error, check the port in --db: a number from 1 to 65535 after the host (default 5432)\n",
        ),
        (
            "postgresql://u@127.0.0.1:abc/test",
            "postgresql://u@127.0.0.1:abc/test: the port 'abc' is not a port number (",
            "To resolve this error, check the port in --db: a number from 1 to 65535 after the host (default 5432)\n",
        ),
        (
            "postgresql://u@127.0.0.1:1/test",
            "postgresql://u@127.0.0.1:1/test: cannot connect to 127.0.0.1 port 1 (",
            "To resolve this error, check that a PostgreSQL server runs on 127.0.0.1 and listens on port 1, and the "
            "URL\n",
        ),
    ],
)
@pytest.mark.parametrize("command", ["import", "search"])
def test_dns_and_port_errors_name_the_address(tmp_path: Path, url: str, start: str, hint: str, command: str) -> None:
    pytest.importorskip("psycopg")
    source = write_lines(tmp_path / "p.jsonl", batch_json(0, 1))
    args = ["import", str(source), "--db", url] if command == "import" else ["search", "word", "--db", url]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"synth: error: {start}")
    assert result.stderr.endswith(hint)
    assert "server log" not in result.stderr
