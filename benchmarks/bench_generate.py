"""Throughput, start-up, scaling and memory of synth against polyfactory, Faker and Mimesis.

Run from the project root with the project's virtualenv (progress goes to stderr)::

    .venv/bin/python benchmarks/bench_generate.py           # normal run, about 1.5 minutes
    .venv/bin/python benchmarks/bench_generate.py --quick   # smoke run, about 15 s
    .venv/bin/python benchmarks/bench_generate.py --full    # adds the 1,000,000-post RSS run

What is measured and how to read it, part by part as printed:

1. Throughput on ONE core. The process pins itself to CPU 0 (``os.sched_setaffinity``) and
   runs every contender in turn, in the same process, for the same post shape (every key of
   :class:`synth.schema.model.Post`, same nesting), each ending in compact JSON bytes:

   * polyfactory: ``PostFactory(ModelFactory[Post])``, ``build()``, ``model_dump_json()``.
     Out of the box it almost never yields a valid post (it cannot see the unique-items
     rule of the lists nor the calendar-date check of ``last_reviewed``), so it is measured
     three ways: as-is (each attempt counts as a post, failed ones included), with
     ``build(factory_use_construct=True)`` (no validation at all), and with a generic retry
     of every (sub-)model factory on ``ValidationError`` (valid posts, no hand-written fields);
   * Faker: one function calling Faker per field, then ``orjson.dumps``;
   * Mimesis: the same with ``mimesis.Generic``;
   * synth: ``synth.generation.assemble.batch_json`` in batches of 500 (the reference row), and
     ``synth.generation.writer.write_corpus`` to ``os.devnull`` with ``workers=1``;
   * synth native (the compiled engine, ``synth.generation.native``, when built): ``batch_json``
     in batches of 500, and ``chunk_bytes`` chunks of 500 written to a real file (ten times
     the posts of the Python rows, for a run long enough to time).

   Each fast contender runs three times and the fastest run is shown; polyfactory runs once.
   Columns: posts, wall seconds (``time.perf_counter``), posts/s, MB/s (10**6 bytes of
   uncompressed JSON), average post size in bytes, the share of up to 200 outputs that
   ``Post.model_validate_json`` accepts, and how many times faster synth's ``batch_json`` is
   than the row, in posts/s and in MB/s (posts differ in size: read both). Set-up (imports,
   factories, vocabulary) is excluded by an untimed warm-up call. synth computes the real
   content hash (SHA-256 of the post); the peers put a random hex string in ``meta.hash``.
   "others' CPUs" is how many CPUs other processes kept busy during that run (from
   ``/proc/stat``); near 1.0 on two CPUs they may sit on the other core, above that they
   shared ours and the row is slowed down.

2. Start-up: best of several runs of ``synth generate --count 1``, of ``python -c "import
   synth"`` and of ``import synth.generation.writer`` (what generating loads, if the package imports
   lazily), with ``python -c pass`` as the interpreter's own floor.

3. Scaling: ``synth generate --count N --workers K --quiet --output /dev/null`` as
   subprocesses for K = 1 and 2, unpinned, timed around the whole process, twice each
   (alternately), the faster run shown. The ratio is posts/s with two workers over posts/s
   with one: 2.0 would be perfect on two idle cores. "excl. start-up" subtracts the start-up
   time of part 2. "CPUs used" is the child's CPU time (its workers included) over wall
   time; "CPUs used by others" is the machine's busy time during the run (``/proc/stat``)
   minus the child's, over wall time: if other processes took a core, the ratio is not
   synth's. With the small --quick count the pool's start-up dominates the ratio.

4. Peak RSS: ``synth generate --count N --output /dev/null --quiet`` for growing N, peak
   resident set size from ``os.wait4`` (``ru_maxrss``, KiB on Linux) printed in MiB. A flat
   column means memory does not grow with the corpus.

Every part starts with a line saying how many CPUs other processes kept busy just before
it, with a warning when that may disturb the numbers (shared machines, CI runners).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from faker import Faker
from mimesis import Generic, Locale
from polyfactory.factories.pydantic_factory import ModelFactory
from pydantic import BaseModel, ValidationError

from synth.generation import native as native_engine
from synth.generation.assemble import BATCH, batch_json
from synth.generation.writer import write_corpus
from synth.schema.model import Post

PYTHON = sys.executable
VALIDATE_SAMPLE = 200
STATUSES = ("draft", "reviewed", "expanded", "revised", "archived")
DIFFICULTIES = ("beginner", "intermediate", "advanced", "expert")


@dataclass(frozen=True)
class Counts:
    """How many posts each part makes."""

    polyfactory: int
    polyfactory_retry: int
    faker: int
    mimesis: int
    synth: int
    native: int
    scaling: int
    rss: tuple[int, ...]
    startup_repeats: int
    repeats: int  # throughput runs per contender (the fastest is reported); polyfactory runs once
    scaling_repeats: int


QUICK = Counts(20, 5, 200, 500, 5_000, 50_000, 10_000, (1_000, 10_000), 3, 3, 1)
NORMAL = Counts(200, 50, 2_000, 5_000, 50_000, 500_000, 100_000, (10_000, 100_000), 5, 3, 2)
FULL_RSS = (10_000, 100_000, 1_000_000)


@dataclass(frozen=True)
class Result:
    """One contender's run: posts made, total JSON bytes, seconds, share of valid outputs."""

    name: str
    posts: int
    seconds: float
    nbytes: int
    valid: float | None
    note: str = ""
    made: int | None = None  # posts behind nbytes when fewer than ``posts`` (failed attempts)
    others: float | None = None  # CPUs other processes kept busy during the run

    @property
    def rate(self) -> float:
        return self.posts / self.seconds if self.seconds > 0 else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.nbytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    @property
    def avg_bytes(self) -> float:
        made = self.posts if self.made is None else self.made
        return self.nbytes / made if made else 0.0


@contextlib.contextmanager
def pinned(cpu: int = 0) -> Iterator[str]:
    """Run the body on one CPU only (where the OS allows it); restore the old mask after."""
    if not hasattr(os, "sched_setaffinity"):
        yield "not pinned (no sched_setaffinity on this platform)"
        return
    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield f"pinned to CPU {cpu} (of {len(saved)} available)"
    finally:
        os.sched_setaffinity(0, saved)


def valid_share(blobs: Sequence[bytes | str]) -> float | None:
    """Share of the first VALIDATE_SAMPLE outputs that the Post model accepts (untimed)."""
    sample = blobs[:VALIDATE_SAMPLE]
    if not sample:
        return None
    ok = 0
    for blob in sample:
        with contextlib.suppress(ValidationError):
            Post.model_validate_json(blob)
            ok += 1
    return ok / len(sample)


def utf8_size(texts: Sequence[str]) -> int:
    return sum(len(text.encode()) for text in texts)


# --- polyfactory -------------------------------------------------------------------------


class PostFactory(ModelFactory[Post]):
    """polyfactory out of the box: fields from the model's types, constraints and patterns."""

    __model__ = Post


RETRY_ATTEMPTS: collections.Counter[str] = collections.Counter()


class RetryingPostFactory(ModelFactory[Post]):
    """PostFactory that rebuilds a (sub-)model until pydantic accepts it, at every level of nesting.

    Nested models get factories derived from this class through ``__base_factory_overrides__``
    (set below), which is local to this class: unlike a factory with ``__is_base_factory__``,
    it does not change the factories polyfactory makes for ``PostFactory``.
    """

    __model__ = Post

    @classmethod
    def build(cls, factory_use_construct: bool = False, **kwargs: Any) -> Any:
        for _ in range(10_000):
            RETRY_ATTEMPTS[cls.__model__.__name__] += 1
            with contextlib.suppress(ValidationError):
                return super().build(factory_use_construct, **kwargs)
        raise RuntimeError(f"no valid {cls.__model__.__name__} in 10,000 attempts")


RetryingPostFactory.__base_factory_overrides__ = {BaseModel: RetryingPostFactory}


def bench_polyfactory_asis(n: int, seed: int) -> Result:
    """``PostFactory.build()`` n times; failed validations count as (failed) attempts."""
    PostFactory.seed_random(seed)
    with contextlib.suppress(ValidationError):
        PostFactory.build()  # warm-up
    out: list[str] = []
    failures: collections.Counter[str] = collections.Counter()
    began = time.perf_counter()
    for _ in range(n):
        try:
            out.append(PostFactory.build().model_dump_json())
        except ValidationError as exc:
            failures[f"{exc.title}.{'.'.join(map(str, exc.errors()[0]['loc']))}"] += 1
    seconds = time.perf_counter() - began
    reasons = ", ".join(f"{where} x{count}" for where, count in failures.most_common())
    note = f"{len(out)}/{n} builds valid; posts = attempts; bytes from the valid ones; failed at: {reasons or '-'}"
    return Result("polyfactory build() as-is", n, seconds, utf8_size(out), len(out) / n, note, len(out))


def bench_polyfactory_construct(n: int, seed: int) -> Result:
    """``PostFactory.build(factory_use_construct=True)``: model_construct, no validation."""
    PostFactory.seed_random(seed)
    PostFactory.build(factory_use_construct=True)  # warm-up
    began = time.perf_counter()
    out = [PostFactory.build(factory_use_construct=True).model_dump_json() for _ in range(n)]
    seconds = time.perf_counter() - began
    note = "model_construct: nothing validated while building; 'valid' checked afterwards"
    return Result("polyfactory build(construct)", n, seconds, utf8_size(out), valid_share(out), note)


def bench_polyfactory_retry(n: int, seed: int) -> Result:
    """Valid posts from polyfactory: every (sub-)model factory retries on ValidationError."""
    RetryingPostFactory.seed_random(seed)
    RetryingPostFactory.build()  # warm-up
    RETRY_ATTEMPTS.clear()
    began = time.perf_counter()
    out = [RetryingPostFactory.build().model_dump_json() for _ in range(n)]
    seconds = time.perf_counter() - began
    builds = ", ".join(f"{model} {RETRY_ATTEMPTS[model] / n:.1f}" for model in ("Meta", "ChecklistSection", "Revision"))
    note = f"builds per valid post, retries included (lists build several per attempt): {builds}"
    return Result("polyfactory build() + retry", n, seconds, utf8_size(out), valid_share(out), note)


# --- Faker --------------------------------------------------------------------------------


def _faker_meta(
    fake: Faker, i: int, images: list[dict[str, str]], checklist: list[str], paragraphs: int
) -> dict[str, Any]:
    stack, area, language = fake.words(3, unique=True)
    problem, scenario = fake.sentence(nb_words=4)[:-1], fake.sentence(nb_words=4)[:-1]
    return {
        "topic": f"{problem} / {stack}",
        "summary": fake.paragraph(nb_sentences=2),
        "ai_outline": {"context": scenario, "problem": problem, "stack": stack, "recommended_action": fake.sentence()},
        "ai_brief": fake.paragraph(nb_sentences=2),
        "stack": [stack, area, language.lower()],
        "tools": list(dict.fromkeys(word.lower() for word in fake.words(fake.random_int(3, 7), unique=True))),
        "code_language": language.lower(),
        "difficulty": fake.random_element(DIFFICULTIES),
        "reading_time": fake.random_int(1, 15),
        "view_count": fake.random_int(0, 10_000_000),
        "score": {key: fake.random_int(0, 100) for key in ("quality", "freshness", "depth", "clarity")},
        "revision": {
            "status": fake.random_element(STATUSES),
            "version": f"{fake.random_int(1, 3)}.{fake.random_int(0, 9)}.{fake.random_int(0, 19)}",
            "last_reviewed": fake.date(),
        },
        "reference": f"anp-ref-{i:06d}-{fake.random_int(0, 9999):04d}",
        "hash": fake.sha256()[:24],
        "flags": {
            "ai_generated_style": fake.pybool(),
            "has_images": bool(images),
            "image_heavy": len(images) >= 3,
            "needs_human_review": fake.pybool(),
        },
        "checklist": checklist,
        "entities": [
            {"name": stack, "type": "stack"},
            {"name": area, "type": "area"},
            {"name": problem, "type": "problem"},
        ],
        "image_sources": [
            {"source": image["source"], "url": fake.image_url(), "caption": image["caption"]} for image in images
        ],
        "payload": {
            "source_id": f"alphanode-{i:06d}",
            "generator": "faker",
            "paragraphs": paragraphs,
            "scenario": scenario,
            "seed": i,
        },
        "notes": list(dict.fromkeys(fake.sentence() for _ in range(fake.random_int(3, 5)))),
    }


def faker_post(fake: Faker, i: int) -> dict[str, Any]:
    """Post ``i`` in the Post shape, one Faker call per field."""
    images = [{"caption": fake.sentence(), "source": fake.domain_name()} for _ in range(fake.random_int(0, 3))]
    checks = [fake.paragraph(nb_sentences=4) for _ in range(fake.random_int(2, 7))]
    finals = [fake.paragraph(nb_sentences=4) for _ in range(fake.random_int(1, 2))]
    checklist = list(dict.fromkeys(fake.sentence(nb_words=4) for _ in range(fake.random_int(3, 8))))
    similar = sorted({fake.random_int(0, 999_999) for _ in range(fake.random_int(0, 5))})
    return {
        "schema_version": 1,
        "id": f"alphanode-{i:06d}",
        "title": fake.sentence(nb_words=10),
        "intro": fake.paragraph(nb_sentences=3),
        "images": images,
        "sections": [
            {"kind": "paragraphs", "heading": "production checks", "paragraphs": checks},
            {"kind": "checklist", "heading": "implementation checklist", "items": checklist},
            {"kind": "paragraphs", "heading": "final notes", "paragraphs": finals},
        ],
        "meta": _faker_meta(fake, i, images, checklist, len(checks) + len(finals)),
        "similar_posts": [f"alphanode-{n:06d}" for n in similar],
    }


def bench_faker(n: int, seed: int) -> Result:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    faker_post(fake, 0)  # warm-up
    began = time.perf_counter()
    out = [orjson.dumps(faker_post(fake, i)) for i in range(n)]
    seconds = time.perf_counter() - began
    return Result("faker + orjson", n, seconds, sum(map(len, out)), valid_share(out))


# --- Mimesis ------------------------------------------------------------------------------


def _mimesis_meta(
    g: Generic, i: int, images: list[dict[str, str]], checklist: list[str], paragraphs: int
) -> dict[str, Any]:
    num, text = g.numeric, g.text
    stack, area = text.words(quantity=2)
    language = g.development.programming_language().lower()
    problem, scenario = text.sentence()[:-1], text.sentence()[:-1]
    return {
        "topic": f"{problem} / {stack}",
        "summary": text.text(quantity=2),
        "ai_outline": {"context": scenario, "problem": problem, "stack": stack, "recommended_action": text.sentence()},
        "ai_brief": text.text(quantity=2),
        "stack": [stack, area, language],
        "tools": list(dict.fromkeys(text.words(quantity=num.integer_number(3, 7)))),
        "code_language": language,
        "difficulty": g.random.choice(DIFFICULTIES),
        "reading_time": num.integer_number(1, 15),
        "view_count": num.integer_number(0, 10_000_000),
        "score": {key: num.integer_number(0, 100) for key in ("quality", "freshness", "depth", "clarity")},
        "revision": {
            "status": g.random.choice(STATUSES),
            "version": f"{num.integer_number(1, 3)}.{num.integer_number(0, 9)}.{num.integer_number(0, 19)}",
            "last_reviewed": g.datetime.date(start=2017, end=2024).isoformat(),
        },
        "reference": f"anp-ref-{i:06d}-{num.integer_number(0, 9999):04d}",
        "hash": g.cryptographic.hash()[:24],
        "flags": {
            "ai_generated_style": g.development.boolean(),
            "has_images": bool(images),
            "image_heavy": len(images) >= 3,
            "needs_human_review": g.development.boolean(),
        },
        "checklist": checklist,
        "entities": [
            {"name": stack, "type": "stack"},
            {"name": area, "type": "area"},
            {"name": problem, "type": "problem"},
        ],
        "image_sources": [
            {"source": image["source"], "url": g.internet.url(), "caption": image["caption"]} for image in images
        ],
        "payload": {
            "source_id": f"alphanode-{i:06d}",
            "generator": "mimesis",
            "paragraphs": paragraphs,
            "scenario": scenario,
            "seed": i,
        },
        "notes": list(dict.fromkeys(text.sentence() for _ in range(num.integer_number(3, 5)))),
    }


def mimesis_post(g: Generic, i: int) -> dict[str, Any]:
    """Post ``i`` in the Post shape, one Mimesis call per field."""
    num, text = g.numeric, g.text
    images = [{"caption": text.sentence(), "source": g.internet.hostname()} for _ in range(num.integer_number(0, 3))]
    checks = [text.text(quantity=4) for _ in range(num.integer_number(2, 7))]
    finals = [text.text(quantity=4) for _ in range(num.integer_number(1, 2))]
    checklist = list(dict.fromkeys(text.sentence() for _ in range(num.integer_number(3, 8))))
    similar = sorted({num.integer_number(0, 999_999) for _ in range(num.integer_number(0, 5))})
    return {
        "schema_version": 1,
        "id": f"alphanode-{i:06d}",
        "title": text.title(),
        "intro": text.text(quantity=3),
        "images": images,
        "sections": [
            {"kind": "paragraphs", "heading": "production checks", "paragraphs": checks},
            {"kind": "checklist", "heading": "implementation checklist", "items": checklist},
            {"kind": "paragraphs", "heading": "final notes", "paragraphs": finals},
        ],
        "meta": _mimesis_meta(g, i, images, checklist, len(checks) + len(finals)),
        "similar_posts": [f"alphanode-{n:06d}" for n in similar],
    }


def bench_mimesis(n: int, seed: int) -> Result:
    g = Generic(locale=Locale.EN, seed=seed)
    mimesis_post(g, 0)  # warm-up
    began = time.perf_counter()
    out = [orjson.dumps(mimesis_post(g, i)) for i in range(n)]
    seconds = time.perf_counter() - began
    return Result("mimesis + orjson", n, seconds, sum(map(len, out)), valid_share(out))


# --- synth --------------------------------------------------------------------------------


def bench_synth_batches(n: int, seed: int) -> Result:
    """``batch_json`` over ``range(n)`` in batches of BATCH (500)."""
    batch_json(0, 1, seed=seed)  # warm-up: loads the vocabulary
    nbytes = 0
    sample: list[bytes] = []
    began = time.perf_counter()
    for first in range(0, n, BATCH):
        posts = batch_json(first, min(BATCH, n - first), seed=seed)
        nbytes += sum(map(len, posts))
        if not sample:
            sample = posts
    seconds = time.perf_counter() - began
    return Result(f"synth batch_json x{BATCH}", n, seconds, nbytes, valid_share(sample))


def bench_synth_corpus(n: int, seed: int) -> Result:
    """``write_corpus`` to os.devnull, one worker: JSONL, bytes include the newlines."""
    batch_json(0, 1, seed=seed)  # warm-up
    with Path(os.devnull).open("wb") as sink:
        began = time.perf_counter()
        summary = write_corpus(sink, count=n, seed=seed, workers=1)
        seconds = time.perf_counter() - began
    return Result(
        "synth write_corpus w=1",
        summary.posts,
        seconds,
        summary.bytes,
        None,
        "bytes are JSONL (one newline per post); validity as batch_json",
    )


def bench_native_batches(n: int, seed: int) -> Result:
    """``synth.generation.native.batch_json`` (the compiled engine) over ``range(n)`` in batches of BATCH."""
    native_engine.batch_json(0, 1, seed=seed)  # warm-up: builds the engine from the vocabulary
    nbytes = 0
    sample: list[bytes] = []
    began = time.perf_counter()
    for first in range(0, n, BATCH):
        posts = native_engine.batch_json(first, min(BATCH, n - first), seed=seed)
        nbytes += sum(map(len, posts))
        if not sample:
            sample = posts
    seconds = time.perf_counter() - began
    return Result(f"synth native batch_json x{BATCH}", n, seconds, nbytes, valid_share(sample))


def bench_native_file(n: int, seed: int) -> Result:
    """``synth.generation.native.chunk_bytes`` chunks of BATCH written to a real file (JSONL, newlines counted)."""
    native_engine.chunk_bytes(0, 1, seed, "en_US")  # warm-up
    with tempfile.TemporaryDirectory() as folder, (Path(folder) / "posts.jsonl").open("wb") as sink:
        nbytes = 0
        began = time.perf_counter()
        for first in range(0, n, BATCH):
            nbytes += sink.write(native_engine.chunk_bytes(first, min(first + BATCH, n), seed, "en_US"))
        sink.flush()
        seconds = time.perf_counter() - began
    return Result("synth native lines -> file", n, seconds, nbytes, None, "JSONL into a file in the temp folder")


def watched(bench: Callable[[int, int], Result], n: int, seed: int) -> Result:
    """One run of a contender, with how many CPUs other processes kept busy meanwhile."""
    busy0, own0, began = machine_busy_seconds(), time.process_time(), time.perf_counter()
    result = bench(n, seed)
    busy1, own1, wall = machine_busy_seconds(), time.process_time(), time.perf_counter() - began
    if busy0 is None or busy1 is None or wall <= 0:
        return result
    return dataclasses.replace(result, others=max(0.0, busy1 - busy0 - (own1 - own0)) / wall)


def guarded(name: str, bench: Callable[[int, int], Result], n: int, seed: int, repeats: int) -> Result:
    """Best (fastest) of ``repeats`` runs of one contender; a crash becomes a row with its error."""
    print(f"  running {name} ({n:,} posts, best of {repeats}) ...", file=sys.stderr, flush=True)
    try:
        return min((watched(bench, n, seed) for _ in range(repeats)), key=lambda result: result.seconds)
    except Exception as exc:  # report every failure as a row and keep going
        return Result(name, 0, 0.0, 0, None, f"FAILED: {type(exc).__name__}: {exc}")


# --- subprocesses -------------------------------------------------------------------------


@dataclass(frozen=True)
class Spawned:
    seconds: float
    cpu_seconds: float  # user + system time of the child and the children it waited for
    others: float | None  # CPUs kept busy by other processes meanwhile (Linux only)
    max_rss_kib: int
    code: int
    stderr: str

    @property
    def cpu_share(self) -> float:
        """CPU time over wall time: 1.0 is one busy core, 2.0 two."""
        return self.cpu_seconds / self.seconds if self.seconds > 0 else 0.0


def machine_busy_seconds() -> float | None:
    """Busy CPU time of the whole machine since boot, all CPUs (from /proc/stat; None elsewhere)."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in first[1:9])
    except (OSError, ValueError):
        return None
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def spawn(argv: Sequence[str]) -> Spawned:
    """Run argv to completion: wall time, CPU time and peak RSS (os.wait4) of that child."""
    busy0 = machine_busy_seconds()
    began = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stream = proc.stderr
    err = stream.read() if stream else b""
    if stream:
        stream.close()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - began
    busy1 = machine_busy_seconds()
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    others = None if busy0 is None or busy1 is None else max(0.0, busy1 - busy0 - cpu) / seconds
    return Spawned(seconds, cpu, others, usage.ru_maxrss, proc.returncode, err.decode(errors="replace").strip())


def busy_cpus(interval: float = 0.5) -> float | None:
    """How many CPUs other processes keep busy, sampled while this process sleeps."""
    before = machine_busy_seconds()
    time.sleep(interval)
    after = machine_busy_seconds()
    return None if before is None or after is None else (after - before) / interval


def contention() -> str:
    """A line saying how busy the machine is right now, with a warning when it is."""
    busy = busy_cpus()
    if busy is None:
        return "(load of other processes unknown: no /proc/stat)"
    warning = " -- WARNING: other work disturbs these numbers" if busy > 0.3 else ""
    return f"other processes kept {busy:.1f} of {os.cpu_count()} CPUs busy just before this part{warning}"


def synth_command() -> list[str]:
    """The ``synth`` console script next to this interpreter, else ``python -m synth``."""
    script = Path(PYTHON).parent / "synth"
    return [str(script)] if script.exists() else [PYTHON, "-m", "synth"]


def generate_argv(count: int, workers: int = 1) -> list[str]:
    return [
        *synth_command(),
        "generate",
        "--count",
        str(count),
        "--workers",
        str(workers),
        "--quiet",
        "--output",
        os.devnull,
    ]


def checked(argv: Sequence[str]) -> Spawned:
    run = spawn(argv)
    if run.code != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {run.code}: {run.stderr[-500:]}")
    return run


def best_of(argv: Sequence[str], repeats: int) -> float:
    return min(checked(argv).seconds for _ in range(repeats))


# --- reports ------------------------------------------------------------------------------


def _ratio(mine: float, theirs: float) -> str:
    return f"{mine / theirs:,.1f}x" if theirs > 0 and mine > 0 else "-"


def print_throughput(results: Sequence[Result], reference: Result) -> None:
    head = (
        "contender",
        "posts",
        "seconds",
        "posts/s",
        "MB/s",
        "avg bytes",
        "valid",
        "synth x posts/s",
        "synth x MB/s",
        "others' CPUs",
    )
    rows = [head]
    for r in results:
        valid = "-" if r.valid is None else f"{r.valid:.0%}"
        others = "-" if r.others is None else f"{r.others:.2f}"
        rows.append(
            (
                r.name,
                f"{r.posts:,}",
                f"{r.seconds:.2f}",
                f"{r.rate:,.0f}",
                f"{r.mb_per_s:,.2f}",
                f"{r.avg_bytes:,.0f}",
                valid,
                _ratio(reference.rate, r.rate),
                _ratio(reference.mb_per_s, r.mb_per_s),
                others,
            )
        )
    widths = [max(len(row[c]) for row in rows) for c in range(len(head))]
    for k, row in enumerate(rows):
        cells = zip(row, widths, strict=True)
        print("  ".join(cell.ljust(w) if c == 0 else cell.rjust(w) for c, (cell, w) in enumerate(cells)))
        if k == 0:
            print("  ".join("-" * w for w in widths))
    notes = [f"  {r.name}: {r.note}" for r in results if r.note]
    if notes:
        print("notes:", *notes, sep="\n")


def run_startup(repeats: int) -> float:
    """Print start-up times; return the best ``synth generate --count 1`` time."""
    print(f"\n== start-up (best of {repeats}) ==")
    print(contention())
    cases = [
        ("synth generate --count 1", [*synth_command(), "generate", "--count", "1", "--output", os.devnull, "--quiet"]),
        ('python -c "import synth"', [PYTHON, "-c", "import synth"]),
        ('python -c "import synth.generation.writer"', [PYTHON, "-c", "import synth.generation.writer"]),
        ('python -c "pass"', [PYTHON, "-c", "pass"]),
    ]
    times = {label: best_of(argv, repeats) for label, argv in cases}
    for label, seconds in times.items():
        print(f"{label:<32} {seconds * 1000:8.0f} ms")
    return times["synth generate --count 1"]


def _others(run: Spawned) -> str:
    return "-" if run.others is None else f"{run.others:.2f}"


def run_scaling(n: int, startup: float, repeats: int) -> None:
    """Workers 1 and 2, alternately, ``repeats`` times each; the fastest run of each is shown."""
    print(
        f"\n== scaling: synth generate --count {n:,} --output /dev/null, unpinned, {os.cpu_count()} CPUs,"
        f" best of {repeats} =="
    )
    print(contention())
    runs: dict[int, list[Spawned]] = {1: [], 2: []}
    for _ in range(repeats):
        for workers, done in runs.items():
            done.append(checked(generate_argv(n, workers)))
    print(
        f"{'workers':>7}  {'seconds':>8}  {'posts/s':>9}  {'posts/s excl. start-up':>22}  {'CPUs used':>9}"
        f"  {'CPUs used by others':>19}"
    )
    rates: dict[int, tuple[float, float]] = {}
    for workers, done in runs.items():
        run = min(done, key=lambda spawned: spawned.seconds)
        net = run.seconds - startup
        rates[workers] = (n / run.seconds, n / net if net > 0 else 0.0)
        print(
            f"{workers:>7}  {run.seconds:8.2f}  {rates[workers][0]:9,.0f}  {rates[workers][1]:22,.0f}"
            f"  {run.cpu_share:9.2f}  {_others(run):>19}"
        )
    net_ratio = f"{rates[2][1] / rates[1][1]:.2f}" if rates[1][1] and rates[2][1] else "-"
    print(f"ratio workers=2 / workers=1: {rates[2][0] / rates[1][0]:.2f} (excl. start-up: {net_ratio})")


def run_rss(counts: Sequence[int]) -> None:
    print("\n== peak RSS: synth generate --count N --output /dev/null --quiet (workers=1) ==")
    print(contention())
    print(f"{'N':>10}  {'seconds':>8}  {'posts/s':>9}  {'peak RSS MiB':>12}  {'CPUs used by others':>19}")
    peaks = []
    for n in counts:
        run = checked(generate_argv(n))
        peaks.append(run.max_rss_kib / 1024)
        print(f"{n:>10,}  {run.seconds:8.2f}  {n / run.seconds:9,.0f}  {peaks[-1]:12.1f}  {_others(run):>19}")
    print(f"largest / smallest N peak RSS: {peaks[-1] / peaks[0]:.2f} (1.00 = flat)")


def run_throughput(counts: Counts, seed: int) -> None:
    r = counts.repeats
    plan: list[tuple[str, Callable[[int, int], Result], int, int]] = [
        ("polyfactory build() as-is", bench_polyfactory_asis, counts.polyfactory, 1),
        ("polyfactory build(construct)", bench_polyfactory_construct, counts.polyfactory, 1),
        ("polyfactory build() + retry", bench_polyfactory_retry, counts.polyfactory_retry, 1),
        ("faker + orjson", bench_faker, counts.faker, r),
        ("mimesis + orjson", bench_mimesis, counts.mimesis, r),
        (f"synth batch_json x{BATCH}", bench_synth_batches, counts.synth, r),
        ("synth write_corpus w=1", bench_synth_corpus, counts.synth, r),
        (f"synth native batch_json x{BATCH}", bench_native_batches, counts.native, r),
        ("synth native lines -> file", bench_native_file, counts.native, r),
    ]
    if not native_engine.available():
        plan = plan[:-2]
        print(f"  synth native: not built ({native_engine.BUILD_HINT})", file=sys.stderr)
    load = contention()
    with pinned(0) as where:
        results = [guarded(name, bench, n, seed, repeats) for name, bench, n, repeats in plan]
    print(f"\n== throughput, one core ({where}), seed {seed}; best of {r} runs except polyfactory (1) ==")
    print(load)
    by_name = {result.name: result for result in results}
    reference = by_name[f"synth batch_json x{BATCH}"]
    print_throughput(results, reference)
    native = by_name.get(f"synth native batch_json x{BATCH}")
    if native is not None and native.rate and reference.rate:
        print(f"synth native batch_json makes {native.rate / reference.rate:,.1f}x the posts/s of the Python engine")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run in well under a minute")
    parser.add_argument("--full", action="store_true", help="add the 1,000,000-post peak-RSS run (about a minute)")
    parser.add_argument("--seed", type=int, default=0, help="seed for every contender (default 0)")
    args = parser.parse_args(argv)
    counts = QUICK if args.quick else NORMAL
    rss = FULL_RSS if args.full else counts.rss
    print(
        f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs;"
        f" mode: {'quick' if args.quick else 'full' if args.full else 'normal'}"
    )
    began = time.perf_counter()
    run_throughput(counts, args.seed)
    startup = run_startup(counts.startup_repeats)
    run_scaling(counts.scaling, startup, counts.scaling_repeats)
    run_rss(rss)
    print(f"\ntotal benchmark time: {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
