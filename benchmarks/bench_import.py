"""Import throughput: ``synth import`` against the tools that load the same data without validating it.

Run from the project root with the project's virtualenv (progress goes to stderr)::

    .venv/bin/pip install -e '.[bench]'                     # sqlite-utils, the SQLite peer
    .venv/bin/python benchmarks/bench_import.py             # 20,000 posts, 2 rounds
    .venv/bin/python benchmarks/bench_import.py --quick     # smoke run: 3,000 posts, 1 round
    .venv/bin/python benchmarks/bench_import.py --large     # 200,000 posts, 1 round
    .venv/bin/python benchmarks/bench_import.py --rss 1000000   # also the peak RSS at that many posts

Needs PostgreSQL at 127.0.0.1:5432 (database ``test``, user ``postgres``, no password), its
client tools (``psql``, ``pg_dump``, ``pg_restore``), the ``sqlite3`` command
(``apt-get install -y sqlite3``) and ``sqlite-utils`` next to this interpreter. Every
contender reads the SAME file: a clean JSONL corpus of N posts (seed 0), written once, untimed,
with the next edition of the same corpus (``synth.generation.edition``) for the ``--sync`` row.

synth's modules are compiled to bytecode first (``compileall``), as pip compiles the peers' at
install: without it, under ``PYTHONDONTWRITEBYTECODE``, every synth command would recompile them.

Rows (every one a whole command in a subprocess, timed around the process; "synth s" is synth's
own ``seconds``, start-up excluded; "read/validate/write/index" its summary's busy time per
stage, which overlap):

* ``sqlite-utils insert DB posts FILE --nl --pk id``: no validation, no child tables, no
  full-text index.
* ``sqlite3 NEW.db < DUMP``: the ``.dump`` (SQL text) of the database synth built, FTS5
  shadow tables included, so nothing is tokenised again.
* ``synth import FILE --db NEW.db`` (fresh: validation, child tables, FTS5 built at the end),
  then the same command again (every post unchanged, skipped unparsed), then ``--sync`` to the
  next edition (changed, new and deleted posts).
* ``pg_restore -j 2 -d test DUMP``: a custom-format dump (``pg_dump -Fc``) of the schema synth
  built (tables, generated tsvector column and GIN index, child tables, B-tree indexes).
* ``synth import FILE --db postgresql://...`` into a new schema (fresh), then again (unchanged),
  then ``--sync`` to the next edition.
* peak RSS of ``synth import`` into SQLite at N and 10 N posts (and ``--rss`` posts).

The machine is shared: each row prints the 1-minute load average when it started and how many
CPUs other processes kept busy meanwhile ("others"; for PostgreSQL rows the server counts as
other). Rounds alternate the peers and synth; the fastest run of each row is shown, and the
ratios (rows/s over rows/s) are taken within the same round, best round shown.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import psycopg
from _common import Meter, compile_synth, load_line, print_aligned, progress, spawn
from psycopg import sql

from synth.generation.edition import edition_lines
from synth.generation.writer import write_corpus

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
PG_ARGS = ["-h", "127.0.0.1", "-U", "postgres"]
SEED = 0
PEER_UTILS, PEER_DUMP = "sqlite-utils insert --nl --pk id", "sqlite3 new.db < dump of synth's db"
SQ_FRESH, SQ_AGAIN, SQ_SYNC = (
    "synth import -> SQLite (fresh)",
    "synth re-import, unchanged -> SQLite",
    ("synth import --sync next edition -> SQLite"),
)
PEER_RESTORE = "pg_restore -j 2 of pg_dump -Fc of synth's db"
PG_FRESH, PG_AGAIN, PG_SYNC = (
    "synth import -> PostgreSQL (fresh)",
    "synth re-import, unchanged -> PostgreSQL",
    ("synth import --sync next edition -> PostgreSQL"),
)


@dataclass(frozen=True)
class Mode:
    name: str
    posts: int
    rounds: int


MODES = {"quick": Mode("quick", 3_000, 1), "normal": Mode("normal", 20_000, 2), "large": Mode("large", 200_000, 1)}


@dataclass(frozen=True)
class Row:
    """One timed run."""

    name: str
    posts: int
    seconds: float
    load: float
    others: float | None
    rss_mib: float
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.posts / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Setup:
    folder: Path
    corpus: Path
    edition: Path
    posts: int
    pg: psycopg.Connection[Any]
    schemas: list[str] = field(default_factory=list)


def tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is missing (sqlite3: apt-get install -y sqlite3; sqlite-utils: pip install)")
    return found


def timed(name: str, argv: Sequence[str], setup: Setup, posts: int, stdin: Path | None = None) -> Row:
    progress(name)
    load = os.getloadavg()[0]
    meter = Meter()
    if stdin is not None:  # the launcher reads no stdin: let a shell redirect it (its start-up is ~1 ms)
        argv = ["sh", "-c", f'exec "$0" "$@" < "{stdin}"', *argv]
    done = spawn(argv, setup.folder)
    summary: dict[str, Any] = {}
    if "--log-format" in argv:
        summary = orjson.loads(done.stderr.strip().splitlines()[-1])
    return Row(name, posts, done.seconds, load, meter.others(done.seconds), done.rss_mib, summary)


def synth(name: str, setup: Setup, db: str, source: Path, posts: int, *extra: str) -> Row:
    argv = [tool("synth"), "import", str(source), "--db", db, "--log-format", "json"]
    argv += ["--rejects", str(setup.folder / "rejects.jsonl"), "--allow-rejects", *extra]
    return timed(name, argv, setup, posts)


def remove_sqlite(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".rejects.jsonl"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def sqlite_count(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM posts").fetchone()[0])


def expect(row: Row, key: str, value: int) -> Row:
    if row.summary.get(key) != value:
        raise RuntimeError(f"{row.name}: expected {key} = {value:,}, got {row.summary}")
    return row


# --- SQLite ----------------------------------------------------------------------------------


def sqlite_round(setup: Setup, k: int) -> list[Row]:
    peer_db, db, restored = (setup.folder / f"{name}-{k}.db" for name in ("peer", "synth", "restored"))
    argv = [tool("sqlite-utils"), "insert", str(peer_db), "posts", str(setup.corpus), "--nl", "--pk", "id"]
    rows = [timed(PEER_UTILS, argv, setup, setup.posts)]
    if sqlite_count(peer_db) != setup.posts:
        raise RuntimeError("sqlite-utils stored the wrong number of posts")
    remove_sqlite(peer_db)
    rows.append(expect(synth(SQ_FRESH, setup, str(db), setup.corpus, setup.posts), "inserted", setup.posts))
    dump = setup.folder / "synth.sql"
    with dump.open("wb") as out:  # untimed: the dump of the database synth built
        subprocess.run([tool("sqlite3"), str(db), ".dump"], stdout=out, check=True)
    rows.append(timed(PEER_DUMP, [tool("sqlite3"), str(restored)], setup, setup.posts, stdin=dump))
    if sqlite_count(restored) != setup.posts:
        raise RuntimeError("sqlite3 restored the wrong number of posts")
    remove_sqlite(restored)
    dump.unlink()
    rows.append(expect(synth(SQ_AGAIN, setup, str(db), setup.corpus, setup.posts), "unchanged", setup.posts))
    edition = count_lines(setup.edition)
    rows.append(expect(synth(SQ_SYNC, setup, str(db), setup.edition, edition, "--sync"), "records", edition))
    remove_sqlite(db)
    return rows


def count_lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in stream)


# --- PostgreSQL ------------------------------------------------------------------------------


def drop_schema(pg: psycopg.Connection[Any], name: str) -> None:
    pg.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def new_schema(setup: Setup, name: str) -> str:
    drop_schema(setup.pg, name)
    setup.pg.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    setup.schemas.append(name)
    return f"{PG_SERVER}?options=-csearch_path%3D{name}"


def pg_count(pg: psycopg.Connection[Any], schema: str) -> int:
    row = pg.execute(sql.SQL("SELECT count(*) FROM {}.posts").format(sql.Identifier(schema))).fetchone()
    return int(row[0]) if row else 0


def pg_round(setup: Setup, k: int) -> list[Row]:
    schema = f"bench_import_{os.getpid()}_{k}"
    url = new_schema(setup, schema)
    setup.pg.execute("CHECKPOINT")
    rows = [expect(synth(PG_FRESH, setup, url, setup.corpus, setup.posts), "inserted", setup.posts)]
    dump = setup.folder / "synth.pgdump"
    subprocess.run(["pg_dump", *PG_ARGS, "-d", "test", "-Fc", "-n", schema, "-f", str(dump)], check=True)
    setup.pg.execute("CHECKPOINT")
    rows.append(expect(synth(PG_AGAIN, setup, url, setup.corpus, setup.posts), "unchanged", setup.posts))
    edition = count_lines(setup.edition)
    setup.pg.execute("CHECKPOINT")
    rows.append(expect(synth(PG_SYNC, setup, url, setup.edition, edition, "--sync"), "records", edition))
    drop_schema(setup.pg, schema)
    setup.pg.execute("CHECKPOINT")
    rows.insert(
        1, timed(PEER_RESTORE, ["pg_restore", *PG_ARGS, "-d", "test", "-j", "2", str(dump)], setup, setup.posts)
    )
    if pg_count(setup.pg, schema) != setup.posts:
        raise RuntimeError("pg_restore restored the wrong number of posts")
    drop_schema(setup.pg, schema)
    dump.unlink()
    return rows


# --- memory ----------------------------------------------------------------------------------


def rss_rows(setup: Setup, sizes: list[int]) -> list[Row]:
    rows = []
    for posts in sizes:
        path = setup.corpus if posts == setup.posts else setup.folder / f"rss-{posts}.jsonl"
        if not path.exists():
            progress(f"writing {posts:,} posts")
            write_corpus(str(path), count=posts, seed=SEED, workers=2)
        db = setup.folder / f"rss-{posts}.db"
        rows.append(
            expect(synth(f"peak RSS: synth import {posts:,} -> SQLite", setup, str(db), path, posts), "inserted", posts)
        )
        remove_sqlite(db)
        if path != setup.corpus:
            path.unlink()
    return rows


# --- report ----------------------------------------------------------------------------------


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def stages(row: Row) -> str:
    s = row.summary
    if not s:
        return "-"
    return "/".join(f"{s[f'{k}_seconds']:.1f}" for k in ("read", "validate", "write", "index"))


def print_table(rows: Sequence[Row]) -> None:
    head = ("run", "posts", "wall s", "rows/s", "synth s", "read/validate/write/index s", "RSS MiB", "load", "others")
    table = [head] + [
        (
            r.name,
            f"{r.posts:,}",
            f"{r.seconds:.2f}",
            f"{r.rate:,.0f}",
            fmt(r.summary.get("seconds"), ".2f"),
            stages(r),
            f"{r.rss_mib:,.0f}",
            f"{r.load:.2f}",
            fmt(r.others, ".2f"),
        )
        for r in rows
    ]
    print_aligned(table)


RATIOS = (  # (label, numerator, denominator, goal)
    ("synth SQLite fresh / sqlite-utils insert", SQ_FRESH, PEER_UTILS, 1.5),
    ("synth SQLite fresh / sqlite3 < dump", SQ_FRESH, PEER_DUMP, 0.8),
    ("synth SQLite re-import / fresh", SQ_AGAIN, SQ_FRESH, 5.0),
    ("synth SQLite --sync next edition / fresh", SQ_SYNC, SQ_FRESH, 2.0),
    ("synth PostgreSQL fresh / pg_restore -j 2", PG_FRESH, PEER_RESTORE, 0.9),
    ("synth PostgreSQL re-import / fresh", PG_AGAIN, PG_FRESH, 5.0),
    ("synth PostgreSQL --sync next edition / fresh", PG_SYNC, PG_FRESH, 2.0),
)


def print_ratios(rounds: list[list[Row]]) -> None:
    print("\nratios (rows/s over rows/s, whole commands, within one round; best round; every round in brackets):")
    for label, mine, theirs, goal in RATIOS:
        values = []
        for rows in rounds:
            by = {r.name: r for r in rows}
            values.append(by[mine].rate / by[theirs].rate)
        best = max(values)
        each = ", ".join(f"{v:.2f}" for v in values)
        verdict = "met" if best >= goal else "NOT met"
        print(f"  {label:<48} {best:6.2f}x  [{each}]   goal >= {goal:g}x: {verdict}")


def print_rss(rss: list[Row]) -> None:
    if len(rss) > 1:
        print("\npeak RSS by file size: " + ", ".join(f"{r.posts:,} posts {r.rss_mib:,.0f} MiB" for r in rss))


def best(rows: Sequence[Row]) -> list[Row]:
    out: dict[str, Row] = {}
    for row in rows:
        if row.name not in out or row.seconds < out[row.name].seconds:
            out[row.name] = row
    return list(out.values())


# --- main ------------------------------------------------------------------------------------


def versions(pg: psycopg.Connection[Any]) -> str:
    def first(*argv: str) -> str:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip().splitlines()[0]

    row = pg.execute("SHOW server_version").fetchone()
    return (
        f"python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version} "
        f"(sqlite3 {first(tool('sqlite3'), '--version')[:8]}), {first(tool('sqlite-utils'), '--version')}, "
        f"{first('pg_restore', '--version')}, server {row[0] if row else '?'}"
    )


@contextlib.contextmanager
def bench_setup(mode: Mode) -> Iterator[Setup]:
    with tempfile.TemporaryDirectory(prefix="bench_import-") as name, psycopg.connect(PG_SERVER, autocommit=True) as pg:
        print(versions(pg))
        folder = Path(name)
        corpus, edition = folder / "corpus.jsonl", folder / "edition2.jsonl"
        progress(f"writing {mode.posts:,} posts and their next edition")
        write_corpus(str(corpus), count=mode.posts, seed=SEED, workers=2)
        with edition.open("wb") as out:
            out.writelines(line + b"\n" for line in edition_lines(mode.posts, 2, seed=SEED))
        setup = Setup(folder, corpus, edition, mode.posts, pg)
        try:
            yield setup
        finally:
            for schema in setup.schemas:
                drop_schema(pg, schema)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="3,000 posts, one round")
    size.add_argument("--large", action="store_true", help="200,000 posts, one round")
    parser.add_argument("--rounds", type=int, help="rounds of every row (default 2; 1 quick/large)")
    parser.add_argument("--rss", type=int, action="append", default=[], help="also the peak RSS at this many posts")
    args = parser.parse_args(argv)
    mode = MODES["quick" if args.quick else "large" if args.large else "normal"]
    rounds = args.rounds or mode.rounds
    print(f"bench_import, mode {mode.name}: N = {mode.posts:,} posts (seed {SEED}), {rounds} rounds")
    print(load_line("start"))
    print(compile_synth())
    began = time.perf_counter()
    with bench_setup(mode) as setup:
        size, edition = setup.corpus.stat().st_size / 1e6, count_lines(setup.edition)
        print(f"corpus: {size:,.1f} MB of JSONL; next edition: {edition:,} posts")
        done = []
        for k in range(rounds):
            progress(f"round {k + 1} of {rounds}")
            first, second = (sqlite_round, pg_round) if k % 2 == 0 else (pg_round, sqlite_round)
            done.append(first(setup, k) + second(setup, k))
        rss = rss_rows(setup, sorted({mode.posts, 10 * mode.posts if mode.name != "large" else mode.posts, *args.rss}))
    print()
    print_table([*best(list(itertools.chain.from_iterable(done))), *rss])
    print_ratios(done)
    print_rss(rss)
    print(f"\ntotal benchmark time: {time.perf_counter() - began:.0f} s")
    print(load_line("end"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
