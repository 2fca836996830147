"""Flat rows for k6 and JMeter (:func:`write_k6`): one row per post (:data:`FLAT_COLUMNS`).

A CSV (the stdlib writer, RFC 4180, for k6 with papaparse or JMeter's CSV Data Set Config with
quoted data allowed) or a JSON array of the same rows as objects, one a line (for k6's
``SharedArray``). Lists are joined with ``|``; booleans are ``true``/``false``. The same
arguments give the same bytes.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any, BinaryIO, Final, Literal

import orjson

from synth.errors import UsageError
from synth.generation import engines
from synth.generation.corpus import Summary
from synth.generation.request import BATCH, check_count, check_request
from synth.io import open_output

__all__ = ["FLAT_COLUMNS", "LIST_SEPARATOR", "flat_post", "write_k6"]

K6Format = Literal["csv", "json"]
LIST_SEPARATOR: Final = "|"

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
    engine: engines.Engine = "auto",
) -> Summary:
    """Write posts ``start .. start + count - 1`` as flat rows: ``fmt`` ``csv`` or ``json`` (an array).

    ``with_post`` adds a last column ``post``: the whole post as compact JSON, ready to send as a
    request body. ``path`` is a file or ``-``; ``.gz``/``.zst`` compress. ``engine`` (auto, native or
    python) chooses the generator; the bytes are the same with each.
    """
    if fmt not in ("csv", "json"):
        raise UsageError(f"fmt {fmt!r} is not csv or json", hint="use csv or json", parameter="fmt")
    check_count(count, start)
    indices = range(start, start + count)
    check_request(indices, seed, locale)
    began = time.perf_counter()
    rows = _rows(indices, seed, locale, with_post, engines.resolve(engine))
    with open_output(path) as stream:
        if fmt == "csv":
            written = _write_csv(stream, (*FLAT_COLUMNS, "post") if with_post else FLAT_COLUMNS, rows)
        else:
            written = _write_json(stream, rows)
    return Summary(count, written, time.perf_counter() - began)


def _rows(
    indices: range, seed: int, locale: str, with_post: bool, engine: engines.Resolved
) -> Iterator[list[dict[str, Any]]]:
    for first in range(indices.start, indices.stop, BATCH):
        docs = engines.batch_json(first, min(BATCH, indices.stop - first), seed=seed, locale=locale, engine=engine)
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
