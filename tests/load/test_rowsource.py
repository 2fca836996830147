"""Line digests: the Rust core's batch digest is the Python reference's, byte for byte; what a re-import loads."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
from pathlib import Path

import pytest

import synth.load.rowsource
from synth.generation.assemble import batch_json
from synth.load.rowsource import line_digest, line_digests
from synth.validate.native import available
from tests.conftest import shared_corpus
from tests.load.common import write_lines


def _lines() -> list[bytes]:
    """Posts, every JSONTestSuite case, the naughty strings, seeded random bytes and the edges."""
    suite = sorted(shared_corpus("jsontestsuite").glob("*.json"))
    naughty = [p for p in shared_corpus("naughty-strings").iterdir() if p.is_file()]
    rng = random.Random(15)
    lines = [*batch_json(0, 20, seed=1), *(p.read_bytes() for p in suite)]
    lines += [line for p in naughty for line in p.read_bytes().splitlines()]
    lines += [rng.randbytes(rng.randrange(0, 9000)) for _ in range(300)]
    return [*lines, b"", b"\x00", b"\xff" * 64, b"x" * 55, b"x" * 56, b"x" * 64]  # around SHA-256's block padding


@pytest.mark.parametrize("key", [b"", b"k", bytes(range(32))])
def test_the_batch_digest_is_the_reference_digest(key: bytes) -> None:
    lines = _lines()
    assert len(lines) > 500
    got = line_digests(lines, key)
    for line, digest in zip(lines, got, strict=True):
        assert digest == line_digest(line, key), line[:200]
        assert digest == hashlib.sha256(key + line).hexdigest()[:32]  # the documented function


def test_without_the_rust_core_the_python_digest_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synth.load.rowsource, "_native_digests", None)
    lines = batch_json(0, 3, seed=1)
    assert line_digests(lines, b"k") == [hashlib.sha256(b"k" + line).hexdigest()[:32] for line in lines]


@pytest.mark.skipif(not available(), reason="the native check is not built (maturin develop)")
def test_only_a_rejected_line_imports_pydantic_and_the_model(tmp_path: Path) -> None:
    """Start-up: the native check starts from the exported spec (synth.schema.frozen), so pydantic
    (50 ms to import) and the model (0.15 s with it) are loaded only to explain a rejected line."""
    lines = batch_json(0, 600, seed=1)
    source, db = write_lines(tmp_path / "p.jsonl", lines), str(tmp_path / "p.db")
    broken = write_lines(tmp_path / "b.jsonl", [lines[0].replace(b'"schema_version":1', b'"schema_version":2')])
    code = (
        "import sys; from synth.load.importer import import_paths; "
        "s = import_paths([sys.argv[1]], sys.argv[2]); "
        "print(s.counts.inserted, s.counts.unchanged, s.counts.rejected, "
        "'synth.schema.model' in sys.modules, 'pydantic' in sys.modules)"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code, str(path), db], capture_output=True, text=True, check=True)
        for path in (source, source, broken)
    ]
    outputs = [r.stdout.split() for r in runs]
    assert outputs == [
        ["600", "0", "0", "False", "False"],
        ["0", "600", "0", "False", "False"],
        ["0", "0", "1", "True", "True"],
    ]
