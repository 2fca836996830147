"""Benchmark corpora: a Rally track or an OpenSearch Benchmark (OSB) workload of alphanode posts.

:func:`write_rally_corpus` writes, into one folder:

* ``documents.json.bz2``: the posts, one compact JSON document a line, bzip2-compressed (the
  ``source-file`` of the corpus; Rally and OSB decompress it to ``documents.json``);
* ``documents.json``: the same file uncompressed (``keep_uncompressed``), so neither tool has to
  decompress it when the track is run from this folder;
* ``documents.json.offset``: the file offset table both tools otherwise build before the first
  run: lines ``<line number>;<byte offset>`` (esrally's ``FileOffsetTable`` format: the offset
  is where the line after that many lines starts), one every ``offset_interval`` lines (50,000 as
  the tools do). It is written after ``documents.json`` so its modification time is not older
  (both tools rebuild an older table); with a ``base_url``, publish it next to the archive;
* ``documents-1k.json.bz2``: the first 1,000 posts, what ``--test-mode`` reads (only when the
  corpus has 1,000 posts or more, as test mode expects exactly 1,000 lines);
* ``index.json``: settings and the mapping derived from the post model (:mod:`synth.schema.mapping`);
* ``track.json`` (Rally) or ``workload.json`` (OSB, plus its ``files.txt`` listing the data
  files): version 2, one index, one corpus with the exact ``document-count``,
  ``compressed-bytes`` and ``uncompressed-bytes``, and a schedule: delete-index, create-index,
  cluster-health, then a bulk task;
* with ``queries``: ``queries.jsonl``, a query workload of the corpus (:mod:`synth.workload`),
  and search operations built from it after a refresh (:mod:`synth.feeds.searches`).

Run it with ``esrally race --track-path=FOLDER --pipeline=benchmark-only --target-hosts=...``
or ``opensearch-benchmark execute-test --workload-path=FOLDER --pipeline=benchmark-only ...``.
The same arguments give the same bytes (for the same bzip2 library).
"""

from __future__ import annotations

import bz2
import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import orjson

from synth._version import __version__
from synth.errors import UsageError
from synth.feeds.bulk import check_index_name
from synth.feeds.searches import Search, search_operations, search_tasks
from synth.generation import engines
from synth.generation.request import BATCH, check_count, check_request
from synth.io import make_folder, open_output
from synth.schema.mapping import index_body
from synth.wording import plural

__all__ = ["DOCUMENTS", "OFFSET_INTERVAL", "QUERIES", "TEST_MODE_DOCS", "Track", "write_rally_corpus"]

Flavour = Literal["rally", "osb"]

DOCUMENTS: Final = "documents.json"
QUERIES: Final = "queries.jsonl"  # the query workload of the corpus, when the track has searches
TEST_MODE_DOCS: Final = 1000
OFFSET_INTERVAL: Final = 50_000  # what esrally and OSB use when they build the table themselves
BZ2_LEVEL: Final = 9
_SPEC: Final = {"rally": "track.json", "osb": "workload.json"}
_CORPUS_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")  # the tools name folders after it: no spaces


@dataclass(frozen=True, slots=True)
class Track:
    """What :func:`write_rally_corpus` wrote."""

    folder: str
    spec: str  # track.json or workload.json
    files: tuple[str, ...]  # every file written, the spec included
    document_count: int
    compressed_bytes: int
    uncompressed_bytes: int

    def line(self) -> str:
        """A one-line summary for the CLI."""
        return (
            f"{plural(self.document_count, 'post')}, {self.uncompressed_bytes / 1e6:,.1f} MB "
            f"({self.compressed_bytes / 1e6:,.1f} MB bzip2) in {self.spec}"
        )


@dataclass(frozen=True, slots=True)
class _Written:
    compressed: int
    uncompressed: int
    offsets: list[str]
    sample: bytes  # the first TEST_MODE_DOCS posts, compressed ("" when the corpus is smaller)


def write_rally_corpus(
    folder: str,
    *,
    count: int,
    seed: int = 0,
    start: int = 0,
    locale: str = "en_US",
    flavour: Flavour = "rally",
    index: str = "alphanode",
    corpus: str | None = None,
    bulk_size: int = 5000,
    clients: int = 2,
    shards: int = 1,
    replicas: int = 0,
    base_url: str | None = None,
    offset_interval: int = OFFSET_INTERVAL,
    keep_uncompressed: bool = True,
    queries: int = 0,
    query_seed: int = 0,
    engine: engines.Engine = "auto",
) -> Track:
    """A Rally track or OSB workload (``flavour``) of posts ``start ..``, ``queries`` searches (module docstring)."""
    _check(count=count, start=start, flavour=flavour, bulk_size=bulk_size, clients=clients, interval=offset_interval)
    if shards < 1 or replicas < 0:
        raise UsageError(f"{shards} shards and {replicas} replicas", hint="use 1 or more shards and 0 or more replicas")
    check_index_name(index)
    corpus = corpus or index
    if not _CORPUS_NAME.match(corpus):
        raise UsageError(f"corpus name {corpus!r} is not usable", hint="use lower case letters, digits, - _ and .")
    indices = range(start, start + count)
    check_request(indices, seed, locale)
    which = engines.resolve(engine)
    root = Path(folder)
    make_folder(root)
    written = _write_documents(root, indices, (seed, locale, which), offset_interval, keep_uncompressed)
    files = [str(root / f"{DOCUMENTS}.bz2"), *([str(root / DOCUMENTS)] if keep_uncompressed else [])]
    files.append(_write_bytes(root / f"{DOCUMENTS}.offset", "".join(written.offsets).encode()))
    if keep_uncompressed:
        _not_older(root / f"{DOCUMENTS}.offset", root / DOCUMENTS)
    if written.sample:
        files.append(_write_bytes(root / "documents-1k.json.bz2", written.sample))
    files.append(_write_json(root / "index.json", index_body(shards=shards, replicas=replicas)))
    description = f"alphanode posts {start}..{start + count - 1} of seed {seed} ({locale}), synth {__version__}"
    spec: dict[str, Any] = {
        "version": 2,
        "description": description,
        "indices": [{"name": index, "body": "index.json"}],
        "corpora": [_corpus_entry(corpus, index, count, written, base_url)],
        "schedule": _schedule(index, bulk_size, clients),
    }
    if queries:
        _add_searches(spec, _searches(root, indices, (seed, locale, which), index, queries, query_seed), index)
        files.append(str(root / QUERIES))
    spec_path = _write_json(root / _SPEC[flavour], spec)
    files.append(spec_path)
    if flavour == "osb":
        data_files = [f"{DOCUMENTS}.bz2", *(["documents-1k.json.bz2"] if written.sample else [])]
        files.append(_write_bytes(root / "files.txt", "".join(f"{name}\n" for name in data_files).encode()))
    return Track(str(root), spec_path, tuple(files), count, written.compressed, written.uncompressed)


def _searches(root: Path, indices: range, source: tuple[int, str, engines.Resolved], index: str, size: int,
              query_seed: int) -> list[Search]:  # fmt: skip
    """Write the workload of the corpus beside the track; its search operations."""
    from synth.workload.workload import queries  # noqa: PLC0415 - only tracks with searches need it

    seed, locale, engine = source
    docs = (d for first in range(indices.start, indices.stop, BATCH)
            for d in engines.batch_json(first, min(BATCH, indices.stop - first), seed=seed, locale=locale,
                                        engine=engine))  # fmt: skip
    workload = queries(docs, size=size, query_seed=query_seed)
    workload.write(str(root / QUERIES))
    return search_operations(workload, index)


def _add_searches(spec: dict[str, Any], searches: list[Search], index: str) -> None:
    spec["operations"] = [op for op, _ in searches]
    spec["schedule"] += search_tasks(searches, index)


def _check(*, count: int, start: int, flavour: str, bulk_size: int, clients: int, interval: int) -> None:
    if flavour not in _SPEC:
        raise UsageError(f"{flavour!r} is not rally or osb", hint="use rally (Rally track) or osb (OSB workload)")
    check_count(count, start)
    if count < 1:
        raise UsageError("count 0: a benchmark corpus needs posts", hint="pass a count of 1 or more", parameter="count")
    for name, value in (("bulk_size", bulk_size), ("clients", clients), ("interval", interval)):
        if value < 1:
            raise UsageError(f"{name} {value} is not positive", hint=f"pass a {name} of 1 or more", parameter=name)


def _write_documents(
    root: Path, indices: range, source: tuple[int, str, engines.Resolved], interval: int, keep_uncompressed: bool
) -> _Written:
    """Stream the posts to the archive (and the plain file), noting offsets every ``interval`` lines.

    ``source`` is the (seed, locale, engine) the posts come from.
    """
    seed, locale, engine = source
    packer, sampler = bz2.BZ2Compressor(BZ2_LEVEL), bz2.BZ2Compressor(BZ2_LEVEL)
    compressed = uncompressed = 0
    offsets: list[str] = []
    sample = b""
    sampled = 0 if len(indices) >= TEST_MODE_DOCS else TEST_MODE_DOCS  # smaller corpora: no test-mode file
    with contextlib.ExitStack() as stack:
        packed = stack.enter_context(open_output(str(root / f"{DOCUMENTS}.bz2")))
        plain = stack.enter_context(open_output(str(root / DOCUMENTS))) if keep_uncompressed else None
        for first in range(indices.start, indices.stop, BATCH):
            docs = engines.batch_json(first, min(BATCH, indices.stop - first), seed=seed, locale=locale, engine=engine)
            for line, doc in enumerate(docs, first - indices.start + 1):
                uncompressed += len(doc) + 1
                if line % interval == 0:
                    offsets.append(f"{line};{uncompressed}\n")
            blob = b"\n".join(docs) + b"\n"
            compressed += packed.write(packer.compress(blob))
            if plain is not None:
                plain.write(blob)
            if sampled < TEST_MODE_DOCS:
                taken = docs[: TEST_MODE_DOCS - sampled]
                sample += sampler.compress(b"".join(doc + b"\n" for doc in taken))
                sampled += len(taken)
                if sampled == TEST_MODE_DOCS:
                    sample += sampler.flush()
        compressed += packed.write(packer.flush())
    return _Written(compressed, uncompressed, offsets, sample)


def _not_older(table: Path, data: Path) -> None:
    """Give the offset table a modification time no older than the data file's (the tools' validity check)."""
    table_stat, data_stat = table.stat(), data.stat()
    if table_stat.st_mtime_ns < data_stat.st_mtime_ns:
        os.utime(table, ns=(table_stat.st_atime_ns, data_stat.st_mtime_ns))


def _corpus_entry(name: str, index: str, count: int, written: _Written, base_url: str | None) -> dict[str, Any]:
    document = {
        "source-file": f"{DOCUMENTS}.bz2",
        "document-count": count,
        "compressed-bytes": written.compressed,
        "uncompressed-bytes": written.uncompressed,
        "target-index": index,
    }
    return {"name": name, **({"base-url": base_url} if base_url else {}), "documents": [document]}


def _schedule(index: str, bulk_size: int, clients: int) -> list[dict[str, Any]]:
    return [
        {"name": "delete-index", "operation": {"operation-type": "delete-index"}},
        {"name": "create-index", "operation": {"operation-type": "create-index"}},
        {
            "name": "check-cluster-health",
            "operation": {
                "operation-type": "cluster-health",
                "index": index,
                "request-params": {"wait_for_status": "green", "wait_for_no_relocating_shards": "true"},
                "retry-until-success": True,
            },
        },
        {"name": "index-append", "operation": {"operation-type": "bulk", "bulk-size": bulk_size}, "clients": clients},
    ]


def _write_bytes(path: Path, data: bytes) -> str:
    with open_output(str(path)) as stream:
        stream.write(data)
    return str(path)


def _write_json(path: Path, value: Any) -> str:
    return _write_bytes(path, orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
