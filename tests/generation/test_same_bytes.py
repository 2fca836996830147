"""The same bytes whatever the path: ``--engine``, workers, chunks, shards, starts, parts, Dask,
editions, the labelled invalid corpus and the feeds.

Each output is compared with an oracle that does not go through the path under test: the Python
reference's posts (``assemble.batch_json``) or the digests pinned in ``fixtures/golden``.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import itertools
from pathlib import Path

import orjson
import pytest
import zstandard
from typer.testing import CliRunner

from synth.cli import app
from synth.feeds.bulk import write_bulk
from synth.feeds.k6 import write_k6
from synth.feeds.rally import write_rally_corpus
from synth.generation import assemble
from synth.generation.corpus import CHUNK
from synth.generation.defects import KINDS, sample
from synth.generation.edition import edition_lines
from synth.generation.manifest import read_manifest
from synth.generation.parts import write_parts, write_parts_dask
from synth.generation.writer import write_corpus
from tests.conftest import FIXTURES, first_then_slow

runner = CliRunner()
ENGINES = ("native", "python")
COUNT = 2 * CHUNK + 321  # several chunks, the last one short
GOLDEN = orjson.loads((FIXTURES / "golden" / "digests.json").read_bytes())


def reference(first: int, count: int, seed: int = 0, locale: str = "en_US") -> bytes:
    """The reference's JSON lines, straight from ``assemble.batch_json``."""
    lines: list[bytes] = []
    for low in range(first, first + count, 500):
        lines += assemble.batch_json(low, min(500, first + count - low), seed=seed, locale=locale)
    return b"".join(line + b"\n" for line in lines)


@pytest.fixture(scope="module")
def expected() -> bytes:
    return reference(0, COUNT, seed=5)


def generated(*args: str) -> bytes:
    result = runner.invoke(app, ["generate", "--seed", "5", "--quiet", *args])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


# ---- synth generate ----


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("engine", ENGINES)
def test_generate_is_the_reference_for_any_engine_and_workers(engine: str, workers: str, expected: bytes) -> None:
    assert generated("-n", str(COUNT), "--engine", engine, "--workers", workers) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_shards_and_starts_are_slices_of_the_reference(engine: str, expected: bytes) -> None:
    shards = [generated("-n", str(COUNT), "--engine", engine, "--shard", f"{k}/3") for k in (1, 2, 3)]
    assert b"".join(shards) == expected
    lines = expected.splitlines(keepends=True)
    assert generated("-n", "700", "--start", "1500", "--engine", engine) == b"".join(lines[1500:2200])


@pytest.mark.parametrize("chunk", first_then_slow(7, 333, CHUNK, 5 * CHUNK))
@pytest.mark.parametrize("engine", ENGINES)
def test_chunk_sizes_and_the_json_array(engine: str, chunk: int, expected: bytes) -> None:
    for workers in (1, 2):
        buffer = io.BytesIO()
        write_corpus(buffer, count=COUNT, seed=5, chunk=chunk, workers=workers, engine=engine)  # type: ignore[arg-type]
        assert buffer.getvalue() == expected, (chunk, workers)
    array = io.BytesIO()
    write_corpus(array, count=COUNT, seed=5, chunk=chunk, fmt="json", engine=engine)  # type: ignore[arg-type]
    assert [orjson.dumps(post) for post in orjson.loads(array.getvalue())] == expected.splitlines()


@pytest.mark.parametrize("locale", ["ja_JP", "ar_AA"])
def test_locales_through_the_command(locale: str) -> None:
    native = generated("-n", "1200", "--locale", locale, "--engine", "native", "-w", "2")
    assert native == generated("-n", "1200", "--locale", locale, "--engine", "python") == reference(0, 1200, 5, locale)


# ---- parts, compressed or not, on processes or Dask ----


def _unpacked(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        return gzip.decompress(raw)
    if path.suffix == ".zst":
        return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)).read()
    return raw


@pytest.mark.parametrize("compress", first_then_slow(None, "gz", "zst"))
def test_parts_are_the_reference_whatever_the_engine(tmp_path: Path, compress: str | None) -> None:
    manifests = {}
    for engine, workers in itertools.product(ENGINES, (1, 2)):
        folder = tmp_path / f"{engine}-{workers}"
        args = ["generate", "-n", "2500", "-s", "5", "--start", "40", "--parts", "3", "-o", str(folder), "-q"]
        result = runner.invoke(
            app, [*args, "--engine", engine, "-w", str(workers)] + (["--compress", compress] if compress else [])
        )
        assert result.exit_code == 0, result.output
        manifest = read_manifest(str(folder / "manifest.json"))
        assert b"".join(_unpacked(folder / part.file) for part in manifest.parts) == reference(40, 2500, 5)
        manifests[engine, workers] = (folder / "manifest.json").read_bytes()
    assert len(set(manifests.values())) == 1  # the same files, byte for byte (sizes and sha256 of each)


def test_dask_parts_of_the_native_engine_are_the_python_parts(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    python = write_parts(str(tmp_path / "python"), count=1500, parts=3, seed=2, compress="zst", engine="python")
    dask = write_parts_dask(
        str(tmp_path / "dask"), count=1500, parts=3, seed=2, compress="zst", workers=2, engine="native"
    )
    assert dask.parts == python.parts
    assert (tmp_path / "dask" / "manifest.json").read_bytes() == (tmp_path / "python" / "manifest.json").read_bytes()


# ---- editions ----


@pytest.mark.parametrize("edition", [1, 2, 3])
def test_editions_are_the_pinned_ones_with_either_engine(edition: int) -> None:
    for engine in ENGINES:
        stream = io.BytesIO()
        write_corpus(stream, count=2000, seed=0, edition=edition, engine=engine)  # type: ignore[arg-type]
        if edition == 1:
            assert stream.getvalue() == reference(0, 2000, 0)
        else:
            assert hashlib.sha256(stream.getvalue()).hexdigest() == GOLDEN[f"edition{edition}-seed0-n2000"], engine


@pytest.mark.parametrize(("count", "edition", "seed"), first_then_slow((1500, 3, 5), (7000, 2, 1), (300, 6, 2**63 - 1)))
def test_editions_agree_between_engines(count: int, edition: int, seed: int) -> None:
    native = list(edition_lines(count, edition, seed=seed, engine="native"))
    assert native == list(edition_lines(count, edition, seed=seed, engine="python"))
    assert len(native) > count * 0.9


def test_edition_through_the_command() -> None:
    native = generated("-n", "2000", "--edition", "2", "--engine", "native")
    assert generated("-n", "2000", "--edition", "2", "--engine", "python") == native
    assert (
        hashlib.sha256(runner.invoke(app, ["generate", "-n", "2000", "--edition", "3", "-q"]).stdout_bytes).hexdigest()
        == GOLDEN["edition3-seed0-n2000"]
    )


# ---- the labelled invalid corpus ----


def _invalid(tmp_path: Path, engine: str, seed: int, rate: float, count: int, workers: int = 1) -> tuple[bytes, bytes]:
    truth = tmp_path / f"truth-{engine}-{seed}-{rate}-{workers}.jsonl"
    stream = io.BytesIO()
    write_corpus(stream, count=count, seed=seed, invalid_rate=rate, truth=str(truth), workers=workers, engine=engine)  # type: ignore[arg-type]
    return stream.getvalue(), truth.read_bytes()


def test_the_pinned_invalid_corpus_with_either_engine(tmp_path: Path) -> None:
    pinned_truth = (FIXTURES / "golden" / "invalid-seed0-n2000-rate0.05.truth.jsonl").read_bytes()
    for engine in ENGINES:
        data, truth = _invalid(tmp_path, engine, 0, 0.05, 2000)
        assert hashlib.sha256(data).hexdigest() == GOLDEN["invalid-seed0-n2000-rate0.05"], engine
        assert truth == pinned_truth, engine


@pytest.mark.parametrize(("seed", "rate"), first_then_slow((1, 0.05), (3, 0.3), (11, 1.0), (2**63 - 1, 0.01)))
def test_invalid_corpora_agree_between_engines(tmp_path: Path, seed: int, rate: float) -> None:
    native = _invalid(tmp_path, "native", seed, rate, 2300, workers=2)
    assert native == _invalid(tmp_path, "python", seed, rate, 2300)
    assert native[1].count(b"\n") > 0


def test_every_defect_sample_agrees_between_engines() -> None:
    for defect in KINDS:
        for seed in (0, 7):
            assert sample(defect, seed=seed, engine="native") == sample(defect, seed=seed, engine="python"), defect


def test_invalid_corpus_through_the_command(tmp_path: Path) -> None:
    outputs = []
    for engine in ENGINES:
        truth = tmp_path / f"{engine}.truth.jsonl"
        data = generated("-n", "1500", "--invalid-rate", "0.1", "--truth", str(truth), "--engine", engine, "-w", "2")
        outputs.append((data, truth.read_bytes()))
    assert outputs[0] == outputs[1]


# ---- feeds ----


def test_bulk_bodies_agree_between_engines(tmp_path: Path) -> None:
    made = {}
    for engine in ENGINES:
        files = write_bulk(str(tmp_path / engine), count=1300, seed=3, max_docs=500, compress="gz", engine=engine)  # type: ignore[arg-type]
        made[engine] = [Path(f).read_bytes() for f in files]
    assert made["native"] == made["python"] and len(made["native"]) == 3
    body = b"".join(gzip.decompress(part) for part in made["native"])
    assert body.splitlines()[1::2] == reference(0, 1300, 3).splitlines()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_k6_rows_agree_between_engines(tmp_path: Path, fmt: str) -> None:
    for engine in ENGINES:
        write_k6(str(tmp_path / f"{engine}.{fmt}"), count=1100, seed=3, fmt=fmt, with_post=True, engine=engine)  # type: ignore[arg-type]
    assert (tmp_path / f"native.{fmt}").read_bytes() == (tmp_path / f"python.{fmt}").read_bytes()


def test_feeds_through_the_command(tmp_path: Path) -> None:
    for fmt in ("bulk", "csv", "k6json"):
        native = generated("-n", "600", "--format", fmt, "--engine", "native")
        assert native == generated("-n", "600", "--format", fmt, "--engine", "python"), fmt


def test_rally_documents_agree_between_engines(tmp_path: Path) -> None:
    for engine in ENGINES:
        write_rally_corpus(str(tmp_path / engine), count=400, seed=3, flavour="osb", engine=engine)  # type: ignore[arg-type]
    names = sorted(p.name for p in (tmp_path / "native").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "python").iterdir())
    for name in names:
        assert (tmp_path / "native" / name).read_bytes() == (tmp_path / "python" / name).read_bytes(), name
    assert bz2.decompress((tmp_path / "native" / "documents.json.bz2").read_bytes()) == reference(0, 400, 3)
    result = runner.invoke(
        app, ["corpus", "rally", "-o", str(tmp_path / "cli"), "-n", "400", "-s", "3", "--engine", "python", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli" / "documents.json").read_bytes() == reference(0, 400, 3)


# ---- the pytest plugin's corpora ----


@pytest.mark.parametrize("fmt", ["jsonl", "jsonl.zst"])
def test_the_plugin_s_corpora_agree_between_engines(synth_corpus: object, fmt: str) -> None:
    make = synth_corpus  # the plugin's fixture (installed with synth)
    native = make(1100, fmt=fmt, seed=4, engine="native").read_bytes()  # type: ignore[operator]
    assert make(1100, fmt=fmt, seed=4, engine="python").read_bytes() == native  # type: ignore[operator]
    assert _unpacked(make(1100, fmt=fmt, seed=4, invalid_rate=0.0, engine="native")) == reference(0, 1100, 4)  # type: ignore[operator]
