"""The tokenizer rule, checked against the real engines: SQLite FTS5 and PostgreSQL's ``simple`` configuration.

For every text, the rule must be sound on both engines (see :mod:`synth.workload.tokens`):

* every key it admits is a token of the text on both engines;
* every key-shaped token either engine makes of the text is admitted, or tainted;
* where it says the text is plain, both engines cut it into exactly its keys, at consecutive positions;
* a key, given as a query, is that one token on both engines.

Together these make a term query on an untainted key answer the same on both engines as the
scan's answer, whatever the corpus around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import orjson
import pytest

from synth.generation import vocab
from synth.generation.assemble import batch_dicts
from synth.workload import tokens as tok
from synth.workload.scan import pieces
from tests.conftest import shared_corpus
from tests.workload.engines import pg_lexemes, pg_query_lexemes, sqlite_tokens


def _problems(texts: list[str], conn: Any) -> list[tuple[str, str, list[str], list[str], list[tuple[int, str]]]]:
    found = []
    for text, sq, pg in zip(texts, sqlite_tokens(texts), pg_lexemes(conn, texts), strict=True):
        t = tok.tokenize(text)
        clean = [k for k in t.tokens if k != tok.DIRTY]
        usable = set(clean) - t.taint
        engine_keys = {k for k in set(sq) | {lex for _, lex in pg} if tok.is_key(k)}
        why = ""
        if not usable <= set(sq) or not usable <= {lex for _, lex in pg}:
            why = "an admitted key is not a token on both engines"
        elif engine_keys - set(clean) - t.taint:
            why = f"engine keys neither admitted nor tainted: {sorted(engine_keys - set(clean) - t.taint)}"
        elif (
            tok.DIRTY not in t.tokens
            and not t.hyphen
            and (sq != clean or [lex for _, lex in pg] != clean or [p for p, _ in pg] != list(range(1, len(pg) + 1)))
        ):
            why = "a plain text is cut differently"
        if why:
            found.append((why, text, t.tokens, sq, pg))
    return found


CONTEXTS = ("{w}", "x {w} y", "{w}.", "{w}。", "({w})", "{w}{w}", "{w}: z")


def _in_contexts(words: Iterable[str], contexts: tuple[str, ...]) -> list[str]:
    return [ctx.format(w=w) for w in words for ctx in contexts]


def _vocabulary_words() -> list[str]:
    words = [w for locale in vocab.LOCALES for w in vocab.words(locale).vocabulary]
    t = vocab.topics()
    words += [w for s in t.stacks for w in (s.name, s.area, s.language, *s.tools)]
    words += list(t.generic_tools)
    return sorted(set(words))


@pytest.fixture(scope="module")
def pg(postgres_server: str) -> Any:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(postgres_server, autocommit=True) as conn:
        yield conn


@pytest.mark.slow
def test_every_vocabulary_word_of_every_locale(pg: Any) -> None:
    texts = _in_contexts(_vocabulary_words(), ("{w}", "({w}{w}) x {w}. y"))
    assert len(texts) > 35_000
    assert _problems(texts, pg) == []


@pytest.mark.slow
def test_every_vocabulary_word_of_every_locale_in_every_context(pg: Any) -> None:
    assert _problems(_in_contexts(_vocabulary_words(), CONTEXTS), pg) == []


@pytest.mark.slow
def test_every_template_and_corpus_text_of_every_locale(pg: Any) -> None:
    t = vocab.topics()
    texts = [*t.title_templates, *t.intro_templates, *t.check_paragraphs, *t.final_paragraphs, *t.checklist_items,
             *t.summary_templates, *t.brief_templates, *t.recommended_actions, *t.notes, *t.scenarios, *t.problems[:5000]]  # fmt: skip
    for locale in vocab.LOCALES:
        for post in batch_dicts(0, 60, seed=11, locale=locale):
            texts += pieces(post)
    assert _problems(texts, pg) == []


def _clean_characters() -> list[str]:
    chars = [chr(c) for c in range(0x80, 0x10000) if re.fullmatch(f"[{tok.CLEAN}]", chr(c))]
    assert len(chars) > 30_000  # the Han, kana, Hangul, Arabic and Hebrew blocks
    return chars


@pytest.mark.slow
def test_every_clean_character_in_a_word(pg: Any) -> None:
    assert _problems([f"{c} x{c}y, {c}{c}1" for c in _clean_characters()], pg) == []


@pytest.mark.slow
def test_every_clean_character_alone_and_in_words(pg: Any) -> None:
    texts = [ctx.format(c=c) for c in _clean_characters() for ctx in ("x{c}y", "{c}", "{c}{c}1", "a {c}, b")]
    assert _problems(texts, pg) == []


def test_safe_punctuation_is_a_separator_in_every_position(pg: Any) -> None:
    contexts = ("ab{c}cd", "ab{c}12", "12{c}ab", "12{c}34", "ab {c}cd", "ab{c} cd", "{c}ab", "ab{c}", "ab{c}{c}cd",
                "漢字{c}かな", "كلمة{c}أخرى", "ab.{c} cd", "ab:{c}", "ab.{c}{c}")  # fmt: skip
    texts = [ctx.format(c=c) for c in tok.SAFE for ctx in contexts]
    assert _problems(texts, pg) == []


def test_naughty_strings(pg: Any) -> None:
    naughty = orjson.loads(shared_corpus("naughty-strings", "blns.json").read_bytes())
    texts = [s.replace("\x00", "") for s in naughty if s.strip()]
    texts += [f"alpha {s} omega" for s in texts]
    assert _problems(texts, pg) == []


def test_every_admitted_key_queries_as_itself(pg: Any) -> None:
    keys = sorted({k for w in _vocabulary_words() for k in tok.tokenize(w).tokens if k != tok.DIRTY})
    assert all(tok.is_key(k) for k in keys)
    assert pg_query_lexemes(pg, keys) == [[k] for k in keys]
    assert sqlite_tokens(keys) == [[k] for k in keys]


@pytest.mark.parametrize(
    ("text", "tokens", "taint", "hyphen"),
    [
        ("Run them in batches.", ["run", "them", "in", "batches"], set(), set()),
        ("use node.js here", ["use", tok.DIRTY, "here"], {"node", "js"}, set()),
        ("the on-call rota", ["the", "on", "call", "rota"], set(), {"on", "call"}),
        ("utf-8 and n+1", [tok.DIRTY, "and", tok.DIRTY], {"utf", "8", "n", "1"}, set()),
        ("Tür draußen", [tok.DIRTY, "draußen"], {"tür", "tur"}, set()),
        ("血まみれの改善。次", ["血まみれの改善", "次"], set(), set()),
        ("تزامناً كرسي", [tok.DIRTY, "كرسي"], {"تزامنا"}, set()),
        ("<b>bold</b> text", [tok.DIRTY], {"b", "bold", "text"}, set()),
        ("ab._ cd", [tok.DIRTY, "cd"], {"ab"}, set()),  # PostgreSQL reads "ab._" as one file token
        ("质量管理/测试经理(QA/QC经理", [tok.DIRTY], {"质量管理", "测试经理", "qa", "qc经理", "qc", "经理"}, set()),
    ],
)
def test_examples(text: str, tokens: list[str], taint: set[str], hyphen: set[str]) -> None:
    t = tok.tokenize(text)
    assert (t.tokens, set(t.taint) >= taint, set(t.hyphen)) == (tokens, True, hyphen)


def test_a_word_too_long_for_postgresql_is_dirty() -> None:
    assert tok.tokenize("a" * (tok.MAX_RUN + 1) + " b").tokens == [tok.DIRTY, "b"]
    assert tok.tokenize("a" * tok.MAX_RUN + " b").tokens == ["a" * tok.MAX_RUN, "b"]


def test_the_sentence_cache_tokenizes_alike() -> None:
    naughty = orjson.loads(shared_corpus("naughty-strings", "blns.json").read_bytes())
    texts = naughty + [f"a. {s}. b. {s}" for s in naughty] + ["x. . y", ". a", "a. ", "e.g. node.js. Next"]
    for locale in ("en_US", "ja_JP", "de_DE", "ar_AA"):
        for post in batch_dicts(0, 50, seed=2, locale=locale):
            texts += pieces(post)
    cache = tok.SentenceCache(lambda t: t, size=64)
    for text in texts:
        parts, whole = cache(text), tok.tokenize(text)
        assert [t for p in parts for t in p.tokens] == whole.tokens, text
        assert set().union(*(p.taint for p in parts)) == whole.taint, text
        assert set().union(*(p.hyphen for p in parts)) == whole.hyphen, text


def test_keys_of_a_query_string() -> None:
    assert tok.keys_of("Run, them: IN batches!") == ["run", "them", "in", "batches"]
    assert not tok.is_key("Run") and not tok.is_key("node.js") and tok.is_key("改善")
