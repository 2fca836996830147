"""The exported native spec: current with the model, read only while current, derived otherwise."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

import synth.schema
import synth.schema.frozen
from synth.generation.assemble import batch_json
from synth.schema.frozen import SPEC_FILE, exported, main, sources_digest, spec_text
from synth.schema.spec import spec_json
from synth.validate.native import available
from tests.load.common import write_lines

STALE = "synth/schema/native-spec.json is stale: run `python -m synth.schema.frozen`"


def test_the_committed_spec_is_exported_from_the_current_sources() -> None:
    assert SPEC_FILE.read_bytes() == exported(), STALE


def test_the_stored_spec_is_the_derived_one_byte_for_byte() -> None:
    """What the checker gets from a current file (re-encoded by orjson) is the very JSON it would derive."""
    stored = orjson.loads(SPEC_FILE.read_bytes())["spec"]
    assert orjson.dumps(stored) == spec_json()


def test_the_digest_covers_every_python_source_of_the_schema_package() -> None:
    folder = Path(synth.schema.__file__).parent
    h = hashlib.sha256()
    for path in sorted(folder.glob("*.py"), key=lambda p: p.name):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    assert sources_digest() == h.hexdigest()


def _use(monkeypatch: pytest.MonkeyPatch, path: Path, content: bytes | None) -> None:
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setattr(synth.schema.frozen, "SPEC_FILE", path)


def test_a_current_file_is_what_the_checker_gets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marked = {"root": {"type": "bool"}, "zeroed": [], "zero_hash": "x"}  # not the model's: proves it was read
    _use(monkeypatch, tmp_path / "s.json", orjson.dumps({"sources": sources_digest(), "spec": marked}))
    assert orjson.loads(spec_text()) == marked


@pytest.mark.parametrize(
    "content",
    [
        None,  # missing
        b"",
        b"{not json",
        b"[]",
        orjson.dumps({"sources": "0" * 64, "spec": {"root": {"type": "bool"}}}),  # other sources
        orjson.dumps({"sources": sources_digest()}),  # no spec
    ],
    ids=["missing", "empty", "malformed", "not-an-object", "stale", "no-spec"],
)
def test_an_unusable_file_costs_time_not_correctness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None
) -> None:
    _use(monkeypatch, tmp_path / "s.json", content)
    assert spec_text() == spec_json()


def test_main_writes_the_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "s.json"
    _use(monkeypatch, target, None)
    assert main() == 0
    assert target.read_bytes() == exported()
    assert orjson.loads(target.read_bytes())["sources"] == sources_digest()


@pytest.mark.skipif(not available(), reason="the native check is not built (maturin develop)")
def test_validating_valid_posts_never_imports_pydantic(tmp_path: Path) -> None:
    """The point of the export: the native check starts from the file; only an explanation needs the model."""
    lines = batch_json(0, 50, seed=3)
    valid = write_lines(tmp_path / "v.jsonl", lines)
    broken = write_lines(tmp_path / "b.jsonl", [lines[0].replace(b'"schema_version":1', b'"schema_version":2')])
    code = (
        "import sys; from synth.validate import make_options, validate_paths; "
        "found = list(validate_paths([sys.argv[1]], options=make_options(as_of='2026-01-01'))); "
        "print(len(found), 'pydantic' in sys.modules, 'synth.schema.model' in sys.modules)"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
        for path in (valid, broken)
    ]
    assert [r.stdout.split() for r in runs] == [["0", "False", "False"], ["1", "True", "True"]]
