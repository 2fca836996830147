"""The streaming validator: every finding located by file, line, byte offset, id and JSON path.

A file is read as JSON Lines (one post a line), a JSON array written one element a line (as
``synth generate --format json`` writes it), or, failing both, one whole JSON document (an
object or an array) of at most ``max_document_bytes``. Lines are read with a bound, so memory
stays flat whatever the file's size; ``.gz``/``.zst`` are decompressed on the fly.

Each record goes through the layers of :mod:`synth.rules`: parse, schema (every pydantic
error), consistency (only for schema-valid posts), and, across the whole run, corpus rules.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import io
import itertools
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Final

import orjson
from pydantic import ValidationError

from synth._constants import ZERO_HASH
from synth.errors import SynthError, UsageError
from synth.io import open_input
from synth.model import Post, content_hash, error_path, format_path
from synth.rules import RULES, Check, Context, Selection, schema_code, today
from synth.sanitize import sanitize

__all__ = [
    "Corpus",
    "Finding",
    "Options",
    "RecordResult",
    "Report",
    "SanitizeSink",
    "check_record",
    "records",
    "validate_file",
    "validate_paths",
    "validate_post",
]

MAX_LINE_BYTES: Final = 1 << 20
MAX_DEPTH: Final = 64
MAX_DOCUMENT_BYTES: Final = 256 << 20
BATCH: Final = 500
IN_FLIGHT: Final = 4
_HASH_KEY: Final = b'"hash":"'


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding: where (file, 1-based line, byte offset, post id, JSON path), which rule, what."""

    file: str | None
    line: int | None
    offset: int | None
    id: str | None
    path: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The finding as ``--format json`` writes it."""
        return {
            "file": self.file,
            "line": self.line,
            "offset": self.offset,
            "id": self.id,
            "path": self.path,
            "code": self.code,
            "message": self.message,
        }

    @property
    def is_warning(self) -> bool:
        return self.code.startswith("W")


@dataclass(frozen=True, slots=True)
class Options:
    """Validation settings; the defaults suit posts of any realistic size."""

    selection: Selection = field(default_factory=Selection)
    max_line_bytes: int = MAX_LINE_BYTES
    max_depth: int = MAX_DEPTH
    max_document_bytes: int = MAX_DOCUMENT_BYTES
    as_of: str = field(default_factory=today)
    sanitize: bool = False
    keep_posts: bool = False
    checks: list[tuple[str, Check]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", self.selection.checks())


# ---- one record: layers 1-3 ----


@dataclass(slots=True)
class RecordResult:
    """What checking one record found, and what the corpus rules need of it."""

    issues: list[tuple[str, str, str, int]] = field(default_factory=list)  # code, path, message, offset delta
    post_id: str | None = None
    valid: bool = False  # schema-valid: the corpus rules register it
    content: bytes | None = None  # digest of title, intro and sections (only when R002 is selected)
    similar: list[str] = field(default_factory=list)
    clean: bytes | None = None  # sanitize mode: the repaired post, canonical, when it has no error
    post: dict[str, Any] | None = None  # with Options.keep_posts: the schema-valid post

    @property
    def rejected(self) -> bool:
        return any(not code.startswith("W") for code, *_ in self.issues)


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a decoded value, counting no further than ``limit + 1``."""
    if limit < 0 or not isinstance(value, dict | list):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(child, limit - 1) for child in children), default=0)


def _parse_issue(data: bytes, last: bool, options: Options) -> tuple[str, str, int]:
    """Why ``data`` does not parse: (code, message, byte offset within the line)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "P002", f"invalid UTF-8 byte 0x{data[exc.start]:02x}", exc.start
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        code, message = _classify(exc, last, text, options)
        return code, message, len(text[: exc.pos].encode())
    return "P001", "invalid JSON", 0  # pragma: no cover - only called when orjson refused the data


def _classify(exc: orjson.JSONDecodeError, last: bool, text: str, options: Options) -> tuple[str, str]:
    if "depth limit" in exc.msg:
        return "P006", f"nesting deeper than {options.max_depth} levels"
    if "infinity" in exc.msg:
        return "P007", f"a number too large for a double ({exc.msg})"
    if last and "end of data" in exc.msg:
        return "P004", f"the last line is cut off ({exc.msg})"
    if _has_non_finite(text):
        return "P007", "NaN or Infinity is not a JSON number"
    return "P001", f"invalid JSON: {exc.msg} at column {exc.colno}"


def _has_non_finite(text: str) -> bool:
    found = False

    def constant(_: str) -> float:
        nonlocal found
        found = True
        return 0.0

    try:
        json.loads(text, parse_constant=constant)
    except ValueError:
        return False
    return found


def _duplicate_keys(data: bytes) -> list[tuple[str, str]]:
    """(path, key) of each key repeated in an object (stdlib parser with a pairs hook)."""
    duplicates: list[tuple[str, str]] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                duplicates.append(("", key))
            seen.add(key)
        return dict(items)

    json.loads(data, object_pairs_hook=pairs)
    return duplicates


def _schema_issues(obj: Any, prefix: tuple[str | int, ...]) -> list[tuple[str, str, str, int]]:
    if not isinstance(obj, dict):
        return [("S003", format_path(prefix), f"a post must be a JSON object, not {type(obj).__name__}", 0)]
    try:
        Post.model_validate(obj)
    except ValidationError as exc:
        return [
            (schema_code(e["type"]), format_path(prefix + error_path(e["loc"])), _message(e), 0)
            for e in exc.errors(include_url=False)
        ]
    return []


def _message(error: Any) -> str:
    shown = error.get("input")
    if error["type"] in {"missing", "extra_forbidden"} or isinstance(shown, dict | list):
        return str(error["msg"])
    text = repr(shown)
    return f"{error['msg']} (got {text[:60]}{'...' if len(text) > 60 else ''})"


def _hash_ok(obj: dict[str, Any], data: bytes) -> bool:
    """Whether meta.hash is the content digest; fast when the line is already canonical JSON."""
    claimed: str = obj["meta"]["hash"]
    canonical = orjson.dumps(obj)
    if canonical == data and _schema_ordered(obj):
        zeroed = canonical.replace(_HASH_KEY + claimed.encode(), _HASH_KEY + ZERO_HASH.encode(), 1)
        return hashlib.sha256(zeroed).hexdigest()[:24] == claimed
    expected: str = content_hash(obj)
    return expected == claimed


_ORDER: Final = {
    "post": tuple(Post.model_fields),
    "meta": tuple(Post.model_fields["meta"].annotation.model_fields),  # type: ignore[union-attr]
}


def _schema_ordered(obj: dict[str, Any]) -> bool:
    """Top-level and meta keys in schema order (nested objects are checked by the slow path)."""
    return tuple(obj) == _ORDER["post"] and tuple(obj["meta"]) == _ORDER["meta"]


def _semantic_issues(obj: dict[str, Any], data: bytes | None, options: Options) -> list[tuple[str, str, str, int]]:
    selected = options.selection
    hash_ok = True
    if "C014" in selected:
        hash_ok = _hash_ok(obj, data) if data is not None else content_hash(obj) == obj["meta"]["hash"]
    context = Context(as_of=options.as_of, hash_ok=hash_ok)
    issues = []
    for code, check in options.checks:
        found = check(obj, context)
        if found:
            issues += [(code, format_path(path), message, 0) for path, message in found]
    return issues


def check_record(
    data: bytes | None, obj: Any = None, *, last: bool = False, options: Options, prefix: tuple[str | int, ...] = ()
) -> RecordResult:
    """Layers 1-3 for one record: raw ``data`` (a line) or an already decoded ``obj``."""
    result = RecordResult()
    if data is not None:
        if not data.strip():
            result.issues.append(("P003", "$", "empty line", 0))
            return result
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            code, message, offset = _parse_issue(data, last, options)
            result.issues.append((code, "$", message, offset))
            return result
    if options.sanitize:
        obj, repairs = sanitize(obj)
        result.issues += [(code, format_path(prefix + path), message, 0) for code, path, message in repairs]
        data = data if not repairs else None
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        result.post_id = obj["id"]
    schema = _schema_issues(obj, prefix)
    if schema and _depth(obj, options.max_depth) > options.max_depth:
        result.issues.append(("P006", format_path(prefix), f"nesting deeper than {options.max_depth} levels", 0))
        return result
    if data is not None and orjson.dumps(obj) != data.strip():
        result.issues += [
            ("P008", format_path(prefix), f"duplicate key {key!r}", 0) for _, key in _duplicate_keys(data)
        ]
    result.issues += schema
    if not schema:
        result.issues += _semantic_issues(obj, data.strip() if data is not None else None, options)
        result.valid = True
        if "R002" in options.selection:  # the digest is only for the duplicate-content rule
            result.content = hashlib.sha256(orjson.dumps([obj["title"], obj["intro"], obj["sections"]])).digest()[:12]
        result.similar = obj["similar_posts"]
        if options.keep_posts:
            result.post = obj
        if options.sanitize and not result.rejected:
            result.clean = Post.model_validate(obj).model_dump_json().encode()
    return result


def validate_post(obj: Any, *, options: Options | None = None) -> list[Finding]:
    """The findings (schema and consistency) for one decoded post; empty when it is valid."""
    options = options or Options()
    result = check_record(None, obj, options=options)
    return [
        Finding(None, None, None, result.post_id, path, code, message)
        for code, path, message, _ in result.issues
        if code in options.selection
    ]


# ---- files: records with their positions ----


@dataclass(frozen=True, slots=True)
class Record:
    """A line (or a decoded element of a whole document) and where it starts."""

    line: int
    offset: int
    data: bytes | None
    obj: Any = None
    last: bool = False
    prefix: tuple[str | int, ...] = ()
    issue: str | None = None  # P005 or P009: the record was too large to read


def _lines(stream: BinaryIO, max_line_bytes: int) -> Iterator[Record]:
    """Lines with 1-based numbers and byte offsets; a line over the bound is skipped, flagged."""
    offset, number = 0, 0
    while True:
        chunk = stream.readline(max_line_bytes + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > max_line_bytes and not chunk.endswith(b"\n"):
            size = len(chunk)
            while chunk and not chunk.endswith(b"\n"):
                chunk = stream.readline(1 << 20)
                size += len(chunk)
            yield Record(number, offset, None, issue="P005")
            offset += size
            continue
        ends = chunk.endswith(b"\n")
        yield Record(number, offset, chunk[:-1] if ends else chunk, last=not ends)
        offset += len(chunk)


def _array_lines(records: Iterator[Record]) -> Iterator[Record]:
    """Elements of a JSON array written one a line: drop the bracket lines and trailing commas."""
    for record in records:
        data = record.data
        if data is not None:
            stripped = data.strip()
            if (record.line == 1 and stripped == b"[") or stripped == b"]":
                continue
            data = stripped.removesuffix(b",")
        yield Record(record.line, record.offset, data, issue=record.issue)


def _parses(data: bytes) -> bool:
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    return True


def _layout(head: bytes) -> str:
    """``jsonl``, ``array`` (one element a line) or ``document`` (one JSON value, any layout)."""
    lines = head.split(b"\n", 2)
    first = lines[0].strip()
    if first == b"[":
        second = lines[1].strip().removesuffix(b",") if len(lines) > 1 else b""
        return "array" if second == b"]" or _parses(second) else "document"
    if first.startswith((b"{", b"[")) and not _parses(first):
        return "document"
    return "jsonl"


class _Prefixed(io.RawIOBase):
    """A stream that serves ``head`` first, then the rest of ``tail``."""

    def __init__(self, head: bytes, tail: BinaryIO) -> None:
        self._head, self._tail = memoryview(head), tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._tail.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_head(stream: BinaryIO, size: int) -> bytes:
    parts, got = [], 0
    while got < size:
        part = stream.read(size - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _document(stream: BinaryIO, options: Options) -> Iterator[Record]:
    data = stream.read(options.max_document_bytes + 1)
    if len(data) > options.max_document_bytes:
        yield Record(1, 0, None, issue="P009")
        return
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        yield from _lines(io.BytesIO(data), options.max_line_bytes)
        return
    if isinstance(value, list):
        for k, element in enumerate(value):
            yield Record(1, 0, None, obj=element, prefix=(k,))
    else:
        yield Record(1, 0, None, obj=value)


def records(stream: BinaryIO, options: Options, *, document: bool = False) -> Iterator[Record]:
    """The records of a stream, whatever its layout (decided from its first two lines).

    ``document``: the file is named as one JSON document (``.json``), so emptiness is an error.
    """
    head = _read_head(stream, 2 * options.max_line_bytes + 2)
    if document and not head.strip():
        yield Record(1, 0, None, issue="P001")
        return
    layout = _layout(head)
    buffered: Any = io.BufferedReader(_Prefixed(head, stream), buffer_size=1 << 16)
    if layout == "document":
        yield from _document(buffered, options)
    elif layout == "array":
        yield from _array_lines(_lines(buffered, options.max_line_bytes))
    else:
        yield from _lines(buffered, options.max_line_bytes)


def check(record: Record, options: Options) -> RecordResult:
    """Layers 1-3 for a record of a file."""
    if record.issue == "P005":
        message = f"line longer than {options.max_line_bytes:,} bytes (--max-line-bytes); skipped"
        return RecordResult(issues=[("P005", "$", message, 0)])
    if record.issue == "P001":
        return RecordResult(issues=[("P001", "$", "the file holds no JSON value", 0)])
    if record.issue == "P009":
        message = f"document larger than {options.max_document_bytes:,} bytes; write it as JSON Lines"
        return RecordResult(issues=[("P009", "$", message, 0)])
    return check_record(record.data, record.obj, last=record.last, options=options, prefix=record.prefix)


# ---- corpus rules across a run ----


class Corpus:
    """Ids, content digests and pending links of every post seen in one run."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.contents: dict[bytes, str] = {}
        self.pending: list[tuple[str, int, int, str, int, str]] = []  # file, line, offset, id, k, target

    def add(self, file: str, record: Record, result: RecordResult) -> list[Finding]:
        """Register a record; findings of R001 and R002 at once, R003 at :meth:`finish`."""
        found = []
        pid = result.post_id
        if pid is not None and result.valid:
            if pid in self.ids:
                found.append(Finding(file, record.line, record.offset, pid, "$.id", "R001", f"duplicate post id {pid}"))
            self.ids.add(pid)
            first = pid if result.content is None else self.contents.setdefault(result.content, pid)
            if first != pid:
                found.append(
                    Finding(
                        file, record.line, record.offset, pid, "$", "R002", f"same title, intro and sections as {first}"
                    )
                )
            for k, target in enumerate(result.similar):
                if target not in self.ids:
                    self.pending.append((file, record.line, record.offset, pid, k, target))
        return found

    def finish(self) -> list[Finding]:
        """R003 for links to ids that never appeared."""
        return [
            Finding(
                file, line, offset, pid, f"$.similar_posts[{k}]", "R003", f"similar post {target} is not in the corpus"
            )
            for file, line, offset, pid, k, target in self.pending
            if target not in self.ids
        ]


def _findings(file: str, record: Record, result: RecordResult, selection: Selection) -> Iterator[Finding]:
    for code, path, message, delta in result.issues:
        if code in selection:
            yield Finding(file, record.line, record.offset + delta, result.post_id, path, code, message)


@dataclass(slots=True)
class Report:
    """Counts of a run: records read, findings by code, and whether it stopped early."""

    files: int = 0
    records: int = 0
    by_code: dict[str, int] = field(default_factory=dict)
    stopped_early: bool = False

    @property
    def errors(self) -> int:
        return sum(n for code, n in self.by_code.items() if not code.startswith("W"))

    @property
    def warnings(self) -> int:
        return sum(n for code, n in self.by_code.items() if code.startswith("W"))

    def count(self, finding: Finding) -> None:
        self.by_code[finding.code] = self.by_code.get(finding.code, 0) + 1


Sink = Callable[[str, "Record", RecordResult], None]


def _checked(batch: list[Record], options: Options) -> list[RecordResult]:
    return [check(record, options) for record in batch]


def _results(
    stream: Iterator[Record], options: Options, pool: Executor | None
) -> Iterator[tuple[Record, RecordResult]]:
    """Records with their results, in order; a pool checks batches of them in parallel."""
    if pool is None:
        for record in stream:
            yield record, check(record, options)
        return
    pending: deque[tuple[list[Record], Future[list[RecordResult]]]] = deque()
    while True:
        batch = list(itertools.islice(stream, BATCH))
        if batch:
            pending.append((batch, pool.submit(_checked, batch, options)))
        if pending and (len(pending) > IN_FLIGHT or not batch):
            done, future = pending.popleft()
            yield from zip(done, future.result(), strict=True)
        if not batch and not pending:
            return


def validate_file(
    path: str,
    *,
    options: Options | None = None,
    corpus: Corpus | None = None,
    report: Report | None = None,
    pool: Executor | None = None,
    sink: Sink | None = None,
) -> Iterator[Finding]:
    """Stream the findings of one file (``-`` is stdin), corpus rules included unless ``corpus`` is shared.

    Pass one :class:`Corpus` to several calls to apply the corpus rules across files, then
    call its ``finish()`` once at the end (:func:`validate_paths` does this).
    """
    options = options or Options()
    own = corpus is None
    corpus = corpus or Corpus()
    report = report if report is not None else Report()
    report.files += 1
    selection = options.selection
    with open_input(path) as stream:
        document = path.lower().removesuffix(".gz").removesuffix(".zst").endswith(".json")
        for record, result in _results(records(stream, options, document=document), options, pool):
            report.records += 1
            if sink is not None:
                sink(path, record, result)
            for finding in itertools.chain(
                _findings(path, record, result, selection), corpus.add(path, record, result)
            ):
                if finding.code in selection:
                    report.count(finding)
                    yield finding
    if own:
        yield from _counted(corpus.finish(), selection, report)


def _counted(findings: Iterable[Finding], selection: Selection, report: Report) -> Iterator[Finding]:
    for finding in findings:
        if finding.code in selection:
            report.count(finding)
            yield finding


def validate_paths(
    paths: Iterable[str],
    *,
    options: Options | None = None,
    report: Report | None = None,
    workers: int = 1,
    sink: Sink | None = None,
) -> Iterator[Finding]:
    """Findings of several files as one run (corpus rules span them all); ``workers`` processes check records."""
    options = options or Options()
    report = report if report is not None else Report()
    corpus = Corpus()
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(ProcessPoolExecutor(workers)) if workers > 1 else None
        for path in paths:
            if is_manifest(path):
                yield from _validate_manifest(path, options, corpus, report, pool, sink)
            else:
                yield from validate_file(path, options=options, corpus=corpus, report=report, pool=pool, sink=sink)
    yield from _counted(corpus.finish(), options.selection, report)


def is_manifest(path: str) -> bool:
    """Whether ``path`` names a partitioned corpus's manifest (``.../manifest.json``)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1] == "manifest.json"


def _part_problem(path: str, part: Any) -> tuple[str, str] | None:
    """(code, message) when a part file is missing or differs from its manifest entry."""
    digest, size = hashlib.sha256(), 0
    try:
        with open_input(path, stored=True) as stored:
            while block := stored.read(1 << 20):
                digest.update(block)
                size += len(block)
    except SynthError as exc:
        return "M001", exc.message
    if (size, digest.hexdigest()) != (part.bytes, part.sha256):
        found = f"{size:,} bytes, sha256 {digest.hexdigest()[:16]}..."
        return "M002", f"{part.file}: {found}; the manifest says {part.bytes:,} bytes, {part.sha256[:16]}..."
    return None


def _validate_manifest(
    path: str, options: Options, corpus: Corpus, report: Report, pool: Executor | None, sink: Sink | None
) -> Iterator[Finding]:
    from synth.io import join_path  # noqa: PLC0415
    from synth.parts import read_manifest  # noqa: PLC0415

    manifest = read_manifest(path)
    folder = path[: -len("manifest.json")] or "."
    for k, part in enumerate(manifest.parts):
        part_path = join_path(folder, part.file)
        problem = _part_problem(part_path, part)
        if problem is not None:
            yield from _counted([Finding(path, None, None, None, f"$.parts[{k}]", *problem)], options.selection, report)
            if problem[0] == "M001":
                continue
        before = report.records
        yield from validate_file(part_path, options=options, corpus=corpus, report=report, pool=pool, sink=sink)
        if report.records - before != part.count:
            message = f"{part.file} holds {report.records - before:,} records; the manifest says {part.count:,}"
            yield from _counted(
                [Finding(path, None, None, None, f"$.parts[{k}]", "M003", message)], options.selection, report
            )


def make_options(
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    max_depth: int = MAX_DEPTH,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
    as_of: str | None = None,
    sanitize: bool = False,
) -> Options:
    """Options from user input, refusing unknown codes and malformed dates."""
    selection = Selection(select, ignore)
    unknown = selection.unknown()
    if unknown:
        raise UsageError(f"unknown rule code {', '.join(unknown)}", hint="run `synth rules` to list the codes")
    if as_of is not None:
        try:
            as_of = _dt.date.fromisoformat(as_of).isoformat()
        except ValueError:
            raise UsageError(f"--as-of {as_of!r} is not a date", hint="write it as YYYY-MM-DD") from None
    return Options(
        selection=selection,
        max_line_bytes=max_line_bytes,
        max_depth=max_depth,
        max_document_bytes=max_document_bytes,
        as_of=as_of or today(),
        sanitize=sanitize,
    )


def format_text(finding: Finding) -> str:
    """``file:line:offset: CODE [id] path: message``, the text format's line."""
    where = ":".join(str(part) for part in (finding.file or "-", finding.line, finding.offset) if part is not None)
    post = f" [{finding.id}]" if finding.id else ""
    return f"{where}: {finding.code}{post} {finding.path}: {finding.message}"


def summary(report: Report) -> str:
    """The closing summary: records, files, and findings by code."""
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    head = f"checked {report.records:,} records in {files}: "
    if not report.by_code:
        return head + "all valid"
    lines = [head + f"{report.errors:,} errors, {report.warnings:,} warnings"]
    if report.stopped_early:
        lines.append("stopped early (--max-errors)")
    lines += [f"  {code} {RULES[code].name:<24} {n:>8,}" for code, n in sorted(report.by_code.items())]
    return "\n".join(lines)


class SanitizeSink:
    """Writes repaired posts to ``output`` and rejected records (raw, with findings) to ``rejects``."""

    def __init__(self, output: BinaryIO | None, rejects: BinaryIO | None, selection: Selection) -> None:
        self.output, self.rejects, self.selection = output, rejects, selection
        self.written = self.rejected = 0

    def __call__(self, path: str, record: Record, result: RecordResult) -> None:
        if result.clean is not None and not result.rejected:
            if self.output is not None:
                self.output.write(result.clean + b"\n")
            self.written += 1
            return
        self.rejected += 1
        if self.rejects is None:
            return
        raw = record.data.decode("utf-8", "backslashreplace") if record.data is not None else None
        if raw is None and record.obj is not None:
            raw = orjson.dumps(record.obj).decode()
        findings = [f.as_dict() for f in _findings(path, record, result, self.selection)]
        entry = {"file": path, "line": record.line, "offset": record.offset, "raw": raw, "findings": findings}
        self.rejects.write(orjson.dumps(entry) + b"\n")
