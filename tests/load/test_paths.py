"""The two load paths give one database: a fresh load (empty database: tables first, indexes and the
search index at the end) and the incremental path (a database with posts: indexes kept up batch by
batch) end in the same tables, rejects and search results; concurrent and killed runs on both paths;
the progress bar on a terminal only; the summary's exact lines."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.assemble import batch_json
from synth.generation.writer import write_corpus
from synth.load.importer import import_paths, import_validation
from synth.load.search import search
from synth.validate.check import check
from synth.validate.records import Record
from tests.load.common import SECONDARY, deferred, digest, fts_intact, indexes, options, query, write_lines

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def _invalid_corpus(tmp_path: Path, count: int = 600) -> Path:
    path = tmp_path / "labelled.jsonl"
    write_corpus(str(path), count=count, seed=4, invalid_rate=0.08)
    return path


def _first_valid(lines: list[bytes]) -> bytes:
    opts = import_validation(as_of="2030-01-01")
    return next(line for k, line in enumerate(lines, 1) if not check(Record(k, 0, line), opts).rejected)


def _rejects(db: str, path: Path) -> list[tuple[object, ...]]:
    """The stored rejects of ``path`` (by record), raw text and findings as stored."""
    rows = query(db, "SELECT source, record, line, raw, findings FROM synth_rejects ORDER BY source, record")
    return [tuple(str(v) for v in row) for row in rows if str(row[0]).startswith(str(path.resolve()))]


def seed_incremental(db: str, tmp_path: Path, lines: list[bytes]) -> None:
    """Make ``db`` hold one post of ``lines`` (and its indexes), so that the next import takes the
    incremental path."""
    seeded = import_paths([str(write_lines(tmp_path / "seed.jsonl", [_first_valid(lines)]))], db, options=options())
    assert seeded.counts.inserted == 1 and not deferred(db) and indexes(db) >= SECONDARY


def test_the_fresh_and_the_incremental_path_build_the_same_database(
    db_url: str, reference_url: str, tmp_path: Path
) -> None:
    source = _invalid_corpus(tmp_path)
    lines = source.read_bytes().splitlines()
    fresh = import_paths([str(source)], db_url, options=options(batch=100), rejects=str(tmp_path / "fresh.jsonl"))
    assert fresh.fresh and fresh.counts.rejected > 0
    seed_incremental(reference_url, tmp_path, lines)
    incremental = import_paths(
        [str(source)], reference_url, options=options(batch=100), rejects=str(tmp_path / "incremental.jsonl")
    )
    assert not incremental.fresh
    assert (incremental.counts.inserted, incremental.counts.unchanged) == (
        fresh.counts.inserted - 1,
        fresh.counts.unchanged + 1,  # the seeded post (a repeated id counts as unchanged on both paths)
    )
    assert incremental.counts.rejected == fresh.counts.rejected
    assert digest(db_url) == digest(reference_url)
    assert _rejects(db_url, source) == _rejects(reference_url, source)
    assert (tmp_path / "fresh.jsonl").read_bytes() == (tmp_path / "incremental.jsonl").read_bytes()
    assert indexes(db_url) == indexes(reference_url)
    for db in (db_url, reference_url):
        fts_intact(db)
    titles = [title for (title,) in query(db_url, "SELECT title FROM posts ORDER BY id LIMIT 3")]
    for words in ["the", *(" ".join(title.split()[-2:]) for title in titles)]:
        found = search(db_url, words, limit=40)
        assert found and found == search(reference_url, words, limit=40), words


def _import_command(source: Path, db: str, rejects: Path) -> list[str]:
    return [sys.executable, "-m", "synth", "import", str(source), "--db", db, "--batch", "50", "--as-of", "2030-01-01",
            "--rejects", str(rejects)]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("path", ["fresh", "incremental"])
def test_two_loads_at_once_end_complete_and_indexed_on_both_paths(
    db_url: str, reference_url: str, tmp_path: Path, path: str
) -> None:
    halves = [write_lines(tmp_path / f"h{k}.jsonl", batch_json(300 * k, 300, seed=8)) for k in range(2)]
    if path == "incremental":
        seed_incremental(db_url, tmp_path, halves[1].read_bytes().splitlines())
    children = [
        subprocess.Popen(_import_command(half, db_url, tmp_path / f"d{k}"), stderr=subprocess.PIPE, cwd=ROOT)
        for k, half in enumerate(halves)
    ]
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
    import_paths([str(h) for h in halves], reference_url, options=options())
    assert digest(db_url) == digest(reference_url)
    assert not deferred(db_url) and indexes(db_url) >= SECONDARY
    fts_intact(db_url)
    for words in ("the", "redis cache"):
        assert search(db_url, words, limit=30) == search(reference_url, words, limit=30)


# ---- progress on a terminal only, and the summary ---------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _on_a_terminal(argv: list[str]) -> str:
    """What ``synth argv`` writes to stderr when stderr is a terminal (a pseudo-terminal), escapes removed."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "160"}
    child = subprocess.Popen(
        [sys.executable, "-m", "synth", *argv], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=follower, cwd=ROOT, env=env,
    )  # fmt: skip
    os.close(follower)
    out = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert child.wait(timeout=300) == 0, out.decode(errors="replace")
    return ANSI.sub("", out.decode()).replace("\r", "\n")  # each redraw of the bar on a line of its own


BAR = re.compile(r"importing .*\d+% +[\d,]+ records +[\d,]+ rows/s +(\d:\d\d:\d\d|-:--:--)")


def test_a_terminal_gets_a_progress_bar_by_bytes_with_rows_per_second_and_an_eta(tmp_path: Path) -> None:
    source = tmp_path / "posts.jsonl"
    write_corpus(str(source), count=3000, seed=2)
    text = _on_a_terminal(["import", str(source), "--db", str(tmp_path / "t.db"), "--batch", "100", "--as-of",
                           "2030-01-01"])  # fmt: skip
    bars = [line for line in text.splitlines() if BAR.search(line)]
    assert bars, text
    assert "3,000 records: 3,000 inserted" in text


SUMMARY = re.compile(
    r"(?P<records>[\d,]+) records: (?P<inserted>[\d,]+) inserted, (?P<updated>[\d,]+) updated, "
    r"(?P<unchanged>[\d,]+) unchanged, (?P<rejected>[\d,]+) rejected, 0 deleted in \d+\.\d\d s \([\d,]+ records/s\)"
)
STAGES = (
    r"time: read \d+\.\d\d s, validate \d+\.\d\d s, write \d+\.\d\d s, index \d+\.\d\d s \({kind}; the stages overlap\)"
)


def test_without_a_terminal_the_summary_is_all_there_is(tmp_path: Path) -> None:
    """No bar, no carriage return: the summary line, the rejects file, where the time went."""
    source = _invalid_corpus(tmp_path, 200)
    db, dead = str(tmp_path / "q.db"), tmp_path / "dead.jsonl"
    oracle = str(tmp_path / "oracle.db")  # the library's own counts, for the same two runs
    expected = [import_paths([str(source)], oracle, options=options()).counts for _ in range(2)]
    args = ["import", str(source), "--db", db, "--as-of", "2030-01-01", "--rejects", str(dead), "--allow-rejects"]
    first, again = runner.invoke(app, args), runner.invoke(app, args)
    kinds = ("fresh load, indexes built at the end", "incremental")
    for result, kind, c in zip((first, again), kinds, expected, strict=True):
        counts = (c.records, c.inserted, c.updated, c.unchanged, c.rejected)
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        summary, rejects, stages = result.stderr.split("\n")[:3]
        assert result.stderr.count("\n") == 3 and "\r" not in result.stderr
        found = SUMMARY.fullmatch(summary)
        assert found is not None, summary
        assert tuple(int(found[k].replace(",", "")) for k in ("records", "inserted", "updated", "unchanged",
                                                               "rejected")) == counts  # fmt: skip
        assert rejects == f"rejected records: {dead}"
        assert re.fullmatch(STAGES.format(kind=re.escape(kind)), stages), stages
