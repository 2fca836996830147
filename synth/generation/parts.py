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
folder or any fsspec URL the workers share. Every writer takes an ``engine`` (auto, native or
python; :mod:`synth.generation.engines`), resolved where the call is made and handed to the
workers by name, so a worker without the native engine fails clearly rather than switching.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from synth.errors import UsageError
from synth.generation import engines
from synth.generation.corpus import CHUNK, shard_range
from synth.generation.manifest import MANIFEST, Manifest, Part
from synth.generation.request import check_count, check_request
from synth.io import file_digest, is_url, join_path, make_folder, open_output
from synth.workers import process_pool, resolve_workers

__all__ = ["MAX_PARTS", "part_tasks", "write_part", "write_parts", "write_parts_dask"]

COMPRESSIONS: Final = {None: "", "gz": ".gz", "zst": ".zst"}
MAX_PARTS: Final = 100_000  # part names have five digits: part-00000 .. part-99999


def _part_name(k: int, compress: str | None) -> str:
    return f"part-{k:05d}.jsonl{COMPRESSIONS[compress]}"


def write_part(
    folder: str,
    k: int,
    first: int,
    count: int,
    seed: int,
    locale: str,
    compress: str | None,
    engine: engines.Engine = "auto",
) -> Part:
    """Write part ``k`` (posts ``first .. first + count - 1``); returns its manifest entry."""
    name = _part_name(k, compress)
    path = join_path(folder, name)
    which = engines.resolve(engine)
    with open_output(path) as stream:
        for low in range(first, first + count, CHUNK):
            stream.write(engines.chunk_bytes(low, min(low + CHUNK, first + count), seed, locale, which))
    size, sha256 = file_digest(path)
    return Part(name, first, count, size, sha256)


def _layout(count: int, parts: int, start: int) -> list[tuple[int, int, int]]:
    """(k, first, count) of each part."""
    if not 1 <= parts <= MAX_PARTS:
        raise UsageError(
            f"parts {parts} is not a count of parts from 1 to {MAX_PARTS:,}",
            hint=f"pass 1 to {MAX_PARTS:,} parts",
            parameter="parts",
        )
    return [
        (k, r.start, len(r)) for k, r in enumerate(shard_range(start, count, (j, parts)) for j in range(1, parts + 1))
    ]


def _finish(folder: str, manifest: Manifest) -> Manifest:
    with open_output(join_path(folder, MANIFEST)) as stream:
        stream.write(manifest.as_json())
    return manifest


def _check(count: int, seed: int, start: int, locale: str, compress: str | None, folder: str) -> None:
    check_count(count, start)
    check_request(range(start, start + count), seed, locale)
    if not is_url(folder):
        make_folder(folder)
    if compress not in COMPRESSIONS:
        raise UsageError(f"compress {compress!r} is not gz or zst", hint="use gz, zst or none", parameter="compress")


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
    engine: engines.Engine = "auto",
) -> Manifest:
    """Write the parts with ``workers`` local processes (0: every core), then the manifest."""
    _check(count, seed, start, locale, compress, folder)
    which = engines.resolve(engine)
    layout = _layout(count, parts, start)
    workers = min(resolve_workers(workers), len(layout))
    args = [(folder, k, first, n, seed, locale, compress, which) for k, first, n in layout]
    if workers > 1:
        with process_pool(workers) as pool:
            done = _collect(pool.map(_write_part_args, args), progress)
    else:
        done = _collect(map(_write_part_args, args), progress)
    return _finish(folder, Manifest(seed, locale, start, count, tuple(done)))


def _write_part_args(args: tuple[str, int, int, int, int, str, str | None, engines.Resolved]) -> Part:
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
    engine: engines.Engine = "auto",
) -> list[Any]:
    """One ``dask.delayed`` task a part (each returns its :class:`Part`), for your own Dask graphs.

    ``engine`` is resolved here, on the client: ``auto`` becomes native when it is built here, and
    each worker then needs it too (the same install), or fails saying how to build it.
    """
    from dask.delayed import delayed  # noqa: PLC0415 - the dask extra is optional

    _check(count, seed, start, locale, compress, folder)
    which = engines.resolve(engine)
    write = delayed(write_part, pure=True)
    return [
        write(folder, k, first, n, seed, locale, compress, which, dask_key_name=f"synth-part-{k}")
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
    engine: engines.Engine = "auto",
) -> Manifest:
    """Run :func:`part_tasks` on the Dask scheduler at ``scheduler`` (tcp://host:8786), or on a local
    cluster of ``workers`` processes when it is None; then write the manifest."""
    try:
        from distributed import Client, LocalCluster  # noqa: PLC0415
    except ImportError as exc:
        raise UsageError("Dask is not installed", hint="pip install 'alphanode-synth[dask]'") from exc
    tasks = part_tasks(
        folder, count=count, parts=parts, seed=seed, start=start, locale=locale, compress=compress, engine=engine
    )
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
