"""Partitioned corpora: manifests, Dask, parallel and resumable import of the parts."""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.errors import UsageError
from synth.generation import engines
from synth.generation.corpus import CHUNK
from synth.generation.manifest import read_manifest
from synth.generation.parts import part_tasks, write_parts, write_parts_dask
from synth.generation.writer import write_corpus
from synth.load.importer import ImportOptions, import_paths, import_validation
from synth.validate.options import make_options
from synth.validate.run import validate_paths

runner = CliRunner()


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Default dead-letter files (synth-rejects.jsonl for PostgreSQL) land in the test's folder."""
    monkeypatch.chdir(tmp_path)


def _whole(count: int, seed: int = 0) -> bytes:
    buffer = io.BytesIO()
    write_corpus(buffer, count=count, seed=seed)
    return buffer.getvalue()


def test_parts_concatenate_to_the_single_file(tmp_path: Path) -> None:
    manifest = write_parts(str(tmp_path / "p"), count=2500, parts=4, seed=3, workers=2)
    assert [(p.first, p.count) for p in manifest.parts] == [(0, 625), (625, 625), (1250, 625), (1875, 625)]
    joined = b"".join((tmp_path / "p" / p.file).read_bytes() for p in manifest.parts)
    assert joined == _whole(2500, seed=3)
    assert read_manifest(str(tmp_path / "p" / "manifest.json")) == manifest


def test_manifest_records_sizes_and_digests(tmp_path: Path) -> None:
    manifest = write_parts(str(tmp_path / "p"), count=300, parts=2, compress="gz")
    body = orjson.loads((tmp_path / "p" / "manifest.json").read_bytes())
    assert body["format"] == "alphanode-synth.manifest" and body["count"] == 300 and body["schema_version"] == 1
    for part in manifest.parts:
        data = (tmp_path / "p" / part.file).read_bytes()
        assert (part.bytes, part.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_dask_local_cluster_gives_the_same_parts(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    local = write_parts(str(tmp_path / "local"), count=3000, parts=4, seed=1)
    dask = write_parts_dask(str(tmp_path / "dask"), count=3000, parts=4, seed=1, workers=2)
    assert dask.parts == local.parts
    assert (tmp_path / "dask" / "manifest.json").read_bytes() == (tmp_path / "local" / "manifest.json").read_bytes()


def test_dask_tasks_for_your_own_graph(tmp_path: Path) -> None:
    dask = pytest.importorskip("dask")
    tasks = part_tasks(str(tmp_path / "g"), count=100, parts=2)
    parts = dask.compute(*tasks, scheduler="synchronous")
    assert [p.count for p in parts] == [50, 50]


def test_validate_a_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    write_parts(str(folder), count=600, parts=3)
    manifest = str(folder / "manifest.json")
    options = make_options(as_of="2030-01-01")
    assert list(validate_paths([manifest], options=options)) == []
    with (folder / "part-00001.jsonl").open("ab") as part:
        part.write((folder / "part-00000.jsonl").read_bytes().splitlines()[0] + b"\n")
    (folder / "part-00002.jsonl").unlink()
    found = [(f.code, f.path) for f in validate_paths([manifest], options=options)]
    assert ("M002", "$.parts[1]") in found and ("M003", "$.parts[1]") in found and ("M001", "$.parts[2]") in found
    assert ("R001", "$.id") in found  # the copied post repeats an id


def test_cli_parts_and_validate(tmp_path: Path) -> None:
    out = tmp_path / "parts"
    result = runner.invoke(app, ["generate", "-n", "400", "--parts", "2", "-o", str(out), "--compress", "zst"])
    assert result.exit_code == 0, result.output
    assert "400 posts in 2 parts" in result.stderr
    check = runner.invoke(app, ["validate", str(out / "manifest.json")])
    assert check.exit_code == 0
    assert check.stdout == "checked 400 records in 2 files: all valid\n"


def test_parts_option_errors() -> None:
    result = runner.invoke(app, ["generate", "-n", "10", "--dask"])
    assert result.exit_code == 2
    assert "--dask, --scheduler and --compress go with --parts" in result.stderr
    result = runner.invoke(app, ["generate", "-n", "10", "--parts", "2"])
    assert result.exit_code == 2
    assert "--parts writes a folder" in result.stderr


def test_an_interrupted_part_leaves_no_part_and_the_previous_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "p"
    count = 4 * CHUNK + 2  # two parts of two chunks and a post each
    write_parts(str(folder), count=count, parts=2)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    made = []
    chunk_bytes = engines.chunk_bytes

    def interrupted(first: int, last: int, seed: int, locale: str, engine: engines.Engine) -> bytes:
        made.append(first)
        if len(made) == 2:  # midway through the first part of the new run
            raise KeyboardInterrupt
        return chunk_bytes(first, last, seed, locale, engine)

    monkeypatch.setattr(engines, "chunk_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_parts(str(folder), count=count, parts=2, seed=8)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # no temporary file, nothing replaced


def test_the_count_of_parts_is_bounded(tmp_path: Path) -> None:
    from synth.generation.parts import MAX_PARTS  # noqa: PLC0415 - the other tests run on any version

    with pytest.raises(UsageError) as info:
        write_parts(str(tmp_path / "p"), count=10, parts=MAX_PARTS + 1)
    assert (str(info.value), info.value.parameter) == (
        "parts 100001 is not a count of parts from 1 to 100,000. To resolve this error, pass 1 to 100,000 parts",
        "parts",
    )
    assert list((tmp_path / "p").iterdir()) == []


def test_the_summary_names_the_manifest_with_one_slash(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "-n", "1", "--parts", "1", "-o", f"{tmp_path}//"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("1 post in 1 part, ")
    assert result.stderr.endswith(f"; manifest: {tmp_path}/manifest.json\n")


def test_parallel_import_counts_match_the_manifest(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "p"
    write_parts(str(folder), count=1200, parts=4)
    options = ImportOptions(workers=2, batch=200, validation=import_validation(as_of="2030-01-01"))
    summary = import_paths([str(folder / "manifest.json")], db_url, options=options)
    assert (summary.counts.inserted, summary.counts.records) == (1200, 1200)
    again = import_paths([str(folder / "manifest.json")], db_url, options=options)
    assert again.counts.unchanged == 1200


@pytest.mark.slow
def test_kill_the_parallel_import_then_rerun(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "p"
    write_parts(str(folder), count=8000, parts=4)
    command = [
        sys.executable,
        "-m",
        "synth",
        "import",
        str(folder / "manifest.json"),
        "--db",
        db_url,
        "--workers",
        "2",
        "--batch",
        "250",
        "--as-of",
        "2030-01-01",
    ]
    rng = random.Random(5)
    for _ in range(3):
        child = subprocess.Popen(command, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(1.0, 3.0))
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    assert done.stderr.startswith("8,000 records: ")
    options = ImportOptions(validation=import_validation(as_of="2030-01-01"))
    final = import_paths([str(folder / "manifest.json")], db_url, options=options)
    assert final.counts.unchanged == 8000
