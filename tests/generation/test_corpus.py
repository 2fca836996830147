"""Writing corpora: identical bytes for any workers, shards, chunk size; formats; the CLI."""

from __future__ import annotations

import gzip
import hashlib
import io
import multiprocessing
import random
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
import zstandard
from typer.testing import CliRunner

from synth import generate_post
from synth.cli import app
from synth.cli.generate import parse_shard
from synth.errors import UsageError
from synth.generation.assemble import batch_json
from synth.generation.corpus import shard_range
from synth.generation.writer import write_corpus

runner = CliRunner()


def _corpus(**options: object) -> bytes:
    buffer = io.BytesIO()
    write_corpus(buffer, **options)  # type: ignore[arg-type]
    return buffer.getvalue()


@pytest.fixture(scope="module")
def reference() -> bytes:
    return _corpus(count=1200, seed=9)


def test_two_runs_are_identical(reference: bytes) -> None:
    assert _corpus(count=1200, seed=9) == reference


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_workers_do_not_change_the_bytes(reference: bytes, workers: int) -> None:
    assert _corpus(count=1200, seed=9, workers=workers, chunk=97) == reference


@pytest.mark.parametrize("chunk", [1, 13, 500, 5000])
def test_chunk_size_does_not_change_the_bytes(reference: bytes, chunk: int) -> None:
    assert _corpus(count=1200, seed=9, chunk=chunk) == reference


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_shards_concatenate_to_the_whole(reference: bytes, parts: int) -> None:
    shards = [_corpus(count=1200, seed=9, shard=(k, parts)) for k in range(1, parts + 1)]
    assert b"".join(shards) == reference


def test_start_continues_the_corpus(reference: bytes) -> None:
    lines = reference.splitlines(keepends=True)
    assert _corpus(count=200, seed=9, start=1000) == b"".join(lines[1000:])


def test_lines_are_the_posts(reference: bytes) -> None:
    assert reference.splitlines() == batch_json(0, 1200, seed=9)


def test_json_array_holds_the_same_posts(reference: bytes) -> None:
    array = orjson.loads(_corpus(count=1200, seed=9, fmt="json", chunk=100))
    assert [orjson.dumps(p) for p in array] == reference.splitlines()
    assert orjson.loads(_corpus(count=0, fmt="json")) == []


def test_shard_ranges_cover_without_overlap() -> None:
    covered = [i for k in range(1, 4) for i in shard_range(10, 100, (k, 3))]
    assert covered == list(range(10, 110))


@pytest.mark.parametrize("text", ["1", "0/3", "4/3", "a/b", "1/2/3"])
def test_bad_shards_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="--shard"):
        parse_shard(text)


def test_shard_of_a_json_array_is_refused() -> None:
    with pytest.raises(UsageError, match="cannot split a JSON array"):
        write_corpus(io.BytesIO(), count=10, shard=(1, 2), fmt="json")


@pytest.mark.parametrize(("suffix", "opener"), [(".jsonl.gz", gzip.decompress), (".jsonl.zst", None)])
def test_compression_by_extension(tmp_path: Path, reference: bytes, suffix: str, opener: object) -> None:
    target = tmp_path / f"out{suffix}"
    summary = write_corpus(str(target), count=1200, seed=9)
    raw = target.read_bytes()
    data = (
        gzip.decompress(raw)
        if suffix.endswith(".gz")
        else zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)).read()
    )
    assert data == reference
    assert summary.bytes == len(reference)
    write_corpus(str(tmp_path / f"again{suffix}"), count=1200, seed=9)
    assert (tmp_path / f"again{suffix}").read_bytes() == raw  # gzip carries no timestamp


def test_an_interrupt_while_writing_stops_the_workers_at_once() -> None:
    def interrupt(posts: int) -> None:
        raise KeyboardInterrupt

    before = set(multiprocessing.active_children())
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt) as info:
        write_corpus(io.BytesIO(), count=100_000, seed=9, workers=2, progress=interrupt)
    assert info.traceback  # the traceback (and its frames) is still alive, yet the pool is gone
    assert set(multiprocessing.active_children()) - before == set()
    assert time.monotonic() - began < 30  # not the whole corpus


def test_cli_generate_to_stdout(reference: bytes) -> None:
    result = runner.invoke(app, ["generate", "--count", "1200", "--seed", "9"])
    assert result.exit_code == 0
    assert result.stdout_bytes == reference
    assert result.stderr.startswith("1,200 posts, ")
    assert result.stderr.endswith(" posts/s)\n")


def test_cli_generate_quiet_to_file(tmp_path: Path, reference: bytes) -> None:
    target = tmp_path / "c.jsonl"
    result = runner.invoke(app, ["generate", "-n", "1200", "-s", "9", "-o", str(target), "-q", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert target.read_bytes() == reference


def test_cli_shards(reference: bytes) -> None:
    parts = [
        runner.invoke(app, ["generate", "-n", "1200", "-s", "9", "--shard", f"{k}/3", "-q"]).stdout_bytes
        for k in (1, 2, 3)
    ]
    assert b"".join(parts) == reference


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--shard", "5/3"],
            "synth: error: --shard '5/3': K must be between 1 and N. To resolve this error, number shards from 1 to N\n",
        ),
        (
            ["--locale", "xx"],
            "synth: error: unknown locale 'xx'. To resolve this error, use one of ar_AA, de_DE, en_US, fr_FR, ja_JP, zh_CN\n",
        ),
        (
            ["--workers", "-1"],
            "Usage: synth generate [OPTIONS]\nTry 'synth generate --help' for help.\n\n"
            "Error: Invalid value for '--workers' / '-w': -1 is not in the range 0<=x<=1024.\n",
        ),
        (
            ["--output", "/nonexistent/x.jsonl"],
            "synth: error: cannot write /nonexistent/x.jsonl: No such file or directory. To resolve this error, check the folder exists and is writable\n",
        ),
    ],
)
def test_cli_errors_are_messages_with_exit_code_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["generate", "-n", "3", *args])
    assert result.exit_code == 2
    assert result.stderr == message


def test_the_installed_command_gives_the_same_bytes(reference: bytes) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "synth", "generate", "--count", "1200", "--seed", "9", "--workers", "2"],
        capture_output=True,
        check=True,
    )
    assert hashlib.sha256(done.stdout).hexdigest() == hashlib.sha256(reference).hexdigest()


def test_generate_post_equals_the_line_of_a_generated_file(tmp_path: Path) -> None:
    for index in random.Random(2026).sample(range(10**6), 12):
        target = tmp_path / f"around-{index}.jsonl"
        start = max(0, index - 2)
        write_corpus(str(target), count=5, seed=4, start=start)
        line = target.read_bytes().splitlines()[index - start]
        assert generate_post(index, seed=4).model_dump_json().encode() == line
