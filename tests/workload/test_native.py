"""The native workload scan against the Python reference: the same tokens, the same answers.

The Python tokenizer (:mod:`synth.workload.tokens`) and scan stay the reference; the native one
(:mod:`synth.workload.native`) must give the same tokens for every text it decides (and declines
the others), and the same answers and safety marks for every query.
"""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth.generation import vocab
from synth.generation.assemble import batch_dicts
from synth.workload import native
from synth.workload import tokens as tok
from synth.workload.scan import pieces
from synth.workload.workload import queries
from tests.conftest import SHARED, first_then_slow

pytestmark = pytest.mark.skipif(not native.available(), reason="synth._native is not built with the workload scan")


def _disagreement(text: str) -> str | None:
    """Why the native tokenizer disagrees with the reference on ``text`` (None: it agrees or declines)."""
    got = native.tokenize(text)
    if got is None:
        return None
    tokens, dirty, hyphen = got
    want = tok.tokenize(text)
    taint = frozenset().union(*(tok.taints(s) for s in dirty))
    if (tokens, taint, frozenset(hyphen)) != (want.tokens, want.taint, want.hyphen):
        return f"{text!r}: native {tokens, sorted(taint), sorted(hyphen)} != python {want}"
    return None


def _check(texts: list[str]) -> int:
    """Asserts agreement on every text; returns how many the native tokenizer decided."""
    problems = [why for text in texts if (why := _disagreement(text))]
    assert problems == [], "\n".join(problems[:20])
    return sum(native.tokenize(t) is not None for t in texts)


@pytest.mark.parametrize("locale", vocab.LOCALES)
def test_every_locale_tokenizes_the_same(locale: str) -> None:
    texts = [text for post in batch_dicts(0, 40, seed=3, locale=locale) for text in pieces(post)]
    assert _check(texts) == len(texts)  # generated texts are all decided natively


def test_vocabulary_words_and_templates() -> None:
    t = vocab.topics()
    words = [w for locale in vocab.LOCALES for w in vocab.words(locale).vocabulary]
    texts = [*t.title_templates, *t.intro_templates, *t.check_paragraphs, *t.checklist_items, *t.notes]
    _check(texts + [f"({w}{w}) x-{w} {w}. y" for w in sorted(set(words))])


def test_naughty_strings() -> None:
    naughty = orjson.loads((SHARED / "corpora" / "naughty-strings" / "blns.json").read_bytes())
    texts = [s for s in naughty if "\x00" not in s]
    _check(texts + [f"alpha {s} omega" for s in texts] + [f"<{s}>" for s in texts])


@pytest.mark.slow
def test_every_character_in_every_position() -> None:
    chars = [chr(c) for c in range(1, 0x10000) if not 0xD800 <= c <= 0xDFFF] + ["\U00020000", "\U0001f600"]
    _check([ctx.format(c=c) for c in chars for ctx in ("a{c}b", "ab{c}", "{c} x-y.", "x.{c}")])


_ALPHABET = st.sampled_from(
    [*"aZ09 .:-_<>!,()\t\n", "ß", "漢", "。", "\u3000", "é", "\u0301", "كلمة", "-", "\u00a0", "\x1c"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_drawn_texts(text: str) -> None:
    assert _disagreement(text) is None


@pytest.mark.parametrize("locale", first_then_slow("ja_JP", "en_US", "zh_CN", "ar_AA", "de_DE"))
def test_the_same_workload_either_engine(locale: str) -> None:
    python = queries(count=1200, seed=5, locale=locale, size=400, engine="python")
    fast = queries(count=1200, seed=5, locale=locale, size=400, engine="native")
    assert [q.as_dict() for q in fast] == [q.as_dict() for q in python]


def test_declined_posts_are_read_by_python() -> None:
    """Posts the native reader declines (a non-string keyword, a text it cannot decide) keep their answers."""
    posts = batch_dicts(0, 300, seed=2)
    posts[3]["title"] = "<é> odd"
    posts[5]["meta"]["difficulty"] = 3
    lines = [orjson.dumps(p) for p in posts]
    python = queries(posts, size=200, engine="python")
    fast = queries(lines, size=200, engine="native")
    assert [q.as_dict() for q in fast] == [q.as_dict() for q in python]


def test_every_spelling_of_a_line_gives_the_python_answers() -> None:
    """The native reader borrows unescaped strings and skips what it does not search: lines with
    every non-ASCII character escaped, with the keys in reverse order, with a section's list null
    (Python's ``or`` takes the other list), with a repeated top-level key (the last one counts)."""
    posts = batch_dicts(0, 400, seed=4, locale="fr_FR")
    lines = []
    for k, post in enumerate(posts):
        if k % 4 == 0:
            lines.append(json.dumps(post, ensure_ascii=True).encode())
        elif k % 4 == 1:
            lines.append(orjson.dumps(dict(reversed(post.items()))))
        elif k % 4 == 2:
            post["sections"][0] = {**post["sections"][0], "items": None}
            lines.append(orjson.dumps(post))
        else:
            lines.append(b'{"title": "replaced below",' + orjson.dumps(post)[1:])
    python = queries([orjson.loads(line) for line in lines], size=300, engine="python")
    fast = queries(lines, size=300, engine="native")
    assert [q.as_dict() for q in fast] == [q.as_dict() for q in python]
