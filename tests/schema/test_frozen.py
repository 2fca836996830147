"""The exported native spec: current with the model, read only while current, derived otherwise."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest

import synth.schema
import synth.schema.frozen
from synth.schema.frozen import SPEC_FILE, exported, main, sources_digest, spec_text
from synth.schema.spec import spec_json

STALE = "synth/schema/native-spec.json is stale: run `python -m synth.schema.frozen`"


def test_the_committed_spec_is_exported_from_the_current_sources() -> None:
    assert SPEC_FILE.read_bytes() == exported(), STALE


def test_the_checker_gets_the_derived_spec_byte_for_byte() -> None:
    assert spec_text() == spec_json()


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
