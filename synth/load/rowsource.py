"""The row source: the seam between validation and loading.

A row source takes a chunk of records (in source order) and returns one :class:`Outcome` per
record: the rows of a valid post (:class:`~synth.load.rows.PostRows`, with its rows as COPY
text when :attr:`RowJob.copy` asks for them, and the digest of its line), or the record and its
:class:`~synth.validate.check.RecordResult` when it is rejected, whose findings the importer
keeps. The importer calls it from its workers (:mod:`synth.load.pipeline`), never from the
writer, so it must be a module-level function (process pools pickle it) that touches no
database.

:func:`python_rows` is the Python source: :func:`synth.validate.check.check` for the verdict,
:func:`synth.load.rows.post_rows` for the rows and :func:`synth.load.copytext.copy_rows` for
COPY text. It holds the GIL, so its workers are processes. :func:`native_rows_source` is the
native one (``--engine auto`` with the compiled checker built, or ``native``): the native check
(:mod:`synth.validate.native`) takes a chunk's lines as one batch without the GIL (its workers
are threads) and gives an accepted line's rows, and their COPY text for PostgreSQL, from the
native side; every record it does not accept goes to :func:`python_rows`, which explains it. No
row and no finding depends on the engine (``tests/load/test_engines.py``). :func:`row_source`
is the one place that picks the source.

A re-import skips a line without parsing it when its digest (:func:`line_digest`: SHA-256 of
:func:`digest_key` and the line's bytes, which key covers synth's version, the rules' code
and every validation option that can change a verdict, except the as-of date) equals the one
stored with the post of the same id: byte for byte the line that was accepted, under the same
rules. The as-of date is checked on its own against the stored review date (rule C015), so a
changed ``--as-of`` is never ignored.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import orjson

from synth._version import __version__
from synth.load.copytext import copy_rows
from synth.load.rows import COLUMNS, CopyRows, PostRows, native_rows, post_rows
from synth.schema.frozen import package_sources
from synth.validate.check import RecordResult, check
from synth.validate.native import NativeCheck, use_native
from synth.validate.options import Options
from synth.validate.records import Record, slimmed
from synth.validate.rules import RULES, Selection

if TYPE_CHECKING:
    from synth._native import Accepted

_native_digests: Callable[[bytes, list[bytes]], list[str]] | None
try:
    from synth._native import line_digests as _native_digests
except ImportError:  # an install built without the Rust core: the Python digest alone
    _native_digests = None

__all__ = [
    "Outcome",
    "RowJob",
    "RowSource",
    "digest_key",
    "line_digest",
    "line_digests",
    "line_id",
    "native_rows_source",
    "python_rows",
    "releases_gil",
    "row_source",
]


@dataclass(frozen=True, slots=True)
class RowJob:
    """What a row source needs besides the records: the validation options, whether to encode COPY
    text (PostgreSQL), and the key of the line digests (:func:`digest_key`)."""

    options: Options
    copy: bool
    key: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    """One record's outcome: ``rows`` for a valid post, ``reject`` (the record, slimmed, and its result)
    for a rejected one, ``known`` (id, digest) for a line the importer matched to a stored post unparsed
    (``record`` then keeps it, in case the stored post changed before the write and it must be checked)."""

    line: int
    rows: PostRows | None = None
    reject: tuple[Record, RecordResult] | None = None
    known: tuple[str, str] | None = None
    record: Record | None = None


RowSource = Callable[[Sequence[Record], RowJob], list[Outcome]]

_ID: Final = re.compile(rb'\{(?:"schema_version":[0-9]{1,9},)?"id":"([^"\\]{1,256})"')


def line_id(data: bytes) -> str | None:
    """The post id of a line that starts as synth writes posts (``{"schema_version":1,"id":"...``), unparsed."""
    found = _ID.match(data)
    return None if found is None else found.group(1).decode("utf-8", "replace")


def line_digest(data: bytes, key: bytes) -> str:
    """The digest a re-import compares: the first 128 bits of SHA-256 over :func:`digest_key` and the line.

    A cache key, not a MAC (nothing is secret): SHA-256 because OpenSSL's runs on the CPU's SHA
    instructions, 3.7 against 7.9 us for keyed BLAKE2b over a 4 KB line, and every line of an
    import is digested (a change of the function only makes the next re-import parse every line once).
    """
    return hashlib.sha256(key + data).hexdigest()[:32]


def line_digests(lines: list[bytes], key: bytes) -> list[str]:
    """:func:`line_digest` of each line: by the Rust core when it is built (a chunk in one call,
    without the GIL: 3.9-4.1 against 5.4-5.7 us a 4.5 KB line), else in Python; the same digests
    either way (``tests/load/test_rowsource.py``), whatever the engine."""
    if _native_digests is None:
        return [line_digest(data, key) for data in lines]
    return _native_digests(key, lines)


@functools.cache
def _rules_code() -> bytes:
    """A digest of the code that decides a verdict (the schema and validate packages)."""
    sources = (package_sources(package) for package in ("synth.schema", "synth.validate"))
    return hashlib.sha256(__version__.encode() + b"".join(sources)).digest()


def digest_key(options: Options) -> bytes:
    """The key of :func:`line_digest`: synth's rules and every option that can change a verdict but the as-of date."""
    selected = [code for code in RULES if code in options.selection]
    spec = [selected, options.max_line_bytes, options.max_depth, options.max_document_bytes, options.sanitize]
    return hashlib.blake2b(_rules_code() + orjson.dumps(spec), digest_size=32).digest()


def python_rows(records: Sequence[Record], job: RowJob) -> list[Outcome]:
    """The Python row source: each record checked by :func:`synth.validate.check.check`."""
    out = []
    for record in records:
        result = check(record, job.options)
        post = None if result.rejected else result.post
        if post is None:
            out.append(Outcome(record.line, reject=((slimmed(record) if result.rejected else record), result)))
            continue
        rows = post_rows(post, orjson.dumps(post))
        digest = None if record.data is None else line_digest(record.data, job.key)
        copy = copy_rows(rows) if job.copy else None
        out.append(Outcome(record.line, rows=PostRows(rows.post, rows.tools, rows.entities, rows.links, copy, digest)))
    return out


def _explained(records: Sequence[Record], job: RowJob) -> list[Outcome]:
    """The Python row source without a native pass (the native check deferred these records)."""
    return python_rows(records, dataclasses.replace(job, options=dataclasses.replace(job.options, engine="python")))


@functools.lru_cache(maxsize=8)
def _native(as_of: str, selection: Selection, copy: bool) -> NativeCheck:  # a Selection hashes by identity
    return NativeCheck(Options(selection=selection, as_of=as_of), columns=COLUMNS, rows=True, copy=copy)


def _native_outcome(record: Record, accepted: Accepted, job: RowJob, digest: str) -> Outcome:
    rows = native_rows(accepted)
    copy = CopyRows(*accepted.copy) if job.copy and accepted.copy is not None else None
    return Outcome(record.line, rows=PostRows(rows.post, rows.tools, rows.entities, rows.links, copy, digest))


def native_rows_source(records: Sequence[Record], job: RowJob) -> list[Outcome]:
    """The native row source: the lines go through the native check as one batch (without the GIL);
    an accepted line gives its rows (and COPY text) from the native side, every other record goes
    to the Python source, which explains it."""
    if not records:  # every line of the chunk matched a stored post: the checker is not even built
        return []
    lines = [(k, r.data) for k, r in enumerate(records) if r.data is not None and r.issue is None]
    check = _native(job.options.as_of, job.options.selection, job.copy)
    verdicts = check.check_lines([data for _, data in lines])
    accepted = [(k, data, v) for (k, data), v in zip(lines, verdicts, strict=True) if not isinstance(v, int)]
    digests = line_digests([data for _, data, _ in accepted], job.key)
    out: list[Outcome | None] = [None] * len(records)
    for (k, _, verdict), digest in zip(accepted, digests, strict=True):
        out[k] = _native_outcome(records[k], verdict, job, digest)
    explained = iter(_explained([r for r, o in zip(records, out, strict=True) if o is None], job))
    return [o if o is not None else next(explained) for o in out]


def row_source(options: Options) -> RowSource:
    """The row source of ``options.engine``: native when the native check runs (``auto`` with the
    compiled checker built, or ``native``; see :func:`synth.validate.native.use_native`), else Python."""
    return native_rows_source if use_native(options) else python_rows


def releases_gil(source: RowSource) -> bool:
    """Whether ``source`` runs without the GIL (its workers are then threads, else processes)."""
    return source is native_rows_source
