"""The shipped vocabulary: loads fast, is what the pinned Faker builds, and is sound."""

from __future__ import annotations

import itertools
import json
import re

import faker
import pytest

from synth.errors import GenerationError
from synth.generation import vocab
from synth.generation.vocab.build import DATA, LOCALES, distributions, locale_words

PINNED_FAKER = "40.63.0"


@pytest.mark.skipif(faker.VERSION != PINNED_FAKER, reason=f"the shipped words were built with Faker {PINNED_FAKER}")
@pytest.mark.parametrize("locale", list(LOCALES))
def test_shipped_words_are_what_the_builder_makes(locale: str) -> None:
    shipped = json.loads((DATA / f"words-{locale}.json").read_text(encoding="utf-8"))
    assert shipped == locale_words(locale), (
        "run `python -m synth.generation.vocab.build` with the pinned Faker and commit"
    )


def test_shipped_distributions_are_what_the_builder_makes() -> None:
    assert json.loads((DATA / "distributions.json").read_text(encoding="utf-8")) == distributions()


@pytest.mark.parametrize("locale", vocab.LOCALES)
def test_zipf_tables_fill_the_table_and_rank_words(locale: str) -> None:
    words = vocab.words(locale)
    assert len(words.table) == 1 << 16
    assert set(words.table) == set(words.vocabulary)
    counts = [words.table.count(w) for w in words.vocabulary[:50]]
    assert counts == sorted(counts, reverse=True)


def test_topic_pools_are_large_and_consistent() -> None:
    topics = vocab.topics()
    assert len(topics.stacks) >= 150 and len(topics.problems) >= 20_000
    assert len({s.name for s in topics.stacks}) == len(topics.stacks)
    for stack in topics.stacks:
        assert len({stack.name, stack.area, stack.language}) == 3
    assert topics.notes[:3] == (
        "sanitized array meta is expected to render as a list in the frontend box",
        "view count is synthetic and only used for testing meta volume",
        "content is generated for import/load testing and should be reviewed before indexing",
    )


def test_view_count_quantiles_ascend() -> None:
    table = vocab.distributions().view_count
    assert list(table) == sorted(table) and len(table) == 1024


def test_unknown_locale() -> None:
    with pytest.raises(GenerationError, match="unknown locale 'xx'"):
        vocab.words("xx")


def _format_map_expansion(patterns: list[str], slots: dict[str, list[str]]) -> tuple[str, ...]:
    """The plain definition: every combination through ``format_map``, first occurrence first."""
    out: dict[str, None] = {}
    for pattern in patterns:
        names = re.findall(r"\{(\w+)\}", pattern)
        for values in itertools.product(*(slots[n] for n in names)):
            out.setdefault(pattern.format_map(dict(zip(names, values, strict=True))), None)
    return tuple(out)


def test_problem_expansion_is_the_format_map_definition() -> None:
    raw = json.loads((DATA / "topics.json").read_text(encoding="utf-8"))
    patterns, slots = raw["problem_patterns"], raw["problem_slots"]
    assert vocab.expand_problems(patterns, slots) == _format_map_expansion(patterns, slots)
    tricky = ["{a} and {a}", "{a}{b}{a}", "plain", "{b} }} {{ {a}", "{b}"]
    values = {"a": ["1", "2", "1"], "b": ["p", "q", "p"]}
    assert vocab.expand_problems(tricky, values) == _format_map_expansion(tricky, values)
