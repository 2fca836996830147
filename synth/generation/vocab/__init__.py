"""Vocabulary as data, loaded once: small providers over the JSON files in ``data/``.

* :class:`Topics` (``topics.json``, hand-written): stacks with their area, language and
  tools; problem patterns expanded into every problem phrase; scenarios; the templates of
  titles, intros, paragraphs, summaries and briefs; checklist items, actions and notes.
* :class:`Words` (``words-<locale>.json``, built by :mod:`synth.generation.vocab.build` with Faker):
  a locale's words by rank with a 2**16-slot Zipf lookup table for free text.
* :class:`Distributions` (``distributions.json``): integer quantile tables.

Nothing here is random: order is the file's order, so the same files give the same posts.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson

from synth.errors import GenerationError

__all__ = ["LOCALES", "Distributions", "Stack", "Topics", "Words", "distributions", "topics", "words"]

DATA: Final = Path(__file__).parent / "data"
LOCALES: Final = ("ar_AA", "de_DE", "en_US", "fr_FR", "ja_JP", "zh_CN")
_SLOT: Final = re.compile(r"\{(\w+)\}")


def _load(name: str) -> Any:
    return orjson.loads((DATA / name).read_bytes())


@dataclass(frozen=True, slots=True)
class Stack:
    """A technology stack: its name, area, main language and the tools that go with it."""

    name: str
    area: str
    language: str
    tools: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Topics:
    """The English pools that give posts their shape and subject."""

    stacks: tuple[Stack, ...]
    problems: tuple[str, ...]
    scenarios: tuple[str, ...]
    title_templates: tuple[str, ...]
    intro_templates: tuple[str, ...]
    check_paragraphs: tuple[str, ...]
    final_paragraphs: tuple[str, ...]
    checklist_items: tuple[str, ...]
    summary_templates: tuple[str, ...]
    brief_templates: tuple[str, ...]
    recommended_actions: tuple[str, ...]
    notes: tuple[str, ...]
    generic_tools: tuple[str, ...]


def expand_problems(patterns: list[str], slots: dict[str, list[str]]) -> tuple[str, ...]:
    """Every phrase the patterns make with their slots, first occurrence first.

    Each combination of slot values fills the pattern as ``pattern.format_map(dict(zip(names,
    values)))`` does (a repeated name takes its last value); through a positional template made
    once per pattern, as tens of thousands of phrases are made at every start-up.
    """
    out: dict[str, None] = {}
    for pattern in patterns:
        names = _SLOT.findall(pattern)
        fill = _filler(pattern, names)
        out.update(dict.fromkeys(itertools.starmap(fill, itertools.product(*(slots[n] for n in names)))))
    return tuple(out)


def _filler(pattern: str, names: list[str]) -> Callable[..., str]:
    """A function of the slot values (in the order of ``names``) that fills ``pattern``."""
    if "{{" in pattern or "}}" in pattern:  # escaped braces: the plain, slower way
        return lambda *values: pattern.format_map(dict(zip(names, values, strict=True)))
    last = {name: j for j, name in enumerate(names)}
    return _SLOT.sub(lambda m: "{%d}" % last[m.group(1)], pattern).format  # noqa: UP031 - a format template


@functools.cache
def topics() -> Topics:
    """The topic pools (loaded on first use, then shared)."""
    raw = _load("topics.json")
    stacks = tuple(Stack(s["name"], s["area"], s["language"], tuple(s["tools"])) for s in raw["stacks"])
    lists = {
        key: tuple(value) for key, value in raw.items() if key not in {"stacks", "problem_patterns", "problem_slots"}
    }
    return Topics(stacks=stacks, problems=expand_problems(raw["problem_patterns"], raw["problem_slots"]), **lists)


@dataclass(frozen=True, slots=True)
class Words:
    """A locale's free-text vocabulary: a Zipf lookup table of words and how to join them."""

    locale: str
    separator: str
    terminator: str
    vocabulary: tuple[str, ...]
    table: tuple[str, ...]


@functools.cache
def words(locale: str) -> Words:
    """The vocabulary of ``locale`` (one of :data:`LOCALES`)."""
    if locale not in LOCALES:
        raise GenerationError(f"unknown locale {locale!r}", hint=f"use one of {', '.join(LOCALES)}")
    raw = _load(f"words-{locale}.json")
    vocabulary = tuple(raw["words"])
    table = tuple(
        itertools.chain.from_iterable(itertools.repeat(w, n) for w, n in zip(vocabulary, raw["zipf"], strict=True))
    )
    return Words(locale, raw["separator"], raw["terminator"], vocabulary, table)


@dataclass(frozen=True, slots=True)
class Distributions:
    """Quantile tables (1,024 integers, ascending) of the heavy-tailed numbers."""

    view_count: tuple[int, ...]


@functools.cache
def distributions() -> Distributions:
    """The shipped quantile tables."""
    raw = _load("distributions.json")
    return Distributions(view_count=tuple(raw["view_count"]))
