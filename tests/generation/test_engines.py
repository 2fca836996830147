"""The engine dispatch (synth.generation.engines) and the same bytes whatever the path.

The oracle is the Python reference itself (``synth.generation.assemble``, the specification of
the bytes) and the pinned fixtures (``fixtures/golden``): every path through either engine
(workers, chunks, shards, starts, parts and their compressions, Dask, editions, the labelled
invalid corpus, the feeds) must give the reference's bytes.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from synth import generate, generate_post
from synth.errors import GenerationError, UsageError
from synth.generation import assemble, engines, native
from synth.generation.corpus import CHUNK, PlainChunks, Target, Truth, write_chunks
from synth.generation.defects import DefectiveChunks
from synth.generation.plan import loaded, plan_batch
from synth.generation.streams import revised
from synth.generation.vocab import LOCALES

ENGINES = ("native", "python")


def reference(first: int, count: int, seed: int = 0, locale: str = "en_US") -> bytes:
    """The reference's JSON lines, straight from ``assemble.batch_json``."""
    lines: list[bytes] = []
    for low in range(first, first + count, 500):
        lines += assemble.batch_json(low, min(500, first + count - low), seed=seed, locale=locale)
    return b"".join(line + b"\n" for line in lines)


# ---- resolving an engine ----


def test_auto_is_native_when_it_is_built() -> None:
    assert native.available()
    assert [engines.resolve(e) for e in ("auto", "native", "python")] == ["native", "native", "python"]
    assert engines.describe() == "native"
    assert engines.ENGINES == ("auto", "native", "python")


@pytest.fixture
def without_native(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "_native", None)
    monkeypatch.setattr(native, "_MISSING", "No module named 'synth._native'")
    native.engine.cache_clear()
    yield
    native.engine.cache_clear()


@pytest.mark.usefixtures("without_native")
def test_without_native_auto_is_python_and_native_says_how_to_build_it() -> None:
    assert engines.resolve("auto") == "python"
    assert engines.describe() == "python; native not built: No module named 'synth._native'"
    with pytest.raises(UsageError) as info:
        engines.resolve("native")
    assert info.value.parameter == "engine"
    assert str(info.value) == (
        "engine native needs the compiled generator synth._native, which is not built "
        "(No module named 'synth._native'). To resolve this error, build it "
        f"({native.BUILD_HINT}), or pass engine python (the same bytes, slower)"
    )
    assert engines.batch_json(3, 2) == assemble.batch_json(3, 2)  # auto still works
    with pytest.raises(UsageError, match="engine native needs"):
        engines.batch_json(3, 2, engine="native")


@pytest.mark.parametrize("bad", ["Native", "rust", "", "auto "])
def test_an_unknown_engine_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError) as info:
        engines.resolve(bad)
    assert (str(info.value), info.value.parameter) == (
        f"engine {bad!r} is not auto, native or python. To resolve this error, "
        "pass engine auto (native when built), native or python",
        "engine",
    )


# ---- the same posts from each engine ----


@pytest.mark.parametrize(("seed", "locale"), [(0, "en_US"), (7, "ja_JP"), (2**63 - 1, "ar_AA"), (1, "de_DE")])
def test_batch_dicts_are_the_reference_s_dicts(seed: int, locale: str) -> None:
    for first in (0, 4_990, 10**12 - 60):
        mine = engines.batch_dicts(first, 60, seed=seed, locale=locale, engine="native")
        assert mine == assemble.batch_dicts(first, 60, seed=seed, locale=locale)
        assert {post["meta"]["hash"] for post in mine} == {"0" * 24}


def test_batch_dicts_with_other_streams() -> None:
    twin = revised(3)
    mine = engines.batch_dicts(100, 40, seed=5, streams=twin, engine="native")
    assert mine == assemble.batch_dicts(100, 40, seed=5, streams=twin)
    assert engines.batch_json(100, 40, seed=5, streams=twin, engine="native") == assemble.batch_json(
        100, 40, seed=5, streams=twin
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_chunks_are_the_reference_s_lines(engine: engines.Engine) -> None:
    for first, last, seed, locale in ((0, 1_234, 0, "en_US"), (77, 78, 3, "fr_FR"), (5, 5, 0, "zh_CN")):
        assert engines.chunk_bytes(first, last, seed, locale, engine) == reference(first, last - first, seed, locale)


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_and_negative_requests(engine: engines.Engine) -> None:
    assert engines.batch_json(10**12 + 5, 0, engine=engine) == []
    assert engines.batch_dicts(0, 0, engine=engine) == []
    with pytest.raises(GenerationError) as info:
        engines.batch_json(0, -1, engine=engine)
    assert (str(info.value), info.value.parameter) == (
        "count -1 is negative. To resolve this error, pass zero or a positive count",
        "count",
    )
    with pytest.raises(GenerationError, match="seed -1 is out of range"):
        engines.chunk_bytes(0, 1, -1, "en_US", engine)
    with pytest.raises(GenerationError, match="unknown locale 'xx_XX'"):
        engines.batch_json(0, 1, locale="xx_XX", engine=engine)


def test_images_are_the_planned_image_counts() -> None:
    plans = plan_batch(9, 2_000, 200, loaded("en_US"))
    for engine in ENGINES:
        assert [engines.images(2_000 + i, seed=9, engine=engine) for i in range(200)] == [p.images for p in plans]


@pytest.mark.parametrize("locale", LOCALES)
def test_generate_and_generate_post_take_the_engine(locale: str) -> None:
    natives = list(generate(30, seed=4, start=600, locale=locale, engine="native"))
    assert natives == list(generate(30, seed=4, start=600, locale=locale, engine="python"))
    assert [p.id for p in natives] == [f"alphanode-{i:06d}" for i in range(600, 630)]
    assert generate_post(611, seed=4, locale=locale, engine="native") == natives[11]
    assert generate_post(611, seed=4, locale=locale, engine="python") == natives[11]


def test_generate_checks_its_engine() -> None:
    with pytest.raises(UsageError, match="engine 'fast'"):
        next(generate(1, engine="fast"))  # type: ignore[arg-type]


# ---- workers: threads for the native engine's plain chunks, processes otherwise ----


@dataclass(frozen=True)
class WhoMadeIt:
    """A chunk maker whose lines say which process and thread made them (picklable)."""

    threaded: bool

    def __call__(self, first: int, last: int) -> tuple[bytes, Truth]:
        line = f"{os.getpid()} {threading.current_thread().name}\n".encode()
        return line * (last - first), []


@pytest.mark.parametrize("threaded", [True, False])
def test_threaded_makers_run_on_threads_and_others_in_processes(threaded: bool) -> None:
    stream = io.BytesIO()
    write_chunks(Target(stream), WhoMadeIt(threaded), range(40), chunk=10, workers=2)
    makers = {tuple(line.split()) for line in stream.getvalue().decode().splitlines()}
    pids = {int(pid) for pid, _ in makers}
    if threaded:
        assert pids == {os.getpid()}
        assert {name for _, name in makers} <= {"synth-chunk_0", "synth-chunk_1"}
    else:
        assert os.getpid() not in pids


def test_plain_native_chunks_are_threaded_and_defects_are_not() -> None:
    assert PlainChunks(0, "en_US", "native").threaded
    assert not PlainChunks(0, "en_US", "python").threaded
    assert not DefectiveChunks(0, "en_US", 0.1, 99, "native").threaded


def test_an_interrupt_stops_the_threads() -> None:
    def interrupt(posts: int) -> None:
        raise KeyboardInterrupt

    before = set(threading.enumerate())
    with pytest.raises(KeyboardInterrupt):
        write_chunks(
            Target(io.BytesIO()), PlainChunks(0, "en_US", "native"), range(400_000), workers=2, progress=interrupt
        )
    assert set(threading.enumerate()) - before == set()


# ---- start-up: the native path needs neither numpy nor pydantic ----


def _modules_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys; print(sorted(m for m in ('numpy', 'pydantic') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(orjson.loads(done.stdout.splitlines()[-1].replace("'", '"')))


def test_the_native_path_imports_neither_numpy_nor_pydantic() -> None:
    code = (
        "import io; from synth.generation.writer import write_corpus\n"
        "write_corpus(io.BytesIO(), count=2500, workers=2)\n"
        "from synth.feeds.bulk import write_bulk; write_bulk('-', count=3, max_docs=None)"
    )
    assert _modules_after(code) == []
    assert _modules_after(code.replace("workers=2)", "engine='python')")) == ["numpy"]


def test_the_command_imports_no_numpy_with_the_native_engine() -> None:
    probe = (
        "import atexit, sys; atexit.register(lambda: print('numpy' in sys.modules, file=sys.stderr))\n"
        "sys.argv = ['synth', 'generate', '-n', '5', '-q', '-o', '-']; import synth.cli; synth.cli.main()"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stderr == "False\n"
    assert done.stdout.encode() == reference(0, 5)


def test_chunks_are_a_thousand_posts() -> None:
    """Large writes: ``synth generate`` writes a chunk of CHUNK posts with one call."""
    sizes: list[int] = []

    class Sink(io.BytesIO):
        def write(self, data: Any) -> int:
            sizes.append(len(data))
            return super().write(data)

    write_chunks(Target(Sink()), PlainChunks(0, "en_US", "native"), range(2 * CHUNK + 5))
    assert CHUNK == 1000
    assert len(sizes) == 3 and min(sizes[:2]) > 4_000_000
