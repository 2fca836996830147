"""A seeded mutation fuzzer for post records: deterministic, bounded, one record a line.

Every function takes a :class:`random.Random` (never the global one), so the same seed gives
the same records on every machine. :func:`mutated_records` is the entry point: ``count`` lines
(bytes, no newline), each a generated post broken by one to three :data:`MUTATIONS`, or left
alone one time in ten. No mutation writes a newline byte, so the lines of a file are the records.

Value-preserving spellings (:func:`permute_keys`, :func:`respell`) are here too: they change the
bytes of a post but not the JSON value it is.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from typing import Any, Final

import orjson

from synth.generation.assemble import batch_json

__all__ = [
    "MUTATIONS",
    "Path",
    "json_paths",
    "mutate",
    "mutated_records",
    "permute_keys",
    "respell",
]

Path = tuple[str | int, ...]
Mutation = Callable[[bytes, random.Random], bytes]

# A JSON string no post contains: set as a value, dumped, then replaced by raw bytes.
_MARK: Final = "\u0001fuzz\u0001"
_MARK_JSON: Final = orjson.dumps(_MARK)
_INSERTS: Final = (
    b"{", b"}", b"[", b"]", b'"', b",", b":", b"\\", b"0", b"-", b"1e999", b"null", b"true", b" ",
    b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe2\x80\xa8", b"\xf0\x9f\x92\xa9", b"\\u0000", b"\\ud800",
)  # fmt: skip
_NUMBERS: Final = (b"1.0", b"1e0", b"1E0", b"-0", b"-0.0", b"0.0", b"10e-1", b"1.5", b"1e400", b"-1")
_STRINGS: Final = ("\x00", "a\x00b", "\ud800", "a\udc00b", "\ud83d", " pad ", "", "\ufeffx", "x\u2028y")


def json_paths(value: Any, path: Path = ()) -> Iterator[Path]:
    """The path of every value in a decoded document (the root is ``()``), depth first."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from json_paths(child, (*path, key))
    elif isinstance(value, list):
        for k, child in enumerate(value):
            yield from json_paths(child, (*path, k))


def _get(doc: Any, path: Path) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _set(doc: Any, path: Path, value: Any) -> Any:
    """``doc`` with the value at ``path`` replaced (the root path replaces the whole document)."""
    if not path:
        return value
    _get(doc, path[:-1])[path[-1]] = value
    return doc


def _decoded(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


def _pick(doc: Any, rng: random.Random, want: Callable[[Any], bool]) -> Path | None:
    paths = [p for p in json_paths(doc) if want(_get(doc, p))]
    return rng.choice(paths) if paths else None


def _no_newline(data: bytes) -> bytes:
    return data.replace(b"\n", b" ")


# ---- byte-level mutations ----


def flip_byte(line: bytes, rng: random.Random) -> bytes:
    if not line:
        return line
    at = rng.randrange(len(line))
    byte = line[at] ^ (1 << rng.randrange(8))
    return line[:at] + bytes([byte if byte != 0x0A else 0x0B]) + line[at + 1 :]


def delete_bytes(line: bytes, rng: random.Random) -> bytes:
    if not line:
        return line
    at = rng.randrange(len(line))
    return line[:at] + line[at + rng.randint(1, 8) :]


def insert_bytes(line: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(line) + 1)
    return line[:at] + rng.choice(_INSERTS) + line[at:]


def truncate(line: bytes, rng: random.Random) -> bytes:
    return line[: rng.randrange(len(line) + 1)]


# ---- value-level mutations (the line must decode; otherwise it is returned as it is) ----


_SWAPS: Final = (None, True, False, 0, -1, 2**63, 1.5, "", "text", [], [1, "a"], {}, {"a": None})


def swap_type(line: bytes, rng: random.Random) -> bytes:
    doc = _decoded(line)
    path = _pick(doc, rng, lambda _: True) if doc is not None else None
    if path is None:
        return line
    old = _get(doc, path)
    choices = [v for v in _SWAPS if type(v) is not type(old)]
    return orjson.dumps(_set(doc, path, rng.choice(choices)))


def reorder_keys(line: bytes, rng: random.Random) -> bytes:
    doc = _decoded(line)
    if doc is None:
        return line
    return orjson.dumps(permute_keys(doc, rng, rng.random()))


def respell_number(line: bytes, rng: random.Random) -> bytes:
    doc = _decoded(line)
    path = _pick(doc, rng, lambda v: type(v) is int) if doc is not None else None
    if path is None:
        return line
    return orjson.dumps(_set(doc, path, _MARK)).replace(_MARK_JSON, rng.choice(_NUMBERS), 1)


def duplicate_key(line: bytes, rng: random.Random) -> bytes:
    doc = _decoded(line)
    path = _pick(doc, rng, lambda v: isinstance(v, dict) and bool(v)) if doc is not None else None
    if path is None:
        return line
    target = _get(doc, path)
    key = rng.choice(list(target))
    again = target[key] if rng.random() < 0.5 else rng.choice(_SWAPS)
    target[_MARK] = again
    marked = orjson.dumps(doc)
    return marked.replace(_MARK_JSON + b":", orjson.dumps(key) + b":", 1)


def odd_string(line: bytes, rng: random.Random) -> bytes:
    """NUL, lone surrogates (escaped, or as CESU-8 bytes), edge spaces, separators in a string."""
    doc = _decoded(line)
    path = _pick(doc, rng, lambda v: isinstance(v, str)) if doc is not None else None
    if path is None:
        return line
    text = rng.choice(_STRINGS)
    spelled = json.dumps(text).encode("utf-8", "surrogatepass")  # \u escapes for what is not ASCII
    if rng.random() < 0.3:
        spelled = b'"' + text.encode("utf-8", "surrogatepass") + b'"' if '"' not in text else spelled
    return orjson.dumps(_set(doc, path, _MARK)).replace(_MARK_JSON, spelled, 1)


MUTATIONS: Final[tuple[Mutation, ...]] = (
    flip_byte,
    delete_bytes,
    insert_bytes,
    truncate,
    swap_type,
    reorder_keys,
    respell_number,
    duplicate_key,
    odd_string,
)


def mutate(line: bytes, rng: random.Random) -> bytes:
    """``line`` broken by one to three mutations; never a newline byte in the result."""
    for _ in range(rng.randint(1, 3)):
        line = rng.choice(MUTATIONS)(line, rng)
    return _no_newline(line)


def mutated_records(count: int, *, seed: int = 0, clean: float = 0.1) -> list[bytes]:
    """``count`` records from generated posts: a share ``clean`` left alone, the rest mutated."""
    rng = random.Random(seed)
    posts = batch_json(0, count, seed=seed)
    return [line if rng.random() < clean else mutate(line, rng) for line in posts]


# ---- the same JSON value, other bytes ----


def permute_keys(value: Any, rng: random.Random, share: float = 1.0) -> Any:
    """``value`` with the keys of objects shuffled, at any depth: each object with chance ``share``."""
    if isinstance(value, dict):
        keys = list(value)
        if rng.random() < share:
            rng.shuffle(keys)
        return {key: permute_keys(value[key], rng, share) for key in keys}
    if isinstance(value, list):
        return [permute_keys(item, rng, share) for item in value]
    return value


def respell(value: Any, rng: random.Random) -> bytes:
    """``value`` as one line of JSON spelled otherwise: spaces, ``\\u`` escapes, ``-0`` for ``0``.

    The result decodes to ``value`` (checked; a spelling that would not is left out).
    """
    separators = rng.choice([(",", ":"), (", ", ": "), (" ,", " : "), ("\t,\t", "\t:\t")])
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5, separators=separators)
    data = text.encode()
    if rng.random() < 0.5:
        data = data.replace(b"/", b"\\/")  # inside strings only: no other JSON token has a slash
    if rng.random() < 0.5:
        zeroed = data.replace(b":0,", b":-0,").replace(b": 0,", b": -0,")
        data = zeroed if orjson.loads(zeroed) == value else data
    if rng.random() < 0.5:
        data = b" " + data + b"\t"
    assert orjson.loads(data) == value
    return data
