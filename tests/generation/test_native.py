"""The compiled generator (synth._native via synth.generation.native) against the Python reference.

The Python generator is the specification: every test here compares the bytes of both, for
every locale, edge seeds, contiguous ranges, random indices up to 10**12 - 1, random requests
(hypothesis) and non-default stream ids. A failure names the post index and shows the first
bytes that differ, with the JSON key path they are under.
"""

from __future__ import annotations

import doctest
import hashlib
import random
import tomllib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synth._version import __version__
from synth.errors import GenerationError
from synth.generation import native as native_engine
from synth.generation.assemble import MAX_INDEX, MAX_SEED, batch_json, build
from synth.generation.plan import loaded, plan_batch
from synth.generation.streams import GENERATOR as STREAMS
from synth.generation.streams import generator_ids, revised
from synth.generation.vocab import LOCALES
from synth.schema.hash import seal
from tests.conftest import ROOT, first_then_slow
from tests.generation.test_assemble import GOLDEN_SHA256_1000

SEEDS = (0, 1, 7, MAX_SEED)
CHUNK = 500


def _key_path(value: object, other: object, path: str = "") -> str:
    """The first key path (``meta.tools[2]``) where two decoded posts differ."""
    if isinstance(value, dict) and isinstance(other, dict):
        for key in dict.fromkeys([*value, *other]):
            if value.get(key) != other.get(key):
                return _key_path(value.get(key), other.get(key), f"{path}.{key}" if path else key)
    if isinstance(value, list) and isinstance(other, list) and len(value) == len(other):
        for i, (a, b) in enumerate(zip(value, other, strict=True)):
            if a != b:
                return _key_path(a, b, f"{path}[{i}]")
    return path or "(whole post)"


def _where(native: bytes, python: bytes) -> str:
    """Where two posts' bytes part: offset, the bytes around it on both sides, and the key path."""
    at = next(
        (i for i, (a, b) in enumerate(zip(native, python, strict=False)) if a != b), min(map(len, (native, python)))
    )
    try:
        path = _key_path(orjson.loads(native), orjson.loads(python))
    except orjson.JSONDecodeError:
        path = "(native output is not JSON)"
    return (
        f"first difference at byte {at} (under {path}):\n"
        f"  native: {native[max(0, at - 60) : at + 60]!r}\n"
        f"  python: {python[max(0, at - 60) : at + 60]!r}"
    )


def assert_same(native: Sequence[bytes], python: Sequence[bytes], indices: Sequence[int], what: str) -> None:
    """Equal post for post; otherwise fail on the first differing post with its index and bytes."""
    assert len(native) == len(python) == len(indices), f"{what}: {len(native)} native, {len(python)} python posts"
    for index, mine, theirs in zip(indices, native, python, strict=True):
        if mine != theirs:
            pytest.fail(f"{what}: post {index} differs; {_where(mine, theirs)}", pytrace=False)


def compare_range(first: int, count: int, seed: int, locale: str) -> None:
    for start in range(first, first + count, CHUNK):
        n = min(CHUNK, first + count - start)
        native = native_engine.batch_json(start, n, seed=seed, locale=locale)
        python = batch_json(start, n, seed=seed, locale=locale)
        assert_same(native, python, range(start, start + n), f"seed {seed}, locale {locale}")


def test_the_extension_is_built() -> None:
    assert native_engine.available(), native_engine.BUILD_HINT


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("locale", LOCALES)
def test_first_five_hundred_posts(locale: str, seed: int) -> None:
    compare_range(0, 500, seed, locale)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("locale", LOCALES)
def test_first_twenty_thousand_posts(locale: str, seed: int) -> None:
    compare_range(500, 19_500, seed, locale)


def _random_indices(n: int, salt: str) -> list[int]:
    rng = random.Random(f"native-random-indices-{salt}")
    return [rng.randrange(MAX_INDEX + 1) for _ in range(n - 2)] + [MAX_INDEX, 5_000]


def compare_indices(indices: Sequence[int], seeds: Sequence[int], locale: str) -> None:
    for index, seed in zip(indices, seeds, strict=True):
        native = native_engine.batch_json(index, 1, seed=seed, locale=locale)
        python = batch_json(index, 1, seed=seed, locale=locale)
        assert_same(native, python, [index], f"seed {seed}, locale {locale}")


@pytest.mark.parametrize("locale", first_then_slow(*LOCALES))
def test_two_thousand_random_indices(locale: str) -> None:
    """Indices anywhere up to 10**12 - 1, each with one of the edge seeds."""
    indices = _random_indices(2_000, locale)
    compare_indices(indices, [SEEDS[i % len(SEEDS)] for i in range(len(indices))], locale)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("locale", LOCALES)
def test_two_thousand_random_indices_every_seed(locale: str, seed: int) -> None:
    indices = _random_indices(2_000, f"{locale}-{seed}")
    compare_indices(indices, [seed] * len(indices), locale)


def test_golden_digest_of_a_thousand_posts() -> None:
    data = native_engine.engine("en_US").lines(0, 0, 1000)
    assert hashlib.sha256(data).hexdigest() == GOLDEN_SHA256_1000


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.one_of(st.sampled_from(SEEDS), st.integers(0, MAX_SEED)),
    start=st.one_of(st.integers(0, 6_000), st.integers(0, MAX_INDEX)),
    count=st.integers(0, 40),
    locale=st.sampled_from(LOCALES),
)
def test_random_requests(seed: int, start: int, count: int, locale: str) -> None:
    start = min(start, MAX_INDEX + 1 - count)
    native = native_engine.batch_json(start, count, seed=seed, locale=locale)
    assert_same(native, batch_json(start, count, seed=seed, locale=locale), range(start, start + count), "request")
    lines = native_engine.chunk_bytes(start, start + count, seed, locale)
    assert lines == b"".join(post + b"\n" for post in batch_json(start, count, seed=seed, locale=locale))


def _python_posts(first: int, count: int, seed: int, locale: str, streams: Mapping[str, int]) -> list[bytes]:
    v = loaded(locale)
    return [seal(build(first + i, plan, v)) for i, plan in enumerate(plan_batch(seed, first, count, v, streams))]


def _named(ids: Sequence[int]) -> dict[str, int]:
    return {stream.name: i for stream, i in zip(STREAMS, ids, strict=True)}


TWIN_STREAMS = [
    generator_ids(),
    revised(1),  # an edition's twin: new text streams
    _named([13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]),
    _named([2**32 - 1 - i for i in range(len(STREAMS))]),
]


@pytest.mark.parametrize("streams", TWIN_STREAMS, ids=["default", "twin", "reversed", "top"])
@pytest.mark.parametrize("locale", ["en_US", "ja_JP"])
def test_stream_ids(streams: dict[str, int], locale: str) -> None:
    for first, seed in ((0, 0), (4_990, 7), (MAX_INDEX - 199, MAX_SEED)):
        native = native_engine.batch_json(first, 200, seed=seed, locale=locale, streams=streams)
        python = _python_posts(first, 200, seed, locale, streams)
        assert_same(native, python, range(first, first + 200), f"streams {streams}, seed {seed}")


def test_default_stream_ids_change_nothing() -> None:
    default = generator_ids()
    assert native_engine.batch_json(10, 50, streams=default) == batch_json(10, 50)
    assert _python_posts(10, 50, 0, "en_US", default) == batch_json(10, 50)


def test_other_stream_ids_change_the_text_only() -> None:
    twin = orjson.loads(native_engine.batch_json(77, 1, streams=TWIN_STREAMS[1])[0])
    post = orjson.loads(native_engine.batch_json(77, 1)[0])
    assert twin["meta"]["topic"] == post["meta"]["topic"]
    assert twin["sections"] != post["sections"]


def test_images_is_the_planned_image_count() -> None:
    for seed, locale in ((0, "en_US"), (MAX_SEED, "zh_CN")):
        v = loaded(locale)
        plans = plan_batch(seed, 1_000, 300, v)
        counts = [native_engine.images(1_000 + i, seed=seed, locale=locale) for i in range(300)]
        assert counts == [plan.images for plan in plans]
    assert (
        native_engine.images(5, streams=TWIN_STREAMS[2])
        == plan_batch(0, 5, 1, loaded("en_US"), TWIN_STREAMS[2])[0].images
    )


def test_threads_share_an_engine() -> None:
    """Batches run with the GIL released, on threads at once, and give the same bytes."""
    engine = native_engine.engine("de_DE")
    firsts = range(0, 8_000, 500)
    with ThreadPoolExecutor(max_workers=4) as pool:
        chunks = list(pool.map(lambda first: engine.lines(5, first, 500), firsts))
    assert chunks == [engine.lines(5, first, 500) for first in firsts]


def test_lines_and_posts_agree() -> None:
    engine = native_engine.engine("fr_FR")
    posts = engine.posts(3, 100, 20)
    assert engine.lines(3, 100, 20) == b"".join(p + b"\n" for p in posts)
    assert engine.posts(3, 100, 0) == [] and engine.lines(3, 100, 0) == b""
    assert native_engine.batch_json(MAX_INDEX + 5, 0) == []


@pytest.mark.parametrize(
    ("seed", "first", "count", "message"),
    [
        (-1, 0, 1, "seed -1 is out of range"),
        (MAX_SEED + 1, 0, 1, "out of range"),
        (2**200, 0, 1, "out of range"),
        (0, -1, 1, "post indices -1..-1 are out of range"),
        (0, MAX_INDEX, 2, "are out of range"),
        (0, 0, -1, "count -1 is negative"),
    ],
)
def test_bad_requests_raise_value_error(seed: int, first: int, count: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        native_engine.engine("en_US").lines(seed, first, count)


def test_bad_arguments_raise_value_error() -> None:
    engine = native_engine.engine("en_US")
    with pytest.raises(ValueError, match="14 streams"):
        engine.posts(0, 0, 1, [0, 1])
    with pytest.raises(ValueError, match="stream id -1"):
        engine.posts(0, 0, 1, [-1] * 14)
    with pytest.raises(ValueError, match="must be an int"):
        engine.lines("0", 0, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="engine data"):
        native_engine._module().Engine({})


def test_adapter_raises_generation_errors() -> None:
    with pytest.raises(GenerationError, match="seed -1 is out of range"):
        native_engine.batch_json(0, 1, seed=-1)
    with pytest.raises(GenerationError, match="are out of range"):
        native_engine.chunk_bytes(MAX_INDEX, MAX_INDEX + 2, 0, "en_US")
    with pytest.raises(GenerationError, match="unknown locale"):
        native_engine.batch_json(0, 1, locale="xx_XX")
    with pytest.raises(KeyError):
        native_engine.batch_json(0, 1, streams={"topic": 1})
    with pytest.raises(GenerationError, match="negative"):
        native_engine.batch_json(0, -1)
    assert native_engine.chunk_bytes(5, 5, 0, "en_US") == b""


def test_a_missing_extension_says_how_to_build_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native_engine, "_native", None)
    monkeypatch.setattr(native_engine, "_MISSING", "No module named 'synth._native'", raising=False)
    native_engine.engine.cache_clear()
    try:
        assert not native_engine.available()
        with pytest.raises(GenerationError, match=r"Rust toolchain: https://rustup\.rs; or install a wheel"):
            native_engine.batch_json(0, 1)
    finally:
        native_engine.engine.cache_clear()


def test_templates_with_other_fields_are_refused() -> None:
    assert native_engine._segments("a {problem} {{b}} {tool}") == ["a ", 0, " {", "b}", " ", 3]
    for bad in ("{problem!r}", "{stack:>9}", "{author}", "{}"):
        with pytest.raises(GenerationError, match="template field"):
            native_engine._segments(bad)


def test_the_docstring_examples() -> None:
    assert doctest.testmod(native_engine).failed == 0


def test_the_crate_version_is_the_package_version() -> None:
    cargo = tomllib.loads((ROOT / "native" / "Cargo.toml").read_text())
    assert cargo["package"]["version"] == __version__
