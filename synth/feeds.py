"""Load-test feeds: Elasticsearch/OpenSearch ``_bulk`` bodies, and flat rows for k6 and JMeter.

**Bulk** (:func:`write_bulk`): the NDJSON body the ``_bulk`` endpoint takes, an action line
(``{"index":{"_index":NAME,"_id":ID}}``, or ``create``) followed by the post as the document
line, every line ending in a newline, the last one included. Written into a folder as parts
``<index>-00000.ndjson`` ... of at most ``max_docs`` documents and ``max_bytes`` bytes
(uncompressed, what the server receives; an action is never parted from its document), or as
one body to a file or ``-``. Send a part with
``curl -H 'Content-Type: application/x-ndjson' --data-binary @part URL/_bulk``.

**k6 / JMeter** (:func:`write_k6`): one flat row per post (:data:`FLAT_COLUMNS`): a CSV (the
stdlib writer, RFC 4180, for k6 with papaparse or JMeter's CSV Data Set Config with quoted data
allowed) or a JSON array of the same rows as objects, one a line (for k6's ``SharedArray``).
Lists are joined with ``|``; booleans are ``true``/``false``.

Every output is a pure function of the arguments: the same arguments give the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Final, Literal

import orjson

from synth.corpus import Summary
from synth.errors import OutputError, UsageError
from synth.generator import BATCH, batch_json, check_request, post_id
from synth.io import STDIO, open_output

__all__ = [
    "FLAT_COLUMNS",
    "LIST_SEPARATOR",
    "bulk_action",
    "check_index_name",
    "flat_post",
    "write_bulk",
    "write_k6",
]

OpType = Literal["index", "create"]
Compression = Literal["gz", "zst"]
K6Format = Literal["csv", "json"]

LIST_SEPARATOR: Final = "|"
_SUFFIX: Final = {None: "", "gz": ".gz", "zst": ".zst"}
# Lowercase, no \ / * ? " < > | space , # :, not starting with - _ +, not . or .., at most 255 bytes.
_INDEX_NAME: Final = re.compile(r'^(?![-_+])[^A-Z\\/*?"<>| ,#:]{1,255}$')


# ---- bulk ----


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
) -> list[str]:
    """Write posts ``start .. start + count - 1`` as ``_bulk`` bodies; returns the files written.

    ``folder_or_path`` is a folder (an existing one, a path ending in ``/``, or a path without a
    suffix; created if missing) for numbered parts ``<index>-NNNNN.ndjson`` (plus ``.gz``/``.zst``
    with ``compress``), or a file (or ``-``) for a single body: then compression follows the
    file's extension, and the limits must not split it. ``max_docs`` and ``max_bytes`` (``None``
    or 0: no limit) bound each part; ``max_bytes`` counts uncompressed bytes.
    """
    indices = _check_bulk(count=count, start=start, seed=seed, locale=locale, index=index, op_type=op_type)
    max_docs, max_bytes = max_docs or None, max_bytes or None
    for name, value in (("max_docs", max_docs), ("max_bytes", max_bytes)):
        if value is not None and value < 0:
            raise UsageError(f"{name} {value} is negative", hint="pass a positive limit, or 0 for none")
    if compress not in _SUFFIX:
        raise UsageError(f"--compress {compress!r} is not gz or zst", hint="use gz, zst, or no compression")
    pairs = _pairs(indices, seed=seed, locale=locale, index=index, op_type=op_type)
    if _is_folder(folder_or_path):
        return _write_parts(Path(folder_or_path), pairs, index, max_docs, max_bytes, compress)
    _check_single(folder_or_path, count, max_docs, max_bytes, compress)
    with open_output(folder_or_path) as stream:
        for _, pair in pairs:
            stream.write(pair)
    return [folder_or_path]


def _check_bulk(*, count: int, start: int, seed: int, locale: str, index: str, op_type: str) -> range:
    if count < 0 or start < 0:
        raise UsageError("--count and --start must not be negative", hint="pass zero or a positive number")
    if op_type not in ("index", "create"):
        raise UsageError(f"op type {op_type!r} is not index or create", hint="use --op-type index or create")
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
            hint="give a folder for numbered parts, or drop the limits (--max-docs 0, no --max-bytes)",
        )
    if compress is not None and not path.endswith(_SUFFIX[compress]):
        raise UsageError(
            f"--compress {compress} does not match {path}",
            hint=f"name the file *{_SUFFIX[compress]} (a single file is compressed by its extension)",
        )


def _pairs(indices: range, *, seed: int, locale: str, index: str, op_type: OpType) -> Iterator[tuple[int, bytes]]:
    """(post index, action line + document line) for each post, both lines newline-terminated."""
    for first in range(indices.start, indices.stop, BATCH):
        docs = batch_json(first, min(BATCH, indices.stop - first), seed=seed, locale=locale)
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
    _make_folder(folder)
    written: list[str] = []
    part: list[bytes] = []
    size = 0
    for number, pair in pairs:
        if max_bytes is not None and len(pair) > max_bytes:
            raise UsageError(
                f"post {number} takes {len(pair)} bytes in a bulk body, more than max_bytes {max_bytes}",
                hint="raise --max-bytes (a document is never split from its action)",
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


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create folder {folder}: {exc.strerror}", hint="check the path is writable") from exc


def _flush_part(folder: Path, index: str, number: int, pairs: list[bytes], compress: str | None) -> str:
    path = str(folder / f"{index}-{number:05d}.ndjson{_SUFFIX[compress]}")
    with open_output(path) as stream:
        stream.write(b"".join(pairs))
    return path


# ---- k6 / JMeter ----

FLAT_COLUMNS: Final = (
    "id",
    "number",
    "title",
    "intro",
    "topic",
    "summary",
    "problem",
    "stack",
    "area",
    "code_language",
    "scenario",
    "difficulty",
    "reading_time",
    "view_count",
    "quality",
    "freshness",
    "depth",
    "clarity",
    "status",
    "version",
    "last_reviewed",
    "reference",
    "hash",
    "ai_generated_style",
    "has_images",
    "image_heavy",
    "needs_human_review",
    "images",
    "paragraphs",
    "tools",
    "checklist",
    "similar_posts",
)


def flat_post(post: dict[str, Any]) -> dict[str, str | int | bool]:
    """One post as a flat row, keys in :data:`FLAT_COLUMNS` order; lists joined with ``|``."""
    meta = post["meta"]
    outline, score, revision, flags = meta["ai_outline"], meta["score"], meta["revision"], meta["flags"]
    return {
        "id": post["id"],
        "number": meta["payload"]["seed"],
        "title": post["title"],
        "intro": post["intro"],
        "topic": meta["topic"],
        "summary": meta["summary"],
        "problem": outline["problem"],
        "stack": outline["stack"],
        "area": meta["stack"][1] if len(meta["stack"]) > 1 else "",
        "code_language": meta["code_language"],
        "scenario": meta["payload"]["scenario"],
        "difficulty": meta["difficulty"],
        "reading_time": meta["reading_time"],
        "view_count": meta["view_count"],
        **{name: score[name] for name in ("quality", "freshness", "depth", "clarity")},
        "status": revision["status"],
        "version": revision["version"],
        "last_reviewed": revision["last_reviewed"],
        "reference": meta["reference"],
        "hash": meta["hash"],
        **{name: flags[name] for name in ("ai_generated_style", "has_images", "image_heavy", "needs_human_review")},
        "images": len(post["images"]),
        "paragraphs": meta["payload"]["paragraphs"],
        "tools": LIST_SEPARATOR.join(meta["tools"]),
        "checklist": LIST_SEPARATOR.join(meta["checklist"]),
        "similar_posts": LIST_SEPARATOR.join(post["similar_posts"]),
    }


def write_k6(
    path: str,
    *,
    count: int,
    seed: int = 0,
    start: int = 0,
    locale: str = "en_US",
    fmt: K6Format = "csv",
    with_post: bool = False,
) -> Summary:
    """Write posts ``start .. start + count - 1`` as flat rows: ``fmt`` ``csv`` or ``json`` (an array).

    ``with_post`` adds a last column ``post``: the whole post as compact JSON, ready to send as a
    request body. ``path`` is a file or ``-``; ``.gz``/``.zst`` compress.
    """
    if fmt not in ("csv", "json"):
        raise UsageError(f"format {fmt!r} is not csv or json", hint="use --format csv or k6json")
    if count < 0 or start < 0:
        raise UsageError("--count and --start must not be negative", hint="pass zero or a positive number")
    indices = range(start, start + count)
    check_request(indices, seed, locale)
    began = time.perf_counter()
    rows = _rows(indices, seed, locale, with_post)
    with open_output(path) as stream:
        if fmt == "csv":
            written = _write_csv(stream, (*FLAT_COLUMNS, "post") if with_post else FLAT_COLUMNS, rows)
        else:
            written = _write_json(stream, rows)
    return Summary(count, written, time.perf_counter() - began)


def _rows(indices: range, seed: int, locale: str, with_post: bool) -> Iterator[list[dict[str, Any]]]:
    for first in range(indices.start, indices.stop, BATCH):
        docs = batch_json(first, min(BATCH, indices.stop - first), seed=seed, locale=locale)
        rows = []
        for doc in docs:
            row: dict[str, Any] = flat_post(orjson.loads(doc))
            if with_post:
                row["post"] = doc.decode()
            rows.append(row)
        yield rows


def _csv_value(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value


def _write_csv(stream: BinaryIO, header: tuple[str, ...], batches: Iterator[list[dict[str, Any]]]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: quoted when needed, CRLF line ends
    writer.writerow(header)
    written = 0
    for rows in batches:
        writer.writerows([_csv_value(v) for v in row.values()] for row in rows)
        written += stream.write(buffer.getvalue().encode())
        buffer.seek(0)
        buffer.truncate()
    return written + stream.write(buffer.getvalue().encode())  # the header, when there were no posts


def _write_json(stream: BinaryIO, batches: Iterator[list[dict[str, Any]]]) -> int:
    written = stream.write(b"[")
    separator = b"\n"
    for rows in batches:
        for row in rows:
            written += stream.write(separator + orjson.dumps(row))
            separator = b",\n"
    written += stream.write(b"\n]\n" if separator == b",\n" else b"]\n")
    return written
