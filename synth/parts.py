"""Partitioned corpora: part files plus a ``manifest.json``, on local processes or a Dask cluster.

``write_parts(folder, count=N, parts=P)`` splits posts ``start .. start + N - 1`` into P
contiguous parts (sizes differ by at most one), writes ``part-00000.jsonl`` ... and a manifest:

    {"format": "alphanode-synth.manifest", "manifest_version": 1, "synth_version": ..., "schema_version": 1,
     "seed": S, "locale": L, "start": I, "count": N,
     "parts": [{"file": "part-00000.jsonl", "first": I, "count": n, "bytes": b, "sha256": h}, ...]}

``bytes`` and ``sha256`` are of each file as stored. Uncompressed parts concatenated in order
equal ``synth generate`` of the same range byte for byte; compressed parts decompress to it.

The same parts can be made as Dask tasks (:func:`part_tasks` returns ``dask.delayed`` objects
for your own graphs; :func:`write_parts_dask` runs them on a cluster), writing to a local
folder or any fsspec URL the workers share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import orjson

from synth._constants import SCHEMA_VERSION
from synth._version import __version__
from synth.corpus import chunk_bytes, resolve_workers, shard_range
from synth.errors import InputError, OutputError, UsageError
from synth.generator import BATCH, check_request
from synth.io import is_url, join_path, open_input, open_output

__all__ = ["MANIFEST", "Manifest", "Part", "part_tasks", "read_manifest", "write_parts", "write_parts_dask"]

MANIFEST: Final = "manifest.json"
FORMAT: Final = "alphanode-synth.manifest"
COMPRESSIONS: Final = {None: "", "gz": ".gz", "zst": ".zst"}


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


def _part_name(k: int, compress: str | None) -> str:
    return f"part-{k:05d}.jsonl{COMPRESSIONS[compress]}"


def write_part(folder: str, k: int, first: int, count: int, seed: int, locale: str, compress: str | None) -> Part:
    """Write part ``k`` (posts ``first .. first + count - 1``); returns its manifest entry."""
    name = _part_name(k, compress)
    path = join_path(folder, name)
    with open_output(path) as stream:
        for low in range(first, first + count, BATCH):
            stream.write(chunk_bytes(low, min(low + BATCH, first + count), seed, locale))
    digest, size = hashlib.sha256(), 0
    with open_input(path, stored=True) as stored:
        while block := stored.read(1 << 20):
            digest.update(block)
            size += len(block)
    return Part(name, first, count, size, digest.hexdigest())


def _layout(count: int, parts: int, start: int) -> list[tuple[int, int, int]]:
    """(k, first, count) of each part."""
    if parts < 1:
        raise UsageError(f"--parts {parts} is not a count of parts", hint="pass 1 or more")
    return [
        (k, r.start, len(r)) for k, r in enumerate(shard_range(start, count, (j, parts)) for j in range(1, parts + 1))
    ]


def _finish(folder: str, manifest: Manifest) -> Manifest:
    with open_output(join_path(folder, MANIFEST)) as stream:
        stream.write(manifest.as_json())
    return manifest


def _check(count: int, seed: int, start: int, locale: str, compress: str | None, folder: str) -> None:
    check_request(range(start, start + count), seed, locale)
    if not is_url(folder):
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {folder}: {exc.strerror}", hint="check the path") from exc
    if compress not in COMPRESSIONS:
        raise UsageError(f"unknown compression {compress!r}", hint="use gz, zst or none")


def write_parts(
    folder: str,
    *,
    count: int,
    parts: int,
    seed: int = 0,
    start: int = 0,
    locale: str = "en_US",
    workers: int = 1,
    compress: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Manifest:
    """Write the parts with ``workers`` local processes (0: every core), then the manifest."""
    _check(count, seed, start, locale, compress, folder)
    layout = _layout(count, parts, start)
    workers = min(resolve_workers(workers), len(layout))
    args = [(folder, k, first, n, seed, locale, compress) for k, first, n in layout]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            done = _collect(pool.map(_write_part_args, args), progress)
    else:
        done = _collect(map(_write_part_args, args), progress)
    return _finish(folder, Manifest(seed, locale, start, count, tuple(done)))


def _write_part_args(args: tuple[str, int, int, int, int, str, str | None]) -> Part:
    return write_part(*args)


def _collect(parts: Iterable[Part], progress: Callable[[int], None] | None) -> list[Part]:
    done = []
    for part in parts:
        done.append(part)
        if progress is not None:
            progress(part.count)
    return done


def part_tasks(
    folder: str,
    *,
    count: int,
    parts: int,
    seed: int = 0,
    start: int = 0,
    locale: str = "en_US",
    compress: str | None = None,
) -> list[Any]:
    """One ``dask.delayed`` task a part (each returns its :class:`Part`), for your own Dask graphs."""
    from dask.delayed import delayed  # noqa: PLC0415 - the dask extra is optional

    _check(count, seed, start, locale, compress, folder)
    write = delayed(write_part, pure=True)
    return [
        write(folder, k, first, n, seed, locale, compress, dask_key_name=f"synth-part-{k}")
        for k, first, n in _layout(count, parts, start)
    ]


def write_parts_dask(
    folder: str,
    *,
    count: int,
    parts: int,
    seed: int = 0,
    start: int = 0,
    locale: str = "en_US",
    compress: str | None = None,
    scheduler: str | None = None,
    workers: int = 2,
) -> Manifest:
    """Run :func:`part_tasks` on the Dask scheduler at ``scheduler`` (tcp://host:8786), or on a local
    cluster of ``workers`` processes when it is None; then write the manifest."""
    try:
        from distributed import Client, LocalCluster  # noqa: PLC0415
    except ImportError as exc:
        raise UsageError("Dask is not installed", hint="pip install 'alphanode-synth[dask]'") from exc
    tasks = part_tasks(folder, count=count, parts=parts, seed=seed, start=start, locale=locale, compress=compress)
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)  # type: ignore[no-untyped-call]
        with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
            done = client.compute(tasks, sync=True)
    else:
        try:
            client = Client(scheduler, timeout="10s")  # type: ignore[no-untyped-call]
        except OSError as exc:
            raise UsageError(
                f"no Dask scheduler answers at {scheduler}: {exc}",
                hint="start one (dask scheduler) or check the address",
            ) from exc
        with client:
            done = client.compute(tasks, sync=True)  # type: ignore[no-untyped-call]
    return _finish(folder, Manifest(seed, locale, start, count, tuple(done)))


def read_manifest(path: str) -> Manifest:
    """Read and check the shape of a manifest file."""
    with open_input(path) as stream:
        raw = stream.read(1 << 24)
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
