"""Hypothesis strategies for alphanode posts: valid posts built from shrinkable parts, and
invalid ones labelled with the one rule code they break.

Import this module only where hypothesis is installed (it is a test dependency, not a
runtime one); nothing else in :mod:`synth` imports it::

    from hypothesis import given
    from synth.testing.strategies import invalid_posts, posts

    @given(posts(images=(0, 0)))
    def test_import_without_images(post): ...

    @given(invalid_posts())
    def test_rejects(case):
        post, code = case
        ...

:func:`posts` draws every part of a post on its own (the number, the stack, the problem, the
scenario, the templates, the free text, the checklist, the numbers...) and assembles them the
way :func:`synth.generation.assemble._build` does, so every consistency rule holds by construction, and
hypothesis shrinks a failing post towards post 0 on the first stack, problem, scenario and
templates, with the fewest paragraphs, checklist items and images the bounds allow. The
content hash is filled in last (:func:`synth.schema.hash.seal`).

:func:`invalid_posts` breaks a valid post in the way :mod:`synth.generation.defects` breaks it for the
labelled invalid corpus (one way per code, the same mutation functions), so exactly one code
fires. It covers :data:`INVALID_CODES`: P001-P003 and P006-P008 (raw JSON lines), S001-S010
and C001-C018 (post dicts). Not covered: P004 (only the last line of a file can be cut off;
:func:`synth.validate.check_record` needs ``last=True`` to tell it from P001), P005 and P009
(decided by the file reader from the size of a line or document, never by ``check_record``;
an example would take a mebibyte), S099 (reserved: nothing produces it) and the W codes
(repairs in ``--sanitize`` mode, not errors). The corpus codes R001-R003 need several posts:
:func:`invalid_corpora` draws a short list of lines with the one expected (line, code).
"""

from __future__ import annotations

import copy
import datetime as _dt
import functools
from dataclasses import dataclass
from typing import Any, Final, NamedTuple, get_args

import orjson
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from synth.generation.assemble import GENERATOR, MAX_INDEX, SIMILAR_WINDOW, image_blocks, post_id, reading_time
from synth.generation.defects import KINDS, PARSE_DEFECTS, Defect, consistency_defect, schema_defect
from synth.generation.plan import EPOCH
from synth.generation.vocab import LOCALES, Stack, Words, topics, words
from synth.schema.constants import SCHEMA_VERSION, ZERO_HASH
from synth.schema.hash import seal
from synth.schema.model import WHITESPACE_CHARS, Meta, Revision

__all__ = ["CORPUS_CODES", "DIFFICULTIES", "INVALID_CODES", "STATUSES", "invalid_corpora", "invalid_posts", "posts"]

DIFFICULTIES: Final[tuple[str, ...]] = get_args(Meta.model_fields["difficulty"].annotation)
STATUSES: Final[tuple[str, ...]] = get_args(Revision.model_fields["status"].annotation)
# en_US first, so that a drawn locale shrinks to it.
_LOCALE: Final = st.sampled_from(("en_US", *(locale for locale in LOCALES if locale != "en_US")))
_REVIEWED: Final = (EPOCH - _dt.timedelta(days=8 * 365 - 1), EPOCH)  # as the generator: up to 8 years back
_MAX_VERSION_PART: Final = 999_999  # synth.schema.model.VERSION_PATTERN: up to six digits
_MAX_VIEWS: Final = 10**9
_MAX_SIMILAR: Final = 5

_LINE_CODES: Final = ("P001", "P002", "P003", "P006", "P007", "P008")
INVALID_CODES: Final = (*_LINE_CODES, *(d.code for d in KINDS if d.code[0] in "SC"))
CORPUS_CODES: Final = ("R001", "R002", "R003")
_DEFECTS: Final = {d.code: d for d in KINDS}

# Characters of free text the model allows anywhere in a word: none of the model's white space
# (so no line breaks; U+FEFF is a format character, excluded by name), no NUL or other control
# characters, no lone surrogates (not UTF-8).
_VISIBLE: Final = st.characters(exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), exclude_characters=WHITESPACE_CHARS)


@dataclass(frozen=True, slots=True)
class _Spec:
    """The parameters of :func:`posts`, checked (hashable: strategies made from it are cached)."""

    locale: str | None
    index: tuple[int, int]
    images: tuple[int, int]
    paragraphs: tuple[int, int]
    checklist: tuple[int, int]
    similar: bool
    free_text: bool
    unicode_text: bool


class _Subject(NamedTuple):
    """What a post is about; everything else is filled in from it."""

    post_number: int
    stack: Stack
    problem: str
    scenario: str
    tools: list[str]

    @property
    def number(self) -> str:
        return f"{self.post_number:06d}"

    @property
    def fill(self) -> dict[str, str]:
        """The template slots, as the generator fills them."""
        return {"problem": self.problem, "stack": self.stack.name, "scenario": self.scenario, "tool": self.tools[0]}


Pieces = list[tuple[str, list[str]]]  # paragraph templates (unfilled) with their free-text sentences


class _Draft(NamedTuple):
    """The body before its templates are filled in."""

    checks: Pieces
    items: list[str]
    finals: Pieces


class _Body(NamedTuple):
    checks: list[str]
    items: list[str]
    finals: list[str]


def posts(
    *,
    locale: str | None = None,
    images: tuple[int, int] = (0, 5),
    paragraphs: tuple[int, int] = (2, 7),
    similar: bool = True,
    index: tuple[int, int] = (0, MAX_INDEX),
    checklist: tuple[int, int] = (3, 8),
    free_text: bool = True,
    unicode_text: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid posts as dicts in schema key order (the JSON shape of :func:`synth.generation.assemble.post_dict`).

    * ``locale``: the vocabulary of the free text (one of :data:`synth.generation.vocab.LOCALES`); None
      draws it too (shrinking to en_US).
    * ``images``, ``paragraphs``, ``checklist``: inclusive bounds of the number of images
      (0-20), production-check paragraphs (1-50; a final-notes section of 1 or 2 follows) and
      checklist items (1-30).
    * ``similar``: draw ``similar_posts`` (up to five ids of earlier posts); False leaves it empty.
    * ``index``: inclusive bounds of the post number (the digits of the id).
    * ``free_text``: paragraphs may end in up to two sentences of words of the locale.
    * ``unicode_text``: those sentences may instead be arbitrary text the model allows
      (any printable characters, no line breaks, no NUL, no edge white space).
    """
    if locale is not None and locale not in LOCALES:
        raise InvalidArgument(f"unknown locale {locale!r}; use one of {', '.join(LOCALES)} or None")
    spec = _Spec(
        locale,
        index=_bounds("index", index, 0, MAX_INDEX),
        images=_bounds("images", images, 0, 20),
        paragraphs=_bounds("paragraphs", paragraphs, 1, 50),
        checklist=_bounds("checklist", checklist, 1, 30),
        similar=similar,
        free_text=free_text,
        unicode_text=unicode_text,
    )
    return _post(spec)


def _bounds(name: str, bounds: tuple[int, int], low: int, high: int) -> tuple[int, int]:
    """``bounds`` as a tuple, checked: ``low <= min <= max <= high``."""
    if len(bounds) != 2 or not low <= bounds[0] <= bounds[1] <= high:
        raise InvalidArgument(f"{name}={bounds!r}: expected (min, max) with {low} <= min <= max <= {high}")
    return (bounds[0], bounds[1])


@functools.cache
def _pool(name: str) -> st.SearchStrategy[Any]:
    """``sampled_from`` a pool of :func:`synth.generation.vocab.topics`, made once.

    Hypothesis labels a ``sampled_from`` by its elements; remade for every post, the 22,228
    problems would cost more than the rest of the post.
    """
    return st.sampled_from(getattr(topics(), name))


@st.composite
def _post(draw: st.DrawFn, spec: _Spec) -> dict[str, Any]:
    subject = draw(_subject(spec.index))
    body = _filled(draw(_draft(spec, spec.locale or draw(_LOCALE))), subject.fill)
    images, sources = _images(subject, draw(st.integers(*spec.images)))
    title = draw(_pool("title_templates")).format_map(subject.fill)
    intro = draw(_pool("intro_templates")).format_map(subject.fill)
    post = {
        "schema_version": SCHEMA_VERSION,
        "id": post_id(int(subject.number)),
        "title": title,
        "intro": intro,
        "images": images,
        "sections": [
            {"kind": "paragraphs", "heading": "production checks", "paragraphs": body.checks},
            {"kind": "checklist", "heading": "implementation checklist", "items": body.items},
            {"kind": "paragraphs", "heading": "final notes", "paragraphs": body.finals},
        ],
        "meta": draw(_meta(subject, body, sources, _reading_time(title, intro, body))),
        "similar_posts": draw(_similar(subject.post_number)) if spec.similar else [],
    }
    seal(post)
    return post


@st.composite
def _subject(draw: st.DrawFn, index: tuple[int, int]) -> _Subject:
    number = draw(st.integers(*index))
    stack: Stack = draw(_pool("stacks"))
    problem, scenario = draw(_pool("problems")), draw(_pool("scenarios"))
    return _Subject(number, stack, problem, scenario, draw(_tools(stack)))


@functools.cache
def _tools(stack: Stack) -> st.SearchStrategy[list[str]]:
    """1-6 of the stack's own tools, then up to 3 generic ones it does not have."""
    own = st.lists(st.sampled_from(stack.tools), min_size=1, max_size=6, unique=True)
    generic = st.lists(_pool("generic_tools"), max_size=3, unique=True)
    return st.builds(lambda o, g: o + [x for x in g if x not in o], own, generic)


@functools.cache
def _draft(spec: _Spec, locale: str) -> st.SearchStrategy[_Draft]:
    sentences = _sentences(spec, words(locale))
    low, high = spec.checklist
    return st.builds(
        _Draft,
        _pieces("check_paragraphs", spec.paragraphs, sentences),
        st.lists(_pool("checklist_items"), min_size=low, max_size=high, unique=True),
        _pieces("final_paragraphs", (1, 2), sentences),
    )


def _sentences(spec: _Spec, vocabulary: Words) -> st.SearchStrategy[list[str]]:
    """The free-text sentences that end a paragraph (none, one or two)."""
    kinds = []
    if spec.free_text:
        sep, end = vocabulary.separator, vocabulary.terminator
        words_ = st.lists(st.sampled_from(vocabulary.vocabulary), min_size=1, max_size=9)
        kinds.append(words_.map(lambda w: sep.join(w) + end))
    if spec.unicode_text:
        kinds.append(st.lists(st.text(_VISIBLE, min_size=1, max_size=12), min_size=1, max_size=8).map(" ".join))
    return st.lists(st.one_of(kinds), max_size=2) if kinds else st.just([])


def _pieces(pool: str, bounds: tuple[int, int], sentences: st.SearchStrategy[list[str]]) -> st.SearchStrategy[Pieces]:
    """Distinct templates of ``pool``, each with its free-text sentences."""
    return st.lists(st.tuples(_pool(pool), sentences), min_size=bounds[0], max_size=bounds[1], unique_by=_first)


def _first(pair: tuple[str, list[str]]) -> str:
    return pair[0]


def _filled(draft: _Draft, fill: dict[str, str]) -> _Body:
    """The body with its templates filled in (the free text is not a template)."""

    def paragraphs(pieces: Pieces) -> list[str]:
        return [" ".join([template.format_map(fill), *extra]) for template, extra in pieces]

    return _Body(paragraphs(draft.checks), draft.items, paragraphs(draft.finals))


def _images(subject: _Subject, count: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Image blocks and image sources, as the generator makes them."""
    return image_blocks(count, subject.number, f"{subject.problem} with {subject.stack.name}")


def _reading_time(title: str, intro: str, body: _Body) -> int:
    """Minutes to read, counted as the generator counts them."""
    return reading_time(title, intro, list(body.checks), list(body.items), list(body.finals))


# Built with st.builds, not st.fixed_dictionaries: that does not keep key order, and the hash
# is defined on the keys in schema order.
_PERCENT: Final = st.integers(0, 100)
_SCORE: Final = st.builds(
    lambda *v: dict(zip(("quality", "freshness", "depth", "clarity"), v, strict=True)), *[_PERCENT] * 4
)
_VERSION_PART: Final = st.integers(0, _MAX_VERSION_PART)
_REVISION: Final = st.builds(
    lambda status, version, reviewed: {"status": status, "version": version, "last_reviewed": reviewed},
    st.sampled_from(STATUSES),
    st.builds("{}.{}.{}".format, _VERSION_PART, _VERSION_PART, _VERSION_PART),
    st.dates(*_REVIEWED).map(_dt.date.isoformat),
)


@st.composite
def _meta(draw: st.DrawFn, s: _Subject, body: _Body, sources: list[dict[str, str]], minutes: int) -> dict[str, Any]:
    stack = s.stack
    return {
        "topic": f"{s.problem} / {stack.name}",
        "summary": draw(_pool("summary_templates")).format_map(s.fill),
        "ai_outline": {
            "context": s.scenario,
            "problem": s.problem,
            "stack": stack.name,
            "recommended_action": draw(_pool("recommended_actions")),
        },
        "ai_brief": draw(_pool("brief_templates")),
        "stack": [stack.name, stack.area, stack.language],
        "tools": s.tools,
        "code_language": stack.language,
        "difficulty": draw(st.sampled_from(DIFFICULTIES)),
        "reading_time": minutes,
        "view_count": draw(st.integers(0, _MAX_VIEWS)),
        "score": draw(_SCORE),
        "revision": draw(_REVISION),
        "reference": f"anp-ref-{s.number}-{draw(st.integers(0, 9999)):04d}",
        "hash": ZERO_HASH,
        "flags": {
            "ai_generated_style": draw(st.booleans()),
            "has_images": bool(sources),
            "image_heavy": len(sources) >= 3,
            "needs_human_review": draw(st.booleans()),
        },
        "checklist": body.items,
        "entities": draw(_entities(s)),
        "image_sources": sources,
        "payload": {
            "source_id": post_id(int(s.number)),
            "generator": GENERATOR,
            "paragraphs": len(body.checks) + len(body.finals),
            "scenario": s.scenario,
            "seed": s.post_number,
        },
        "notes": draw(st.lists(_pool("notes"), max_size=5, unique=True)),
    }


@st.composite
def _entities(draw: st.DrawFn, s: _Subject) -> list[dict[str, str]]:
    """The stack, its area and the problem, then maybe the language and some tools."""
    named = [(s.stack.name, "stack"), (s.stack.area, "area"), (s.problem, "problem")]
    if draw(st.booleans()):
        named.append((s.stack.language, "language"))
    named += [(tool, "tool") for tool in draw(st.lists(st.sampled_from(s.tools), max_size=3, unique=True))]
    return [{"name": name, "type": kind} for name, kind in named]


def _similar(index: int) -> st.SearchStrategy[list[str]]:
    """Ids of distinct earlier posts (within the generator's window), never the post itself."""
    if index == 0:
        return st.just([])
    numbers = st.integers(max(0, index - SIMILAR_WINDOW), index - 1)
    return st.lists(numbers, max_size=min(_MAX_SIMILAR, index), unique=True).map(
        lambda found: [post_id(n) for n in found]
    )


# ---- invalid posts: one defect of synth.generation.defects each ----


def invalid_posts(code: str | None = None) -> st.SearchStrategy[tuple[dict[str, Any] | bytes, str]]:
    """``(post, code)``: a post that breaks exactly the rule ``code`` (one of :data:`INVALID_CODES`).

    The post is a dict for the schema and consistency codes (check it with
    :func:`synth.validate.validate_post`), and one raw JSON line (bytes, no newline) for the
    parse codes (check it with :func:`synth.validate.check_record`). ``code=None`` draws the
    code too.
    """
    if code is None:
        return st.one_of([invalid_posts(c) for c in INVALID_CODES])
    if code not in INVALID_CODES:
        raise InvalidArgument(f"invalid_posts cannot make {code!r}; it makes {', '.join(INVALID_CODES)}")
    defect = _DEFECTS[code]
    base = posts(images=(1, 5) if defect.needs == "images" else (0, 5))
    return base.map(lambda post: (_broken(defect, post), code))


def _broken(defect: Defect, post: dict[str, Any]) -> dict[str, Any] | bytes:
    """``post`` (sealed) broken by ``defect`` with the mutations of :mod:`synth.generation.defects`."""
    post = copy.deepcopy(post)
    if defect.code[0] == "P":
        return PARSE_DEFECTS[defect.kind](orjson.dumps(post))[0]
    if defect.code[0] == "S":
        schema_defect(defect.kind, post)
    elif defect.code == "C014":
        post["meta"]["hash"] = "f" * 24 if post["meta"]["hash"] != "f" * 24 else "e" * 24
    else:
        consistency_defect(defect.kind, post, post["meta"]["payload"]["seed"])
        seal(post)
    return post


# ---- invalid corpora: the corpus rules need more than one post ----

_CORPUS_INDEX: Final = (0, 999_999)


def invalid_corpora(code: str | None = None) -> st.SearchStrategy[tuple[list[bytes], tuple[int, str]]]:
    """``(lines, (line, code))``: 2-5 JSON lines of which exactly one breaks the corpus rule ``code``.

    ``code`` is one of :data:`CORPUS_CODES` (None draws it): R001 repeats a post, R002 repeats
    a post's title, intro and sections under a new id, R003 links a post to an absent id. The
    other posts are valid and link only to earlier posts of the list; ``line`` is 1-based.
    """
    if code is None:
        return st.one_of([invalid_corpora(c) for c in CORPUS_CODES])
    if code not in CORPUS_CODES:
        raise InvalidArgument(f"invalid_corpora cannot make {code!r}; it makes {', '.join(CORPUS_CODES)}")
    return _corpus(code)


@st.composite
def _corpus(draw: st.DrawFn, code: str) -> tuple[list[bytes], tuple[int, str]]:
    found = draw(_linked_posts())
    at = draw(st.integers(0, len(found) - 1))
    fresh = max(p["meta"]["payload"]["seed"] for p in found) + 1  # a number no post has
    if code == "R003":
        found[at]["similar_posts"].append(post_id(fresh))
        seal(found[at])
        line = at
    else:
        line = draw(st.integers(at + 1, len(found)))
        found.insert(line, copy.deepcopy(found[at]) if code == "R001" else _renumbered(found[at], fresh))
    return [orjson.dumps(post) for post in found], (line + 1, code)


@st.composite
def _linked_posts(draw: st.DrawFn) -> list[dict[str, Any]]:
    """2-4 valid posts with distinct ids and contents, in number order, linked to earlier ones only."""
    found = draw(
        st.lists(posts(index=_CORPUS_INDEX, similar=False), min_size=2, max_size=4, unique_by=(_post_id, _content))
    )
    found.sort(key=_post_id)
    for k, post in enumerate(found[1:], start=1):
        earlier = [p["id"] for p in found[:k]]
        post["similar_posts"] = draw(st.lists(st.sampled_from(earlier), max_size=_MAX_SIMILAR, unique=True))
        seal(post)
    return found


def _post_id(post: dict[str, Any]) -> str:
    return str(post["id"])


def _content(post: dict[str, Any]) -> bytes:
    """What the duplicate-content rule (R002) compares."""
    return orjson.dumps([post["title"], post["intro"], post["sections"]])


def _renumbered(post: dict[str, Any], index: int) -> dict[str, Any]:
    """A copy of ``post`` as post ``index``: same content, every number-bearing field changed."""
    twin = copy.deepcopy(post)
    meta, old, number = twin["meta"], twin["id"].removeprefix("alphanode-"), f"{index:06d}"
    twin["id"] = meta["payload"]["source_id"] = post_id(index)
    meta["payload"]["seed"] = index
    meta["reference"] = f"anp-ref-{number}-{meta['reference'][-4:]}"
    for source in meta["image_sources"]:
        source["url"] = source["url"].replace(f"/anp-{old}", f"/anp-{number}")
    seal(twin)
    return twin
