"""The compiled generator: the posts of the Python reference, byte for byte, about 10x faster.

``synth._native`` (Rust, ``native/``) implements the plan (:mod:`synth.generation.plan`), the
assembly (:mod:`synth.generation.assemble`), the compact JSON and the content hash
(:mod:`synth.schema.hash`); the Python modules stay the specification. It holds no vocabulary of
its own: :func:`engine_data` hands it the pools of :mod:`synth.generation.vocab` (templates
pre-split into literal text and field numbers, the Zipf table as indices into the words), so
the JSON files in ``synth/generation/vocab/data`` remain the one source of truth.

    >>> from synth.generation import assemble, native
    >>> native.batch_json(0, 2, seed=0, locale="en_US") == assemble.batch_json(0, 2)
    True
    >>> chunk = native.chunk_bytes(0, 1000, 0, "en_US")  # what ``synth generate`` writes
    >>> len(chunk.splitlines()), chunk.startswith(b'{"schema_version":1,"id":"alphanode-000000"')
    (1000, True)

``streams`` maps the generator's stream names to the ids they draw from (default: the registry's,
:mod:`synth.generation.streams`), as :func:`synth.generation.plan.plan_batch` takes it.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Final

from synth.errors import GenerationError
from synth.generation import vocab
from synth.generation.request import GENERATOR, IMAGE_HOST, check_request, review_dates
from synth.generation.streams import GENERATOR as STREAMS
from synth.schema.constants import SCHEMA_VERSION

if TYPE_CHECKING:
    from synth._native import Engine

__all__ = ["BUILD_HINT", "available", "batch_json", "chunk_bytes", "engine", "engine_data", "images", "missing"]

BUILD_HINT: Final = "pip install -e . needs a Rust toolchain: https://rustup.rs; or install a wheel"
FIELDS: Final = ("problem", "stack", "scenario", "tool")

_native: ModuleType | None
_MISSING = ""
try:
    from synth import _native
except ImportError as exc:  # an install built without a Rust toolchain, or a source checkout
    _native, _MISSING = None, str(exc)


def available() -> bool:
    """Whether the compiled module ``synth._native`` can be imported."""
    return _native is not None


def missing() -> str | None:
    """Why ``synth._native`` cannot be imported (the import error's text), or None when it can."""
    return None if _native is not None else _MISSING


def _module() -> ModuleType:
    if _native is None:
        raise GenerationError(f"the compiled generator synth._native is not built ({_MISSING})", hint=BUILD_HINT)
    return _native


def _segments(template: str) -> list[str | int]:
    """A ``str.format_map`` template as literal text and field numbers (positions in FIELDS)."""
    out: list[str | int] = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        if literal:
            out.append(literal)
        if field is None:
            continue
        if spec or conversion or field not in FIELDS:
            raise GenerationError(f"template field {{{field}}} in {template!r}", hint=f"use only {FIELDS}")
        out.append(FIELDS.index(field))
    return out


def _paragraphs(pool: tuple[str, ...]) -> list[list[str | int]]:
    """Paragraph templates: formatted only when they hold a ``{`` (as ``_paragraphs`` does)."""
    return [_segments(p) if "{" in p else [p] for p in pool]


def engine_data(locale: str) -> dict[str, object]:
    """What :class:`synth._native.Engine` is built from: the vocabulary of ``locale``."""
    t, w = vocab.topics(), vocab.words(locale)
    rank = {word: i for i, word in enumerate(w.vocabulary)}
    return {
        "stacks": [(s.name, s.area, s.language, list(s.tools)) for s in t.stacks],
        "problems": list(t.problems),
        "scenarios": list(t.scenarios),
        "title_templates": [_segments(x) for x in t.title_templates],
        "intro_templates": [_segments(x) for x in t.intro_templates],
        "summary_templates": [_segments(x) for x in t.summary_templates],
        "check_paragraphs": _paragraphs(t.check_paragraphs),
        "final_paragraphs": _paragraphs(t.final_paragraphs),
        "checklist_items": list(t.checklist_items),
        "brief_templates": list(t.brief_templates),
        "recommended_actions": list(t.recommended_actions),
        "notes": list(t.notes),
        "generic_tools": list(t.generic_tools),
        "separator": w.separator,
        "terminator": w.terminator,
        "words": list(w.vocabulary),
        "zipf_table": [rank[word] for word in w.table],
        "view_count": list(vocab.distributions().view_count),
        "dates": list(review_dates()),
        "generator": GENERATOR,
        "image_host": IMAGE_HOST,
        "schema_version": SCHEMA_VERSION,
        "budgets": [stream.draws for stream in STREAMS],
    }


@functools.cache
def engine(locale: str) -> Engine:
    """The compiled generator of ``locale`` (built once, then shared)."""
    native = _module()
    try:
        built: Engine = native.Engine(engine_data(locale))
    except ValueError as exc:
        raise GenerationError(str(exc), hint=f"rebuild synth._native: {BUILD_HINT}") from None
    return built


def _ids(streams: Mapping[str, int] | None) -> list[int] | None:
    """The stream ids in the order the engine takes them (the registry's order)."""
    return None if streams is None else [streams[stream.name] for stream in STREAMS]


def batch_json(
    first: int, count: int, *, seed: int = 0, locale: str = "en_US", streams: Mapping[str, int] | None = None
) -> list[bytes]:
    """Posts ``first .. first + count - 1`` as compact JSON (no newline), as the reference's ``batch_json``."""
    check_request(range(first, first + count), seed, locale)
    try:
        return engine(locale).posts(seed, first, count, _ids(streams))
    except ValueError as exc:
        raise GenerationError(str(exc), hint="pass a count of zero or more and 14 stream ids") from None


def chunk_bytes(first: int, last: int, seed: int, locale: str) -> bytes:
    """Posts ``first`` .. ``last - 1`` as JSON lines, each ending in a newline, as the reference's ``chunk_bytes``."""
    check_request(range(first, last), seed, locale)
    return engine(locale).lines(seed, first, last - first) if last > first else b""


def images(index: int, *, seed: int = 0, locale: str = "en_US", streams: Mapping[str, int] | None = None) -> int:
    """The planned number of images of post ``index`` (what the defect corpus asks of a plan)."""
    check_request(range(index, index + 1), seed, locale)
    return engine(locale).images(seed, index, _ids(streams))
