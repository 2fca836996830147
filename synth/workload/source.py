"""Where a workload's corpus comes from: generated on the fly, or read from files synth can import.

A generated corpus (count, seed, locale, edition) is made in batches, as ``synth generate`` makes
it. Files (JSON Lines, a JSON array or document, ``.gz``/``.zst``, or a ``manifest.json`` standing
for its parts) are read record by record and checked with the per-record rules the importer
applies, so the posts the importer would reject are skipped here too, and counted. A post id that
appears twice is an error: which record an index keeps is the importer's choice, so no answer
could be exact.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from synth.errors import InputError
from synth.generation import engines
from synth.generation.edition import edition_lines
from synth.generation.manifest import is_manifest, part_paths, read_manifest
from synth.generation.request import BATCH, check_count, check_request
from synth.io import open_input
from synth.validate.options import Options, make_options
from synth.validate.records import records
from synth.validate.run import checked_records

__all__ = ["Counted", "file_posts", "generated_lines", "generated_posts"]


@dataclass(slots=True)
class Counted:
    """What a source yielded: posts, and records skipped as the importer would reject them."""

    posts: int = 0
    skipped: int = 0


def generated_posts(count: int, *, seed: int, locale: str, edition: int, counted: Counted) -> Iterator[dict[str, Any]]:
    """Posts ``0 .. count - 1`` of corpus ``seed`` (edition ``edition``), hash filled in, as dicts.

    They come from the native generator when it is built (the same bytes as the reference's).
    """
    for line in generated_lines(count, seed=seed, locale=locale, edition=edition, counted=counted):
        yield orjson.loads(line)


def generated_lines(count: int, *, seed: int, locale: str, edition: int, counted: Counted,
                    engine: engines.Engine = "auto") -> Iterator[bytes]:  # fmt: skip
    """The posts of :func:`generated_posts` as compact JSON (what the native scan reads)."""
    check_count(count)
    check_request(range(count), seed, locale)
    if edition != 1:
        for line in edition_lines(count, edition, seed=seed, locale=locale, engine=engine):
            counted.posts += 1
            yield line
        return
    for first in range(0, count, BATCH):
        for line in engines.batch_json(first, min(BATCH, count - first), seed=seed, locale=locale, engine=engine):
            counted.posts += 1
            yield line


def _validation(as_of: str | None) -> Options:
    """The importer's checks (every per-record rule; corpus rules do not apply), keeping the posts."""
    return dataclasses.replace(make_options(ignore=["R"], as_of=as_of), keep_posts=True)


def _one_file(path: str, options: Options, counted: Counted, seen: set[int]) -> Iterator[dict[str, Any]]:
    with open_input(path) as stream:
        for record, result in checked_records(records(stream, options), options, None):
            post = result.post
            if post is None or result.rejected:
                counted.skipped += 1
                continue
            number = int(post["id"][10:])
            if number in seen:
                raise InputError(
                    f"{path}:{record.line}: post id {post['id']} appears again",
                    hint="which record an index keeps is the importer's choice: deduplicate the corpus first",
                )
            seen.add(number)
            counted.posts += 1
            yield post


def file_posts(paths: list[str], *, as_of: str | None, counted: Counted) -> Iterator[dict[str, Any]]:
    """The valid posts of ``paths`` (a manifest.json stands for its parts), in order."""
    options = _validation(as_of)
    files: list[str] = []
    for path in paths:
        files += part_paths(path, read_manifest(path)) if is_manifest(path) else [path]
    seen: set[int] = set()
    for path in files:
        yield from _one_file(path, options, counted, seen)
