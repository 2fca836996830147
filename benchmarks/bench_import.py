"""Import throughput: ``synth import`` against sqlite-utils (SQLite) and the ``psql \\copy`` ceiling.

Run from the project root with the project's virtualenv (progress goes to stderr)::

    .venv/bin/pip install sqlite-utils                     # the SQLite peer
    .venv/bin/python benchmarks/bench_import.py           # normal: 20,000 posts, best of 2, ~5 min
    .venv/bin/python benchmarks/bench_import.py --quick   # smoke run: 3,000 posts, once
    .venv/bin/python benchmarks/bench_import.py --large   # 100,000 posts (and 500,000 for the RSS part)

Needs PostgreSQL at 127.0.0.1:5432 (database ``test``, user ``postgres``, no password), the
``psql`` client on PATH, psycopg (the ``postgres`` extra) and ``sqlite-utils`` next to this
interpreter. Every contender reads the SAME file: a clean JSONL corpus of N posts (seed 0,
``synth.generation.writer.write_corpus``), written once to a temporary directory, outside any timing.

What is measured, part by part (numbers in the first column of the table):

1. SQLite peer: ``sqlite-utils insert DB posts FILE --nl --pk id`` into a fresh database file.
   It parses each line and stores the top-level keys as columns (nested objects as JSON
   text): no validation, no child tables, no full-text index, no resumability. (An FTS
   index, ``sqlite-utils enable-fts DB posts title intro --create-triggers``, is not run.)
2. ``synth import FILE --db NEW.db --workers K --log-format json`` for K = 1 and 2, each into
   a fresh SQLite file: every post validated (parse, schema, consistency rules), stored as
   columns + JSON, child tables (tools, entities, links), FTS5 index, batch checkpoints.
   "re-import" runs the same command again on the K = 1 database: every post unchanged
   (hash lookups only). "import_paths in-process" is ``synth.load.importer.import_paths`` with
   ``ImportOptions(batch=2000, workers=1)`` called in this process (no interpreter start-up).
3. PostgreSQL ceiling: the corpus converted beforehand (untimed) to CSV with exactly the
   ``posts`` columns synth stores (``synth.load.rows.post_rows``: id, title, intro, body, scalar
   meta, the post as JSON), then ``psql -c "\\copy T (...) FROM 'file.csv' WITH (FORMAT csv)"``
   into a truncated table with synth's column types and a primary key on id, nothing else
   ("copy ceiling"); and into a second table that also has synth's generated, weighted
   ``tsvector`` column with a GIN index ("copy + tsvector/GIN"). Neither has synth's child
   tables, its btree index on ``stack``, its staging tables nor its upsert.
4. ``synth import FILE --db 'postgresql://...?options=-csearch_path%3D<schema>'`` for K = 1
   and 2, each into a freshly created schema (dropped afterwards), and the re-import.
5. Peak RSS of ``synth import --workers 1`` into SQLite for N posts and for 5*N posts (the first
   N lines of the 5*N file are the N file): ``ru_maxrss`` of the child from ``os.wait4``.
   Equal numbers mean memory does not grow with the file.

Every command runs as a subprocess, timed with ``time.perf_counter`` around the whole process
(interpreter start-up, connection and table creation included): "wall s" and "rows/s" are
that. For synth rows "synth s" is the ``seconds`` of its own JSON summary (``import_paths``,
start-up excluded) and "rows/s excl. start-up" uses it. "peak RSS" is the child's. With
``--repeats R`` (normal mode: 2) the whole sequence of parts 1-4 runs R times, alternately,
and the fastest run of each row is shown. PostgreSQL runs start after a ``CHECKPOINT``.

"others' CPUs": how many CPUs other processes kept busy during the row (the machine's busy
time from ``/proc/stat`` minus this benchmark's and its children's CPU time, over wall time).
For PostgreSQL rows the server's backend counts as "other", so about 1 there is expected;
elsewhere, near or above 1 on a two-CPU machine means the row was slowed down by other work.
The 1-minute load average is printed at the start and the end.

Ratios are rows/s over rows/s, whole commands: "synth SQLite / sqlite-utils" (goal >= 2x,
while doing validation and FTS which the peer does not) and "synth PostgreSQL / \\copy
ceiling" (goal >= 0.5). Everything created (files, schemas, tables) is removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import itertools
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psycopg
from _common import Meter, load_line, progress, spawn
from psycopg import sql

from synth.generation.writer import write_corpus
from synth.load.importer import BATCH, ImportOptions, import_paths
from synth.load.rows import COLUMNS, post_rows

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
PSQL = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", "test"]
SEED = 0
# synth's PostgreSQL types for the posts columns (synth.load.postgres, layout 1); text otherwise.
PG_TYPES = {
    "number": "bigint", "reading_time": "integer", "view_count": "bigint", "quality": "smallint",
    "freshness": "smallint", "depth": "smallint", "clarity": "smallint", "last_reviewed": "date",
    "ai_generated_style": "boolean", "has_images": "boolean", "image_heavy": "boolean",
    "needs_human_review": "boolean", "doc": "jsonb",
}  # fmt: skip
SEARCH = (
    "search tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', title), 'A') || "
    "setweight(to_tsvector('simple', intro), 'B') || setweight(to_tsvector('simple', body), 'C')) STORED"
)
PEER = "1 sqlite-utils insert --nl --pk id"
SQLITE_W1, SQLITE_W2 = "2 synth import -> SQLite, workers 1", "2 synth import -> SQLite, workers 2"
SQLITE_AGAIN, IN_PROCESS = "2 synth re-import (unchanged) -> SQLite", "2 import_paths in-process, workers 1"
COPY, COPY_GIN = "3 psql \\copy ceiling (primary key only)", "3 psql \\copy + tsvector/GIN"
PG_W1, PG_W2 = "4 synth import -> PostgreSQL, workers 1", "4 synth import -> PostgreSQL, workers 2"
PG_AGAIN = "4 synth re-import (unchanged) -> PostgreSQL"


@dataclass(frozen=True)
class Mode:
    name: str
    posts: int
    repeats: int


MODES = {"quick": Mode("quick", 3_000, 1), "normal": Mode("normal", 20_000, 2), "large": Mode("large", 100_000, 1)}


@dataclass(frozen=True)
class Row:
    """One timed run: wall seconds, synth's own seconds, the child's peak RSS, others' CPUs."""

    name: str
    posts: int
    seconds: float
    inner: float | None = None
    rss_mib: float | None = None
    others: float | None = None

    @property
    def rate(self) -> float:
        return self.posts / self.seconds if self.seconds > 0 else 0.0

    @property
    def inner_rate(self) -> float | None:
        return self.posts / self.inner if self.inner else None


@dataclass(frozen=True)
class Setup:
    """What every run shares: the folder, the corpus, its CSV, N, the admin connection, schemas."""

    folder: Path
    corpus: Path
    csv: Path
    posts: int
    pg: psycopg.Connection[Any]
    schema: str  # holds the \copy tables
    schemas: list[str]  # every schema created, dropped at the end


# --- measuring ------------------------------------------------------------------------------


def best(rows: Sequence[Row]) -> dict[str, Row]:
    """The fastest run of each name, in first-seen order."""
    out: dict[str, Row] = {}
    for row in rows:
        if row.name not in out or row.seconds < out[row.name].seconds:
            out[row.name] = row
    return out


# --- commands -------------------------------------------------------------------------------


def venv_tool(name: str) -> Path:
    tool = Path(sys.executable).parent / name
    if not tool.exists():
        raise SystemExit(f"{tool} is missing: {Path(sys.executable).parent / 'pip'} install sqlite-utils")
    return tool


def synth_import(name: str, setup: Setup, db: str, workers: int, expect: str, corpus: Path | None = None) -> Row:
    """``synth import`` as a subprocess; checks that every post was ``expect`` (inserted/unchanged)."""
    path, posts = corpus or setup.corpus, setup.posts if corpus is None else count_lines(corpus)
    rejects = setup.folder / "rejects.jsonl"  # never the default ./synth-rejects.jsonl of PostgreSQL
    argv = [str(venv_tool("synth")), "import", str(path), "--db", db, "--workers", str(workers)]
    argv += ["--log-format", "json", "--rejects", str(rejects)]
    progress(name)
    meter = Meter()
    done = spawn(argv, setup.folder)
    summary = orjson.loads(done.stderr.strip().splitlines()[-1])
    if summary[expect] != posts or summary["records"] != posts:
        raise RuntimeError(f"{name}: expected {posts:,} {expect}, got {summary}")
    return Row(name, posts, done.seconds, float(summary["seconds"]), done.rss_mib, meter.others(done.seconds))


def count_lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in stream)


def remove_sqlite(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".rejects.jsonl"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def sqlite_count(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM posts").fetchone()[0])


# --- parts 1 and 2: SQLite ------------------------------------------------------------------


def sqlite_peer(setup: Setup, k: int) -> Row:
    db = setup.folder / f"peer-{k}.db"
    argv = [str(venv_tool("sqlite-utils")), "insert", str(db), "posts", str(setup.corpus), "--nl", "--pk", "id"]
    progress(PEER)
    meter = Meter()
    done = spawn(argv, setup.folder)
    others = meter.others(done.seconds)
    if (found := sqlite_count(db)) != setup.posts:
        raise RuntimeError(f"sqlite-utils stored {found:,} posts, expected {setup.posts:,}")
    remove_sqlite(db)
    return Row(PEER, setup.posts, done.seconds, None, done.rss_mib, others)


def synth_sqlite(setup: Setup, k: int) -> list[Row]:
    one, two = setup.folder / f"synth1-{k}.db", setup.folder / f"synth2-{k}.db"
    rows = [
        synth_import(SQLITE_W1, setup, str(one), 1, "inserted"),
        synth_import(SQLITE_AGAIN, setup, str(one), 1, "unchanged"),
        synth_import(SQLITE_W2, setup, str(two), 2, "inserted"),
        in_process(setup, k),
    ]
    remove_sqlite(one)
    remove_sqlite(two)
    return rows


def in_process(setup: Setup, k: int) -> Row:
    db = setup.folder / f"inproc-{k}.db"
    progress(IN_PROCESS)
    meter, began = Meter(), time.perf_counter()
    summary = import_paths(
        [str(setup.corpus)], str(db), options=ImportOptions(batch=BATCH, workers=1), rejects=str(db) + ".rejects.jsonl"
    )
    wall = time.perf_counter() - began
    if summary.counts.inserted != setup.posts:
        raise RuntimeError(f"import_paths: expected {setup.posts:,} inserted, got {summary.as_dict()}")
    remove_sqlite(db)
    return Row(IN_PROCESS, setup.posts, wall, summary.seconds, None, meter.others(wall))


# --- parts 3 and 4: PostgreSQL --------------------------------------------------------------


def write_csv(corpus: Path, target: Path) -> int:
    """The ``posts`` rows synth would store, one CSV line a post (NULL is an unquoted empty field)."""
    posts = 0
    with corpus.open("rb") as source, target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        for line in source:
            post = orjson.loads(line)
            writer.writerow(post_rows(post, orjson.dumps(post)).post)
            posts += 1
    return posts


def create_copy_tables(pg: psycopg.Connection[Any], schema: str) -> None:
    columns = ", ".join(
        f"{c} {PG_TYPES.get(c, 'text')}{' PRIMARY KEY' if c == 'id' else ' NOT NULL' if c != 'area' else ''}"
        for c in COLUMNS
    )
    stamps = "imported_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now()"
    for table, extra in (("bench_posts", ""), ("bench_posts_fts", f", {SEARCH}")):
        body = sql.SQL(f"({columns}, {stamps}{extra})")  # fixed column definitions, no values
        pg.execute(sql.SQL("CREATE TABLE {}.{} ").format(sql.Identifier(schema), sql.Identifier(table)) + body)
    pg.execute(
        sql.SQL("CREATE INDEX bench_posts_fts_search ON {}.bench_posts_fts USING gin (search)").format(
            sql.Identifier(schema)
        )
    )


def pg_count(pg: psycopg.Connection[Any], schema: str, table: str) -> int:
    query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    row = pg.execute(query).fetchone()
    return int(row[0]) if row else 0


def copy_run(setup: Setup, name: str, table: str) -> Row:
    pg, schema = setup.pg, setup.schema
    pg.execute(sql.SQL("TRUNCATE {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
    pg.execute("CHECKPOINT")
    command = f"\\copy {schema}.{table} ({', '.join(COLUMNS)}) FROM '{setup.csv}' WITH (FORMAT csv)"
    progress(name)
    meter = Meter()
    done = spawn([*PSQL, "-c", command], setup.folder)
    others = meter.others(done.seconds)
    if (found := pg_count(pg, schema, table)) != setup.posts:
        raise RuntimeError(f"{name}: {found:,} rows, expected {setup.posts:,}")
    return Row(name, setup.posts, done.seconds, None, done.rss_mib, others)


def pg_copies(setup: Setup) -> list[Row]:
    return [copy_run(setup, COPY, "bench_posts"), copy_run(setup, COPY_GIN, "bench_posts_fts")]


def new_schema(setup: Setup, name: str) -> str:
    setup.pg.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    setup.schemas.append(name)
    return name


def drop_schema(pg: psycopg.Connection[Any], name: str) -> None:
    pg.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def synth_pg(setup: Setup, k: int, checks: list[str]) -> list[Row]:
    rows = []
    for workers, name in ((1, PG_W1), (2, PG_W2)):
        schema = new_schema(setup, f"{setup.schema}_w{workers}_{k}")
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        setup.pg.execute("CHECKPOINT")
        rows.append(synth_import(name, setup, url, workers, "inserted"))
        if workers == 1:
            setup.pg.execute("CHECKPOINT")
            rows.append(synth_import(PG_AGAIN, setup, url, 1, "unchanged"))
            checks.append(same_types(setup.pg, setup.schema, schema))
        drop_schema(setup.pg, schema)
    return rows


def same_types(pg: psycopg.Connection[Any], ours: str, synths: str) -> str:
    """Whether the \\copy tables have the column types of synth's ``posts`` (a fairness check)."""
    query = "SELECT table_schema, column_name, data_type FROM information_schema.columns WHERE table_name = %s"
    types: dict[str, dict[str, str]] = {ours: {}, synths: {}}
    for table in ("bench_posts", "posts"):
        for schema, column, kind in pg.execute(query, (table,)).fetchall():
            if schema in types:
                types[schema][column] = kind
    differ = [c for c in COLUMNS if types[ours].get(c) != types[synths].get(c)]
    return "same as synth's posts table" if not differ else f"DIFFER from synth's posts in {', '.join(differ)}"


# --- part 5: memory -------------------------------------------------------------------------


def rss_rows(setup: Setup, big: Path) -> list[Row]:
    rows = []
    for path, label in ((setup.corpus, "N"), (big, "5N")):
        db = setup.folder / f"rss-{label}.db"
        name = f"5 synth import {label} -> SQLite, workers 1 (RSS)"
        rows.append(synth_import(name, setup, str(db), 1, "inserted", path))
        remove_sqlite(db)
    return rows


# --- report ---------------------------------------------------------------------------------


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def cells(r: Row) -> tuple[str, ...]:
    return (
        r.name, f"{r.posts:,}", f"{r.seconds:.2f}", f"{r.rate:,.0f}", fmt(r.inner, ".2f"),
        fmt(r.inner_rate, ",.0f"), fmt(r.rss_mib, ",.0f"), fmt(r.others, ".2f"),
    )  # fmt: skip


def print_table(rows: Sequence[Row]) -> None:
    head = ("run", "posts", "wall s", "rows/s", "synth s", "rows/s excl. start-up", "peak RSS MiB", "others' CPUs")
    table = [head] + [cells(r) for r in rows]
    widths = [max(len(line[c]) for line in table) for c in range(len(head))]
    for k, line in enumerate(table):
        rest = (cell.rjust(w) for cell, w in zip(line[1:], widths[1:], strict=True))
        print("  ".join((line[0].ljust(widths[0]), *rest)))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def ratio_line(label: str, mine: Row, theirs: Row, goal: float | None) -> str:
    value = mine.rate / theirs.rate
    verdict = "" if goal is None else f"   goal >= {goal:g}x: {'met' if value >= goal else 'NOT met'}"
    return f"  {label:<58} {value:6.2f}x{verdict}"


RATIOS = (  # (label, numerator, denominator, goal)
    ("synth SQLite, workers 1 / sqlite-utils insert", SQLITE_W1, PEER, 2.0),
    ("synth SQLite, workers 2 / sqlite-utils insert", SQLITE_W2, PEER, 2.0),
    ("synth PostgreSQL, workers 1 / \\copy ceiling", PG_W1, COPY, 0.5),
    ("synth PostgreSQL, workers 2 / \\copy ceiling", PG_W2, COPY, 0.5),
    ("synth PostgreSQL, workers 1 / \\copy + tsvector/GIN", PG_W1, COPY_GIN, None),
    ("synth PostgreSQL, workers 2 / \\copy + tsvector/GIN", PG_W2, COPY_GIN, None),
    ("\\copy + tsvector/GIN / \\copy ceiling", COPY_GIN, COPY, None),
    ("synth SQLite: workers 2 / workers 1", SQLITE_W2, SQLITE_W1, None),
    ("synth PostgreSQL: workers 2 / workers 1", PG_W2, PG_W1, None),
    ("synth SQLite: re-import / first import (workers 1)", SQLITE_AGAIN, SQLITE_W1, None),
    ("synth PostgreSQL: re-import / first import (workers 1)", PG_AGAIN, PG_W1, None),
)


def print_ratios(by: dict[str, Row], rss: list[Row]) -> None:
    print("\nratios (rows/s over rows/s, whole commands, wall clock):")
    for label, mine, theirs, goal in RATIOS:
        print(ratio_line(label, by[mine], by[theirs], goal))
    small, big = rss
    if small.rss_mib and big.rss_mib:
        flat = "(1.00 = flat in file size)"
        print(f"  {'peak RSS: 5N posts / N posts':<58} {big.rss_mib / small.rss_mib:6.2f}x   {flat}")


# --- main -----------------------------------------------------------------------------------


def make_corpora(folder: Path, posts: int) -> tuple[Path, Path, Path]:
    """The 5N file, its first N lines (the corpus every contender reads) and their CSV."""
    big, corpus, table = folder / "big.jsonl", folder / "corpus.jsonl", folder / "corpus.csv"
    progress(f"writing {5 * posts:,} posts")
    write_corpus(str(big), count=5 * posts, seed=SEED, workers=2)
    with big.open("rb") as source, corpus.open("wb") as out:
        out.writelines(itertools.islice(source, posts))
    progress("converting to CSV")
    if write_csv(corpus, table) != posts:
        raise RuntimeError("the corpus has fewer posts than asked")
    return big, corpus, table


def versions(pg: psycopg.Connection[Any]) -> str:
    peer = subprocess.run([str(venv_tool("sqlite-utils")), "--version"], capture_output=True, text=True, check=True)
    psql = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=True)
    row = pg.execute("SHOW server_version").fetchone()
    return (
        f"python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, {peer.stdout.strip()}, "
        f"{psql.stdout.strip()}, server {row[0] if row else '?'}"
    )


def run_all(setup: Setup, big: Path, repeats: int) -> tuple[list[Row], list[Row], list[str]]:
    runs: list[Row] = []
    checks: list[str] = []
    for k in range(repeats):
        progress(f"round {k + 1} of {repeats}")
        runs.append(sqlite_peer(setup, k))
        runs += synth_sqlite(setup, k)
        runs += pg_copies(setup)
        runs += synth_pg(setup, k, checks)
    return runs, rss_rows(setup, big), checks


@contextlib.contextmanager
def bench_setup(mode: Mode) -> Iterator[tuple[Setup, Path]]:
    """Temporary folder, corpora and the \\copy schema; every schema made is dropped at the end."""
    with tempfile.TemporaryDirectory(prefix="bench_import-") as name, psycopg.connect(PG_URL, autocommit=True) as pg:
        print(versions(pg))
        folder = Path(name)
        big, corpus, table = make_corpora(folder, mode.posts)
        setup = Setup(folder, corpus, table, mode.posts, pg, f"bench_import_{os.getpid()}", [])
        try:
            new_schema(setup, setup.schema)
            create_copy_tables(pg, setup.schema)
            yield setup, big
        finally:
            for schema in reversed(setup.schemas):
                drop_schema(pg, schema)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="3,000 posts, once: a smoke run")
    size.add_argument("--large", action="store_true", help="100,000 posts (500,000 for the RSS part)")
    parser.add_argument("--repeats", type=int, help="rounds of parts 1-4, fastest shown (default 2; 1 quick/large)")
    args = parser.parse_args(argv)
    mode = MODES["quick" if args.quick else "large" if args.large else "normal"]
    repeats = args.repeats or mode.repeats
    print(f"bench_import, mode {mode.name}: N = {mode.posts:,} posts (seed {SEED}), best of {repeats}")
    print(load_line("start"))
    began = time.perf_counter()
    with bench_setup(mode) as (setup, big):
        runs, rss, checks = run_all(setup, big, repeats)
        size_mb = setup.corpus.stat().st_size / 1e6
    by = best(runs)
    print(f"\ncorpus: {mode.posts:,} posts, {size_mb:,.1f} MB of JSONL; the \\copy tables' column types: {checks[0]}")
    print_table([*by.values(), *rss])
    print_ratios(by, rss)
    print(f"\ntotal benchmark time: {time.perf_counter() - began:.0f} s")
    print(load_line("end"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
