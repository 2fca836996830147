"""The dead-letter file: where an import writes its rejected records, and the rules that keep files safe.

* **Written only when there is something new to report**: the records this run rejected, and
  those a killed earlier run of the same source rejected but never wrote out. Each reject is
  written to a file once (the dead-letter table notes the file in ``reported``): importing the
  same file again does not write its rejects again unless they changed (their raw text or
  findings, e.g. under another ``--as-of``); a clean import writes nothing. (A run killed
  between writing the file and noting it writes those entries once more: at least once.)
* **Appended, never truncated or deleted**: synth appends to an existing file only when it is a
  synth rejects file (empty or blank, or its first line that is not blank is a reject entry: a
  JSON object with ``file``, ``line``, ``offset``, ``raw`` and ``findings``). Any other existing
  file, a folder or a URL is refused with exit code 2 before anything is imported, so a wrong
  ``--rejects`` costs nothing.
* **Named after the database** by default: ``<db>.rejects.jsonl`` beside a SQLite file
  (``<db>.<prefix>rejects.jsonl`` with ``--table-prefix``); for PostgreSQL
  ``synth-rejects-<host>-<port>-<database>-<schema>[-<prefix>].jsonl`` in the current folder
  (``<schema>`` is ``--schema``, else the URL's ``search_path``, else ``public``; characters other
  than letters, digits, ``.``, ``_`` and ``-`` become ``_``; the user and password never appear).
* One entry a line: ``{"file", "record", "line", "offset", "raw", "findings"}`` (``record``: the
  1-based ordinal of the record in its file, ``file`` is ``-`` for stdin). ``-`` writes to stdout;
  ``.gz``/``.zst`` targets get one more gzip member / zstd frame per run.
"""

from __future__ import annotations

import contextlib
import gzip
import itertools
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

import orjson
import zstandard

from synth.errors import OutputError, UsageError
from synth.io import STDIO, compression_of, is_url, open_input
from synth.load.backend import Backend, address, is_postgres
from synth.load.database import sqlite_path
from synth.load.tables import Tables

__all__ = ["ENTRY_KEYS", "check_target", "default_rejects", "write_rejects"]

ENTRY_KEYS: Final = frozenset({"file", "line", "offset", "raw", "findings"})
_HEAD: Final = 1 << 20
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text).strip(".") or "_"


def default_rejects(db: str, tables: Tables | None = None) -> str:
    """The default dead-letter file of a database (see the module docstring)."""
    tables = tables or Tables()
    if not is_postgres(db):
        return f"{sqlite_path(db)}.{tables.prefix}rejects.jsonl"
    at = address(db)
    schema = tables.schema or at.search_path or "public"
    parts = [at.host, at.port, at.database, schema] + ([tables.prefix] if tables.prefix else [])
    return "synth-rejects-" + "-".join(_safe(part) for part in parts) + ".jsonl"


def _first_line(path: str) -> bytes:
    """The first line that is not blank (at most ``_HEAD`` bytes of it), or ``b""`` for a blank file."""
    with open_input(path) as stream:
        while head := stream.readline(_HEAD):
            if head.strip():
                return head
    return b""


def _is_rejects_file(path: str) -> bool:
    head = _first_line(path)
    if not head:
        return True  # empty or blank: nothing of anyone's to keep apart from
    if len(head) >= _HEAD and not head.endswith(b"\n"):
        return head.startswith(b'{"file":')  # an entry too long to check whole: synth writes "file" first
    try:
        entry = orjson.loads(head)
    except orjson.JSONDecodeError:
        return False
    return isinstance(entry, dict) and entry.keys() >= ENTRY_KEYS


def check_target(target: str, *, named: bool = True) -> None:
    """Refuse, before importing, a target that is not ``-``, a new file or a synth rejects file.

    ``named``: the user chose the file (a default one beside the database lives in its folder,
    whose absence the database reports).
    """
    if target == STDIO:
        return
    if is_url(target):
        raise UsageError(f"the rejects file {target!r} is a URL", hint="name a local file with --rejects, or -")
    path = Path(target)
    if path.is_dir():
        raise UsageError(f"the rejects file {target} is a folder", hint="name a file in it with --rejects")
    if not path.exists():
        if named and not path.parent.is_dir():
            raise UsageError(
                f"the rejects file {target} is in a folder that does not exist ({path.parent})",
                hint="create the folder, or name a file in an existing folder with --rejects",
            )
        return
    if path.is_file() and not _is_rejects_file(target):
        raise UsageError(
            f"the rejects file {target} exists and is not a synth rejects file (synth appends only to its own, "
            "and never overwrites a file); nothing was imported",
            hint="name a new file (or an earlier synth rejects file) with --rejects, or move this one away",
        )


@contextlib.contextmanager
def _appending(target: str) -> Iterator[BinaryIO]:
    if target == STDIO:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    try:
        with Path(target).open("ab") as raw:
            kind = compression_of(target)
            if kind == "gzip":
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
                    yield gz  # type: ignore[misc]
            elif kind == "zstd":
                with zstandard.ZstdCompressor(level=3).stream_writer(raw, closefd=False) as zst:
                    yield zst
            else:
                yield raw
            raw.flush()
            with contextlib.suppress(OSError):  # devices (/dev/null) cannot sync
                os.fsync(raw.fileno())
    except OSError as exc:
        raise OutputError(
            f"cannot write the rejects file {target}: {exc.strerror or exc}",
            hint="check the folder is writable and has free space; the rejects stay in the database and are "
            "written by the next import",
        ) from exc


def write_rejects(backend: Backend, sources: list[str], target: str) -> str | None:
    """Append the unreported rejects of ``sources`` to ``target``; returns it, or ``None`` when there were none."""
    entries = backend.rejects(sources)
    first = next(entries, None)
    if first is None:
        return None
    with _appending(target) as stream:
        for entry in itertools.chain([first], entries):
            stream.write(orjson.dumps(entry) + b"\n")
    backend.mark_reported(sources, target if target == STDIO else str(Path(target).absolute()))
    return target
