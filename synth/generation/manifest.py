"""The manifest of a partitioned corpus (``manifest.json``): what it holds, how to read it back.

    {"format": "alphanode-synth.manifest", "manifest_version": 1, "synth_version": ..., "schema_version": 1,
     "seed": S, "locale": L, "start": I, "count": N,
     "parts": [{"file": "part-00000.jsonl", "first": I, "count": n, "bytes": b, "sha256": h}, ...]}

``bytes`` and ``sha256`` are of each part file as stored. Reading a manifest needs nothing of
the writers (no Dask, no process pool).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import BinaryIO, Final

import orjson

from synth._version import __version__
from synth.errors import InputError
from synth.io import join_path, open_input
from synth.schema.constants import SCHEMA_VERSION

__all__ = ["MANIFEST", "Manifest", "Part", "is_manifest", "part_paths", "read_manifest"]

MANIFEST: Final = "manifest.json"
FORMAT: Final = "alphanode-synth.manifest"
PART_BYTES: Final = 200  # about what one part's entry takes in the manifest
MAX_MANIFEST_BYTES: Final = 1 << 30  # some five million parts; reading costs about 1 KB of memory a part


@dataclass(frozen=True, slots=True)
class Part:
    """One part file: its name (relative to the manifest), index range, size and digest as stored."""

    file: str
    first: int
    count: int
    bytes: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a partitioned corpus holds and how to check it."""

    seed: int
    locale: str
    start: int
    count: int
    parts: tuple[Part, ...]
    synth_version: str = __version__
    schema_version: int = SCHEMA_VERSION

    def as_json(self) -> bytes:
        body = {"format": FORMAT, "manifest_version": 1, **asdict(self)}
        body["parts"] = [asdict(p) for p in self.parts]
        return orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n"


def is_manifest(path: str) -> bool:
    """Whether ``path`` names a partitioned corpus's manifest (``.../manifest.json``)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1] == MANIFEST


def part_paths(path: str, manifest: Manifest) -> list[str]:
    """The paths of the manifest's part files (they sit beside the manifest)."""
    folder = path[: -len(MANIFEST)] or "."
    return [join_path(folder, part.file) for part in manifest.parts]


def _read_at_most(stream: BinaryIO, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit and (chunk := stream.read(min(1 << 20, limit - size))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_manifest(path: str) -> Manifest:
    """Read and check the shape of a manifest file (all of it, up to :data:`MAX_MANIFEST_BYTES`)."""
    with open_input(path) as stream:
        raw = _read_at_most(stream, MAX_MANIFEST_BYTES + 1)
    if len(raw) > MAX_MANIFEST_BYTES:
        raise InputError(
            f"{path} is larger than {MAX_MANIFEST_BYTES:,} bytes (about {MAX_MANIFEST_BYTES // PART_BYTES:,} parts)",
            hint="pass the manifest.json synth wrote, or write the corpus in fewer parts",
        )
    try:
        body = orjson.loads(raw)
        if body.get("format") != FORMAT:
            raise KeyError("format")
        parts = tuple(Part(**p) for p in body["parts"])
        return Manifest(
            body["seed"],
            body["locale"],
            body["start"],
            body["count"],
            parts,
            body["synth_version"],
            body["schema_version"],
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{path} is not a synth manifest ({exc})", hint="pass the manifest.json synth wrote") from exc
