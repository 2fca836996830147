"""Checking one record: parse (P), schema (S, every pydantic error) and consistency (C) findings.

:func:`check_record` is the whole per-record path: the bytes of a line (or an already decoded
value), the findings with their JSON paths, and what the corpus rules and the importer need of
a valid post.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import orjson

from synth.schema.constants import ZERO_HASH
from synth.schema.hash import content_hash, digest
from synth.schema.paths import error_path, format_path
from synth.validate.native import native_check, use_native
from synth.validate.options import Options
from synth.validate.records import Record
from synth.validate.report import Finding
from synth.validate.rules import Context, Selection, schema_code

if TYPE_CHECKING:
    from synth._native import Accepted
    from synth.schema.model import Post

__all__ = ["RecordResult", "check", "check_batch", "check_record", "findings_of", "validate_post"]

_HASH_KEY: Final = b'"hash":"'
MAX_SCHEMA_FINDINGS: Final = 100  # per record; one more finding says how many were not listed


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
        # Most records have no issue: no generator for them (this runs for every record of a run).
        return bool(self.issues) and any(not code.startswith("W") for code, *_ in self.issues)


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a decoded value, counting no further than ``limit + 1``."""
    if limit < 0 or not isinstance(value, dict | list):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(child, limit - 1) for child in children), default=0)


def _parse_issue(data: bytes, last: bool, options: Options) -> tuple[str, tuple[str | int, ...], str, int]:
    """Why ``data`` does not parse: (code, path within the record, message, byte offset within it)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "P002", (), f"invalid UTF-8 byte 0x{data[exc.start]:02x}", exc.start
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        offset = len(text[: exc.pos].encode())
        surrogate = _surrogate_in_text(text) if "surrogate" in exc.msg else None
        if surrogate is not None:
            return "P002", *surrogate, offset
        code, message = _classify(exc, last, text, options)
        return code, (), message, offset
    return "P001", (), "invalid JSON", 0  # pragma: no cover - only called when orjson refused the data


_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _lone_surrogate(value: Any, path: tuple[str | int, ...] = ()) -> tuple[tuple[str | int, ...], str] | None:
    """(path, message) of the first string or key, in document order, that holds a lone surrogate.

    A ``\\ud800`` escape with no partner is JSON syntax but not Unicode text (RFC 8259 section 8.2):
    it cannot be written as UTF-8, so it is a P002, whether a line holds it or a decoded post does.
    """
    if isinstance(value, str):
        found = _SURROGATE.search(value)
        return None if found is None else (path, _surrogate_message(found.group(), "a string"))
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        if isinstance(key, str) and (found := _SURROGATE.search(key)) is not None:
            return path, _surrogate_message(found.group(), "a key")
        inner = _lone_surrogate(child, (*path, key))
        if inner is not None:
            return inner
    return None


def _surrogate_message(char: str, where: str) -> str:
    return f"{where} holds the lone surrogate \\u{ord(char):04x}: not Unicode text (write the character itself)"


def _surrogate_in_text(text: str) -> tuple[tuple[str | int, ...], str] | None:
    """Where a line that orjson refused for a surrogate holds it (the standard library reads such text)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None  # invalid for another reason as well: P001
    return _lone_surrogate(value)


def _unicode_issue(obj: Any) -> tuple[tuple[str | int, ...], str] | None:
    """A decoded value that holds a lone surrogate (orjson refuses to write one: a cheap test first)."""
    try:
        orjson.dumps(obj)
    except orjson.JSONEncodeError:  # a surrogate, or something else that stops orjson first (a huge int...)
        try:
            return _lone_surrogate(obj)
        except RecursionError:
            return None  # nested past any limit: the depth check reports it
    return None


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


@functools.cache
def _model() -> type[Post]:
    """The pydantic model, built on first use: building it (and what is read off it) is 45 ms of
    start-up that a run whose lines the native check accepts, or a re-import of unchanged lines,
    never needs."""
    from synth.schema.model import Post  # noqa: PLC0415

    return Post


def _schema_issues(obj: Any, prefix: tuple[str | int, ...]) -> list[tuple[str, str, str, int]]:
    if not isinstance(obj, dict):
        return [("S003", format_path(prefix), f"a post must be a JSON object, not {type(obj).__name__}", 0)]
    from pydantic import ValidationError  # noqa: PLC0415 - with the model: 30 ms that a run the native check accepts never needs

    try:
        _model().model_validate(obj)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        issues = [
            (schema_code(e["type"]), format_path(prefix + error_path(e["loc"])), _message(e), 0)
            for e in errors[:MAX_SCHEMA_FINDINGS]
        ]
        if len(errors) > MAX_SCHEMA_FINDINGS:  # bounded: a 1 MiB line can hold 100,000 unknown keys
            more = len(errors) - MAX_SCHEMA_FINDINGS
            code = schema_code(errors[MAX_SCHEMA_FINDINGS]["type"])
            issues.append((code, format_path(prefix), f"and {more:,} more schema errors in this record, not listed", 0))
        return issues
    return []


def _message(error: Any) -> str:
    shown = error.get("input")
    if error["type"] in {"missing", "extra_forbidden"} or isinstance(shown, dict | list):
        return str(error["msg"])
    text = repr(shown)
    return f"{error['msg']} (got {text[:60]}{'...' if len(text) > 60 else ''})"


def _hash_ok(obj: dict[str, Any], data: bytes | None) -> bool:
    """Whether meta.hash is the content digest of a schema-valid post.

    The digest is taken over the canonical bytes (:mod:`synth.schema.hash`), never over the
    line as written: the fast path hashes the line itself only when it *is* the canonical bytes
    (compact, and keys in schema order at every depth, :func:`_schema_ordered`); any other
    spelling of the same post (spaces, escapes, ``-0``, another key order) takes the slow path
    through the model, so both give the same answer, as :func:`validate_post` does.
    """
    claimed: str = obj["meta"]["hash"]
    if data is not None and _schema_ordered(obj) and orjson.dumps(obj) == data:
        zeroed = data.replace(_HASH_KEY + claimed.encode() + b'"', _ZEROED, 1)
        return digest(zeroed) == claimed
    expected: str = content_hash(obj)
    return expected == claimed


_ZEROED: Final = _HASH_KEY + ZERO_HASH.encode() + b'"'


def _schema_ordered(obj: dict[str, Any]) -> bool:
    """Keys in schema order at every depth (:mod:`synth.schema.order`); the post is schema-valid."""
    from synth.schema.order import in_schema_order  # noqa: PLC0415 - read off the model (see _model)

    return in_schema_order(obj)


def _semantic_issues(obj: dict[str, Any], data: bytes | None, options: Options) -> list[tuple[str, str, str, int]]:
    selected = options.selection
    hash_ok = True
    if "C014" in selected:
        hash_ok = _hash_ok(obj, data)
    context = Context(as_of=options.as_of, hash_ok=hash_ok)
    issues = []
    for code, check in options.checks:
        found = check(obj, context)
        if found:
            issues += [(code, format_path(path), message, 0) for path, message in found]
    return issues


def _decoded(
    data: bytes | None, obj: Any, last: bool, options: Options, prefix: tuple[str | int, ...]
) -> tuple[Any, tuple[str, str, str, int] | None]:
    """The record's value, or the parse finding (P001-P004, P006, P007) that stops its checks."""
    if data is None:
        unicode = _unicode_issue(obj)
        return obj, None if unicode is None else ("P002", format_path(prefix + unicode[0]), unicode[1], 0)
    if not data.strip():
        return None, ("P003", format_path(prefix), "empty line", 0)
    try:
        return orjson.loads(data), None
    except orjson.JSONDecodeError:
        code, path, message, offset = _parse_issue(data, last, options)
        return None, (code, format_path(prefix + path), message, offset)


def check_record(
    data: bytes | None, obj: Any = None, *, last: bool = False, options: Options, prefix: tuple[str | int, ...] = ()
) -> RecordResult:
    """Layers 1-3 for one record: raw ``data`` (a line) or an already decoded ``obj``.

    A line goes through the native check first (:mod:`synth.validate.native`, unless
    ``options.engine`` is ``python``); what it does not accept takes the Python path below,
    which produces the findings.
    """
    if data is not None and use_native(options):
        verdict = native_check(options).check_lines([data])[0]
        if not isinstance(verdict, int):
            return _accepted(verdict, data, options)
    return _check_python(data, obj, last=last, options=options, prefix=prefix)


def _accepted(accepted: Accepted, data: bytes, options: Options) -> RecordResult:
    """The result of a line the native check accepted: what the Python path gives a valid post."""
    result = RecordResult(post_id=accepted.id, valid=True, content=accepted.content, similar=accepted.similar)
    if options.keep_posts:
        result.post = orjson.loads(data)
    return result


def _check_python(
    data: bytes | None, obj: Any, *, last: bool, options: Options, prefix: tuple[str | int, ...]
) -> RecordResult:
    result = RecordResult()
    obj, stop = _decoded(data, obj, last, options, prefix)
    if stop is not None:
        result.issues.append(stop)
        return result
    if options.sanitize:
        from synth.validate.sanitize import sanitize  # noqa: PLC0415 - read off the model (see _model)

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
            result.clean = _model().model_validate(obj).model_dump_json().encode()
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


def _framing_message(code: str, options: Options) -> str:
    if code == "P005":
        return f"line longer than {options.max_line_bytes:,} bytes (--max-line-bytes); skipped"
    if code == "P009":
        return f"document larger than {options.max_document_bytes:,} bytes; write it as JSON Lines"
    return "the file holds no JSON value"


def check(record: Record, options: Options) -> RecordResult:
    """Layers 1-3 for a record of a file."""
    return _check(record, options, check_record)


def check_batch(records: list[Record], options: Options) -> list[RecordResult]:
    """:func:`check` of each record; the lines go through the native check as one batch."""
    if not use_native(options):
        return [check(record, options) for record in records]
    lines = [record.data for record in records if record.data is not None]
    verdicts = iter(native_check(options).check_lines(lines))
    results = []
    for record in records:
        data = record.data
        verdict = next(verdicts) if data is not None else None
        if data is not None and verdict is not None and not isinstance(verdict, int):
            results.append(_accepted(verdict, data, options))
        else:
            results.append(_check(record, options, _check_python))
    return results


def _check(record: Record, options: Options, check_line: Callable[..., RecordResult]) -> RecordResult:
    if record.issue is not None:
        message = record.detail or _framing_message(record.issue, options)
        return RecordResult(issues=[(record.issue, format_path(record.prefix), message, 0)])
    return check_line(record.data, record.obj, last=record.last, options=options, prefix=record.prefix)


def findings_of(file: str, record: Record, result: RecordResult, selection: Selection) -> Iterator[Finding]:
    for code, path, message, delta in result.issues:
        if code in selection:
            yield Finding(file, record.line, record.offset + delta, result.post_id, path, code, message)
