"""Reading a manifest back: all of it, however many parts, with a clear error past the bound."""

from __future__ import annotations

from pathlib import Path

import pytest
import zstandard

from synth.errors import InputError
from synth.generation import manifest as manifest_module
from synth.generation.manifest import MANIFEST, Manifest, Part, read_manifest


def _manifest(parts: int) -> Manifest:
    entries = tuple(Part(f"part-{k:06d}.jsonl.zst", 7 * k, 7, 1000 + k, f"{k:064x}") for k in range(parts))
    return Manifest(seed=3, locale="en_US", start=0, count=7 * parts, parts=entries)


@pytest.mark.slow
def test_a_manifest_of_100000_parts_reads_back_whole(tmp_path: Path) -> None:
    written = _manifest(100_000)
    target = tmp_path / MANIFEST
    target.write_bytes(written.as_json())
    assert target.stat().st_size > 16 << 20  # past the 16 MiB the reader used to stop at
    assert read_manifest(str(target)) == written


def test_a_manifest_past_the_bound_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / MANIFEST
    target.write_bytes(_manifest(50).as_json())
    monkeypatch.setattr(manifest_module, "MAX_MANIFEST_BYTES", 4000)
    with pytest.raises(InputError, match=r"is larger than 4,000 bytes \(about 20 parts\)\. To resolve this error"):
        read_manifest(str(target))


def test_a_compressed_manifest_is_read_whole(tmp_path: Path) -> None:
    written = _manifest(3000)
    target = tmp_path / "manifest.json.zst"
    target.write_bytes(zstandard.ZstdCompressor().compress(written.as_json()))
    assert read_manifest(str(target)) == written
