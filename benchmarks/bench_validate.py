"""Validation throughput: synth's validator against jsonschema, fastjsonschema, jsonschema-rs and bare pydantic.

Run from the project root with the project's virtualenv (progress goes to stderr)::

    .venv/bin/python benchmarks/bench_validate.py           # normal run, about a minute
    .venv/bin/python benchmarks/bench_validate.py --quick   # smoke run, under 30 s

Needs ``jsonschema`` and ``fastjsonschema`` (the ``bench`` extra) and ``jsonschema_rs`` (the
``dev`` extra); the native rows need ``synth._native`` built (``pip install -e .``). Every input is written
under a temporary directory: a clean corpus (``synth.generation.writer.write_corpus``, seed 0, every
post valid), the first lines of which every in-process contender reads, so all of them see
the same documents; and a labelled invalid corpus (``invalid_rate=0.05``). Review dates are
checked as of 2025-01-01 (the generator's epoch), so the run does not depend on the date.

What is measured and how to read it, part by part as printed:

1. Throughput on ONE core, in this process, pinned to CPU 0 (``os.sched_setaffinity``).
   Each row is the best (fastest) of several runs after an untimed warm-up; wall seconds
   from ``time.perf_counter``; docs/s = documents / seconds.

   * ``jsonschema``: one ``Draft202012Validator`` (built once, with its format checker so
     that ``"format": "date"`` is checked as pydantic does) over the exported
     ``schemas/post.v1.schema.json``; per line ``orjson.loads`` then ``iter_errors``, all
     errors consumed. Slow, so it gets fewer documents.
   * ``fastjsonschema``: ``fastjsonschema.compile(schema)`` once, then per line
     ``orjson.loads`` and a call (``JsonSchemaException`` caught). fastjsonschema knows no
     2020-12 draft and compiles the schema with its draft-07 generator; the keywords this
     schema uses ($ref into $defs, oneOf, const, uniqueItems, patterns, bounds) mean the
     same there.
   * ``jsonschema-rs``: the Rust ``jsonschema`` crate's Python binding, ``validator_for(schema)``
     once, then per line ``orjson.loads`` (the parse is included) and ``is_valid``.
   * ``pydantic``: ``Post.model_validate_json(line)``, the bare model.
   * ``synth native check_lines``: the compiled check (``synth.validate.native.NativeCheck``)
     over batches of 256 lines, in process: parse, schema, every consistency rule (content
     hash over the canonical bytes included) and the R002 digest; no file I/O, no corpus rules.
   * ``synth check_record (python)``: ``check_record(line, options=...)`` per line with
     ``engine="python"``: the Python path alone, the reference the native check is tested against.
   * ``synth validate_paths``: ``synth.validate.validate_paths([file])`` over the JSONL
     file (``engine="auto"``: native first), every finding consumed: reading with line
     bounds, layers 1-3 and the corpus rules (duplicate ids, duplicate content, dangling
     ``similar_posts``). This is THE synth row: the "synth / row" column and the ratios
     divide its docs/s by the others'.
   * ``synth validate_paths (python)``: the same with ``engine="python"``.
   * ``synth validate_paths (invalid)``: the same over the invalid corpus (5% of posts
     broken, each in one labelled way): the native check accepts the valid ones, the
     Python path explains the others; docs are the records read, findings what it found.

   Besides wall docs/s, each row shows docs per CPU second of this process (``cpu docs/s``,
   from ``resource.getrusage``): steadier than wall time when the core is shared. (``perf stat
   -e instructions`` is not supported in these VMs, so no instruction counts.)

   "findings" is a sanity check: total errors (jsonschema, pydantic, synth) or rejected
   documents (fastjsonschema), 0 on the clean corpus for every contender.

   IMPORTANT: jsonschema and fastjsonschema check only the JSON Schema (types, bounds,
   patterns, enums, unique items), and bare pydantic the same model; none of them checks the
   cross-field rules (topic = problem / stack, checklist = its section, the content hash,
   review dates, ...) or the corpus rules, which synth runs on every document. A ratio above
   1 means synth does more work per document and still goes faster.

2. Scaling: ``synth validate FILE --workers K --format json --engine E`` as a subprocess, K = 1 and 2,
   E = native and python,
   unpinned, on a larger clean file, timed with ``time.perf_counter`` around
   ``subprocess.run`` (interpreter start-up and pool start included), alternately, best run
   shown. "start-up" is the same command on a one-post file; "excl. start-up" subtracts it.
   synth's modules are compiled to bytecode first (``compileall``, as pip does at install).
   The scaling factor is docs/s(K=2) / docs/s(K=1); 2.0 would be perfect, but the main
   process still reads lines, ships batches to the workers and applies the corpus rules.

Load: the 1-minute load average (``os.getloadavg``) is printed at the start and the end and
after each row ("load"), and each row has "others' CPUs": how many CPUs other processes kept busy during it (the
machine's busy time from ``/proc/stat`` minus this run's own CPU time, over wall time). This
benchmark itself keeps about one CPU busy (two or three during the ``--workers 2`` runs), so
a load average around 1 is its own; a row with others' CPUs near or above 1 on a two-CPU
machine was slowed down by other work: rerun it on an idle machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema_rs
import orjson
from _common import compile_synth, load_line, machine_busy_seconds, own_cpu_seconds, pinned, print_aligned
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from synth.generation.writer import write_corpus
from synth.schema.model import Post
from synth.validate import native
from synth.validate.check import check_record
from synth.validate.options import Options, make_options
from synth.validate.report import Report
from synth.validate.run import validate_paths

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "post.v1.schema.json"
AS_OF = "2025-01-01"
SEED = 0
INVALID_RATE = 0.05
WARM_UP = 20
JSONSCHEMA = "jsonschema (schema only)"
FASTJSONSCHEMA = "fastjsonschema (schema only)"
PYDANTIC = "pydantic model_validate_json"
JSONSCHEMA_RS = "jsonschema-rs (schema only, parse incl.)"
NATIVE = "synth native check_lines, all rules"
SYNTH = "synth validate_paths, all rules"
NATIVE_BATCH = 256


@dataclass(frozen=True)
class Counts:
    """Documents per contender, and how many runs each gets (the fastest is shown)."""

    jsonschema: int
    fastjsonschema: int
    pydantic: int
    jsonschema_rs: int
    synth: int
    cli: int
    invalid: int
    repeats: int
    cli_repeats: int


QUICK = Counts(100, 1_000, 2_000, 2_000, 2_000, 5_000, 2_000, 1, 1)
NORMAL = Counts(1_000, 8_000, 20_000, 20_000, 20_000, 50_000, 20_000, 3, 2)


@dataclass(frozen=True)
class Row:
    """One timed run: documents, wall seconds, findings, CPUs other processes used meanwhile."""

    name: str
    docs: int
    seconds: float
    findings: int
    others: float | None
    cpu: float = 0.0  # CPU seconds of this process
    load: float = 0.0  # 1-minute load average right after

    @property
    def rate(self) -> float:
        return self.docs / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_rate(self) -> float:
        return self.docs / self.cpu if self.cpu > 0 else 0.0


Run = Callable[[], tuple[int, int]]  # one pass: (documents, findings)


# --- load -----------------------------------------------------------------------------------


def timed(name: str, run: Run) -> Row:
    """One pass of ``run``: wall time, and the CPUs other processes kept busy meanwhile."""
    busy0, own0, began = machine_busy_seconds(), own_cpu_seconds(), time.perf_counter()
    mine0 = _self_cpu()
    docs, findings = run()
    wall = time.perf_counter() - began
    busy1, own1, mine1 = machine_busy_seconds(), own_cpu_seconds(), _self_cpu()
    others = None if busy0 is None or busy1 is None else max(0.0, busy1 - busy0 - (own1 - own0)) / wall
    return Row(name, docs, wall, findings, others, mine1 - mine0, os.getloadavg()[0])


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def best(name: str, run: Run, repeats: int) -> Row:
    print(f"  running {name} (best of {repeats}) ...", file=sys.stderr, flush=True)
    return min((timed(name, run) for _ in range(repeats)), key=lambda row: row.seconds)


# --- contenders -----------------------------------------------------------------------------


def jsonschema_run(schema: dict[str, Any]) -> Callable[[Sequence[bytes]], int]:
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)

    def run(docs: Sequence[bytes]) -> int:
        return sum(1 for line in docs for _ in validator.iter_errors(orjson.loads(line)))

    return run


def fastjsonschema_run(schema: dict[str, Any]) -> Callable[[Sequence[bytes]], int]:
    check = fastjsonschema.compile(schema)

    def run(docs: Sequence[bytes]) -> int:
        rejected = 0
        for line in docs:
            try:
                check(orjson.loads(line))
            except fastjsonschema.JsonSchemaException:
                rejected += 1
        return rejected

    return run


def jsonschema_rs_run(schema: dict[str, Any]) -> Callable[[Sequence[bytes]], int]:
    validator = jsonschema_rs.validator_for(schema)

    def run(docs: Sequence[bytes]) -> int:
        return sum(1 for line in docs if not validator.is_valid(orjson.loads(line)))

    return run


def native_run(options: Options) -> Callable[[Sequence[bytes]], int]:
    check = native.NativeCheck(options)

    def run(docs: Sequence[bytes]) -> int:
        batches = (check.check_lines(list(docs[k : k + NATIVE_BATCH])) for k in range(0, len(docs), NATIVE_BATCH))
        return sum(1 for batch in batches for verdict in batch if isinstance(verdict, int))

    return run


def pydantic_run(docs: Sequence[bytes]) -> int:
    errors = 0
    for line in docs:
        try:
            Post.model_validate_json(line)
        except ValidationError as exc:
            errors += exc.error_count()
    return errors


def check_record_run(options: Options) -> Callable[[Sequence[bytes]], int]:
    def run(docs: Sequence[bytes]) -> int:
        return sum(len(check_record(line, options=options).issues) for line in docs)

    return run


def over_lines(check: Callable[[Sequence[bytes]], int], docs: Sequence[bytes]) -> Run:
    """A pass over ``docs``, after an untimed warm-up on a few of them."""
    check(docs[:WARM_UP])
    return lambda: (len(docs), check(docs))


def over_file(path: Path, options: Options) -> Run:
    def run() -> tuple[int, int]:
        report = Report()
        findings = sum(1 for _ in validate_paths([str(path)], options=options, report=report))
        return report.records, findings

    return run


# --- corpora --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpora:
    big: Path  # clean, for the subprocess runs
    clean: Path  # clean, its first ``counts.synth`` lines
    invalid: Path
    tiny: Path  # one post, for the start-up time
    lines: list[bytes]  # the lines of ``clean``
    defects: int  # labelled defects in ``invalid``


def make_corpora(folder: Path, counts: Counts) -> Corpora:
    print("  writing corpora ...", file=sys.stderr, flush=True)
    big, clean, invalid, tiny, truth = (folder / f"{n}.jsonl" for n in ("big", "clean", "invalid", "tiny", "truth"))
    write_corpus(str(big), count=max(counts.cli, counts.synth), seed=SEED, workers=2)
    with big.open("rb") as stream:
        lines = [stream.readline().rstrip(b"\n") for _ in range(counts.synth)]
    clean.write_bytes(b"\n".join(lines) + b"\n")
    tiny.write_bytes(lines[0] + b"\n")
    write_corpus(str(invalid), count=counts.invalid, seed=SEED, invalid_rate=INVALID_RATE, truth=str(truth))
    defects = len(truth.read_bytes().splitlines())
    return Corpora(big, clean, invalid, tiny, lines, defects)


# --- part 1: one core -----------------------------------------------------------------------


def one_core(corpora: Corpora, counts: Counts) -> list[Row]:
    schema = orjson.loads(SCHEMA.read_bytes())
    options = make_options(as_of=AS_OF)
    python = dataclasses.replace(options, engine="python")
    lines, r = corpora.lines, counts.repeats
    plan: list[tuple[str, Run]] = [
        (JSONSCHEMA, over_lines(jsonschema_run(schema), lines[: counts.jsonschema])),
        (FASTJSONSCHEMA, over_lines(fastjsonschema_run(schema), lines[: counts.fastjsonschema])),
        (JSONSCHEMA_RS, over_lines(jsonschema_rs_run(schema), lines[: counts.jsonschema_rs])),
        (PYDANTIC, over_lines(pydantic_run, lines[: counts.pydantic])),
    ]
    if native.available():
        plan.append((NATIVE, over_lines(native_run(options), lines)))
    else:
        print("  synth._native is not built: no native rows", file=sys.stderr)
    plan += [
        ("synth check_record (python), all rules", over_lines(check_record_run(python), lines)),
        (SYNTH, over_file(corpora.clean, options)),
        ("synth validate_paths (python)", over_file(corpora.clean, python)),
        ("synth validate_paths (invalid)", over_file(corpora.invalid, options)),
    ]
    return [best(name, run, r) for name, run in plan]


def _ratio(mine: float, theirs: float) -> str:
    return f"{mine / theirs:,.2f}x" if mine > 0 and theirs > 0 else "-"


def print_table(rows: Sequence[Row], reference: Row) -> None:
    head = ("contender", "docs", "seconds", "docs/s", "cpu docs/s", "findings", "synth / row", "others' CPUs", "load")
    table = [head]
    for row in rows:
        others = "-" if row.others is None else f"{row.others:.2f}"
        table.append(
            (
                row.name,
                f"{row.docs:,}",
                f"{row.seconds:.3f}",
                f"{row.rate:,.0f}",
                f"{row.cpu_rate:,.0f}",
                f"{row.findings:,}",
                _ratio(reference.rate, row.rate),
                others,
                f"{row.load:.2f}",
            )
        )
    print_aligned(table)


def report_one_core(rows: Sequence[Row], where: str, counts: Counts, defects: int) -> Row:
    by_name = {row.name: row for row in rows}
    synth = by_name[SYNTH]
    print(f"\n== part 1: throughput on one core ({where}), clean corpus, seed {SEED}, best of {counts.repeats} ==")
    print_table(rows, synth)
    print(f"invalid corpus: {defects:,} labelled defects (rate {INVALID_RATE}); findings above are synth's.")
    print("NOTE: jsonschema and fastjsonschema check only the JSON Schema and pydantic only the model (no")
    print("      cross-field or corpus rules); synth check_record runs every per-record rule, and")
    print("      validate_paths also reads the file and applies the corpus rules (R001-R003).")
    peers = (
        ("fastjsonschema", FASTJSONSCHEMA, 10.0),
        ("jsonschema-rs", JSONSCHEMA_RS, 1.2),
        ("bare pydantic", PYDANTIC, 2.5),
        ("jsonschema", JSONSCHEMA, None),
    )
    for mine in (by_name.get(NATIVE), synth):
        if mine is None:
            continue
        print(f"ratios of {mine.name!r}, wall docs/s (cpu docs/s) over the other's; goal in brackets:")
        print(f"  docs/s: {mine.rate:,.0f} (cpu {mine.cpu_rate:,.0f}) [goal >= 60,000 with every rule]")
        for label, name, goal in peers:
            theirs = by_name[name]
            wall, cpu = _ratio(mine.rate, theirs.rate), _ratio(mine.cpu_rate, theirs.cpu_rate)
            print(f"  / {label:<15} {wall:>8} ({cpu}){f' [goal >= {goal}x]' if goal else ''}")
    return synth


# --- part 2: subprocess scaling -------------------------------------------------------------


def synth_command() -> list[str]:
    """The ``synth`` console script next to this interpreter, else ``python -m synth``."""
    script = Path(sys.executable).parent / "synth"
    return [str(script)] if script.exists() else [sys.executable, "-m", "synth"]


def cli_run(path: Path, workers: int, docs: int, engine: str = "auto") -> Run:
    argv = [*synth_command(), "validate", str(path), "--workers", str(workers), "--format", "json", "--as-of", AS_OF]
    argv += ["--engine", engine]

    def run() -> tuple[int, int]:
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
        return docs, 0

    return run


def scaling(corpora: Corpora, counts: Counts) -> None:
    n, r = max(counts.cli, counts.synth), counts.cli_repeats
    engines = ("native", "python") if native.available() else ("python",)
    plan = [(engine, w) for engine in engines for w in (1, 2)]
    startup = {w: best(f"start-up --workers {w}", cli_run(corpora.tiny, w, 1), r).seconds for w in (1, 2)}
    runs: dict[tuple[str, int], list[Row]] = {key: [] for key in plan}
    for _ in range(r):  # alternate, so that a burst of other work hits each alike
        for (engine, workers), done in runs.items():
            name = f"synth validate --engine {engine} --workers {workers}"
            print(f"  running {name} ...", file=sys.stderr, flush=True)
            done.append(timed(name, cli_run(corpora.big, workers, n, engine)))
    rows = {key: min(done, key=lambda row: row.seconds) for key, done in runs.items()}
    print(
        f"\n== part 2: synth validate FILE --engine E --workers K --format json, subprocess, unpinned,"
        f" {os.cpu_count()} CPUs, {n:,} clean docs, best of {r} =="
    )
    print(
        f"{'engine':>7}  {'workers':>7}  {'seconds':>8}  {'docs/s':>8}  {'start-up s':>10}  "
        f"{'docs/s excl. start-up':>21}  {'others CPUs':>11}  {'load':>5}"
    )
    net: dict[tuple[str, int], float] = {}
    for (engine, w), row in rows.items():
        rest = row.seconds - startup[w]
        net[engine, w] = n / rest if rest > 0 else 0.0
        others = "-" if row.others is None else f"{row.others:.2f}"
        print(
            f"{engine:>7}  {w:>7}  {row.seconds:8.2f}  {row.rate:8,.0f}  {startup[w]:10.2f}  "
            f"{net[engine, w]:21,.0f}  {others:>11}  {row.load:5.2f}"
        )
    for engine in engines:
        print(
            f"scaling factor workers=2 / workers=1 ({engine}): {rows[engine, 2].rate / rows[engine, 1].rate:.2f}"
            f" (excl. start-up: {_ratio(net[engine, 2], net[engine, 1])})"
        )
    if len(engines) == 2:
        print(f"native / python, workers=1, excl. start-up: {_ratio(net['native', 1], net['python', 1])}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run in under 30 s")
    args = parser.parse_args(argv)
    counts = QUICK if args.quick else NORMAL
    loads = [os.getloadavg()[0]]
    print(
        f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs; mode:"
        f" {'quick' if args.quick else 'normal'}"
    )
    print(load_line("start"))
    print(compile_synth())
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_validate-") as folder:
        corpora = make_corpora(Path(folder), counts)
        with pinned(0) as where:
            rows = one_core(corpora, counts)
        loads.append(os.getloadavg()[0])
        report_one_core(rows, where, counts, corpora.defects)
        scaling(corpora, counts)
    loads.append(os.getloadavg()[0])
    print(f"\ntotal benchmark time: {time.perf_counter() - began:.0f} s")
    print(load_line("end"))
    high = "above 1 at some point" if max(loads) > 1 else "at most 1 throughout"
    print(
        f"1-minute load average sampled at start, after part 1 and at end: "
        f"{', '.join(f'{x:.2f}' for x in loads)} ({high}; about 1 is this benchmark's own work)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
