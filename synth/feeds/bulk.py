"""Elasticsearch/OpenSearch ``_bulk`` bodies (:func:`write_bulk`).

The NDJSON body the ``_bulk`` endpoint takes: an action line
(``{"index":{"_index":NAME,"_id":ID}}``, or ``create``) followed by the post as the document
line, every line ending in a newline, the last one included. Written into a folder as parts
``<index>-00000.ndjson`` ... of at most ``max_docs`` documents and ``max_bytes`` bytes
(uncompressed, what the server receives; an action is never parted from its document), or as
one body to a file or ``-``. Send a part with
``curl -H 'Content-Type: application/x-ndjson' --data-binary @part URL/_bulk``.

Every output is a pure function of the arguments: the same arguments give the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final, Literal

import orjson

from synth.errors import UsageError
from synth.generation import engines
from synth.generation.request import BATCH, check_count, check_request, post_id
from synth.io import STDIO, make_folder, open_output

__all__ = ["bulk_action", "check_index_name", "write_bulk"]

OpType = Literal["index", "create"]
Compression = Literal["gz", "zst"]

_SUFFIX: Final = {None: "", "gz": ".gz", "zst": ".zst"}
# Lowercase, no \ / * ? " < > | space , # :, not starting with - _ +, not . or .., at most 255 bytes.
_INDEX_NAME: Final = re.compile(r'^(?![-_+])[^A-Z\\/*?"<>| ,#:]{1,255}$')


def check_index_name(index: str) -> str:
    """``index`` if Elasticsearch and OpenSearch accept it as an index name, else :class:`UsageError`."""
    if not _INDEX_NAME.match(index) or index in {".", ".."} or len(index.encode()) > 255:
        raise UsageError(
            f"{index!r} is not a valid index name",
            hint="use lower case letters, digits and - _ . (not first), at most 255 bytes",
        )
    return index


def bulk_action(op_type: OpType, index: str, doc_id: str) -> bytes:
    """The action line (no newline) of one document: ``{"index":{"_index":...,"_id":...}}``."""
    return orjson.dumps({op_type: {"_index": index, "_id": doc_id}})


def write_bulk(
    folder_or_path: str,
    *,
    count: int,
    seed: int = 0,
    start: int = 0,
    locale: str = "en_US",
    index: str = "alphanode",
    op_type: OpType = "index",
    max_docs: int | None = 10_000,
    max_bytes: int | None = None,
    compress: Compression | None = None,
    engine: engines.Engine = "auto",
) -> list[str]:
    """Write posts ``start .. start + count - 1`` as ``_bulk`` bodies; returns the files written.

    ``folder_or_path`` is a folder (an existing one, a path ending in ``/``, or a path without a
    suffix; created if missing) for numbered parts ``<index>-NNNNN.ndjson`` (plus ``.gz``/``.zst``
    with ``compress``), or a file (or ``-``) for a single body: then compression follows the
    file's extension, and the limits must not split it. ``max_docs`` and ``max_bytes`` (``None``
    or 0: no limit) bound each part; ``max_bytes`` counts uncompressed bytes. ``engine`` (auto,
    native or python) chooses the generator; the bytes are the same with each.
    """
    indices = _check_bulk(count=count, start=start, seed=seed, locale=locale, index=index, op_type=op_type)
    max_docs, max_bytes = max_docs or None, max_bytes or None
    for name, value in (("max_docs", max_docs), ("max_bytes", max_bytes)):
        if value is not None and value < 0:
            raise UsageError(f"{name} {value} is negative", hint="pass a positive limit, or 0 for none", parameter=name)
    if compress not in _SUFFIX:
        raise UsageError(
            f"compress {compress!r} is not gz or zst", hint="use gz, zst, or no compression", parameter="compress"
        )
    which = engines.resolve(engine)
    pairs = _pairs(indices, seed=seed, locale=locale, index=index, op_type=op_type, engine=which)
    if _is_folder(folder_or_path):
        return _write_parts(Path(folder_or_path), pairs, index, max_docs, max_bytes, compress)
    _check_single(folder_or_path, count, max_docs, max_bytes, compress)
    with open_output(folder_or_path) as stream:
        for _, pair in pairs:
            stream.write(pair)
    return [folder_or_path]


def _check_bulk(*, count: int, start: int, seed: int, locale: str, index: str, op_type: str) -> range:
    check_count(count, start)
    if op_type not in ("index", "create"):
        raise UsageError(f"op_type {op_type!r} is not index or create", hint="use index or create", parameter="op_type")
    check_index_name(index)
    indices = range(start, start + count)
    check_request(indices, seed, locale)
    return indices


def _is_folder(target: str) -> bool:
    if target == STDIO:
        return False
    path = Path(target)
    return path.is_dir() or target.endswith(("/", "\\")) or not path.suffix


def _check_single(path: str, count: int, max_docs: int | None, max_bytes: int | None, compress: str | None) -> None:
    if max_bytes is not None or (max_docs is not None and count > max_docs):
        raise UsageError(
            f"{path} is one file, and the limits would split {count} documents into parts",
            hint="give a folder for numbered parts, or drop the limits (max_docs and max_bytes None)",
            parameter="max_docs" if max_bytes is None else "max_bytes",
        )
    if compress is not None and not path.endswith(_SUFFIX[compress]):
        raise UsageError(
            f"compress {compress} does not match {path}",
            hint=f"name the file *{_SUFFIX[compress]} (a single file is compressed by its extension)",
            parameter="compress",
        )


def _pairs(
    indices: range, *, seed: int, locale: str, index: str, op_type: OpType, engine: engines.Resolved
) -> Iterator[tuple[int, bytes]]:
    """(post index, action line + document line) for each post, both lines newline-terminated."""
    for first in range(indices.start, indices.stop, BATCH):
        docs = engines.batch_json(first, min(BATCH, indices.stop - first), seed=seed, locale=locale, engine=engine)
        for number, doc in enumerate(docs, first):
            yield number, bulk_action(op_type, index, post_id(number)) + b"\n" + doc + b"\n"


def _write_parts(
    folder: Path,
    pairs: Iterator[tuple[int, bytes]],
    index: str,
    max_docs: int | None,
    max_bytes: int | None,
    compress: str | None,
) -> list[str]:
    make_folder(folder)
    written: list[str] = []
    part: list[bytes] = []
    size = 0
    for number, pair in pairs:
        if max_bytes is not None and len(pair) > max_bytes:
            raise UsageError(
                f"post {number} takes {len(pair)} bytes in a bulk body, more than max_bytes {max_bytes}",
                hint="raise max_bytes (a document is never split from its action)",
                parameter="max_bytes",
            )
        if part and _full(len(part), size + len(pair), max_docs, max_bytes):
            written.append(_flush_part(folder, index, len(written), part, compress))
            part, size = [], 0
        part.append(pair)
        size += len(pair)
    if part:
        written.append(_flush_part(folder, index, len(written), part, compress))
    return written


def _full(docs: int, size_with_next: int, max_docs: int | None, max_bytes: int | None) -> bool:
    """Whether a part of ``docs`` documents must be closed before the next pair."""
    return (max_docs is not None and docs >= max_docs) or (max_bytes is not None and size_with_next > max_bytes)


def _flush_part(folder: Path, index: str, number: int, pairs: list[bytes], compress: str | None) -> str:
    path = str(folder / f"{index}-{number:05d}.ndjson{_SUFFIX[compress]}")
    with open_output(path) as stream:
        stream.write(b"".join(pairs))
    return path
