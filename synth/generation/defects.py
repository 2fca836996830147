"""The labelled invalid corpus: deterministic defects, each found by exactly one rule code.

``synth generate --invalid-rate R --truth truth.jsonl`` breaks each post with probability R,
decided by its own random stream (so the choice is a pure function of seed and index), in one
of the ways listed in :data:`KINDS`. Every way triggers exactly one finding with a known code,
and the truth file lists them: ``{"line": n, "code": "C001", "kind": "topic-mismatch"}``.

To keep every other post clean, links (``similar_posts``) to broken posts are dropped, and a
post changed for a consistency defect gets its hash recomputed, so that only the intended
rule fires.

The defects are made in Python whatever the engine: the posts come from either engine
(:mod:`synth.generation.engines`) as bytes, a clean post whose links all stay is written as it
came, and any other is decoded (``orjson.loads``, the same dict as the reference's
``batch_dicts``), changed and sealed again. So the bytes and the truth file are the same with
either engine. The one defect that needs a plan of another post (``duplicate-content``: post
*i* with the text of an earlier post's plan) is always built by the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from synth.generation import engines
from synth.generation.assemble import build
from synth.generation.plan import loaded, plan_batch
from synth.generation.request import SIMILAR_WINDOW, post_id
from synth.generation.rng import draws, seed_key
from synth.generation.streams import DEFECTS
from synth.schema.constants import ZERO_HASH
from synth.schema.hash import seal

__all__ = [
    "KINDS",
    "PARSE_DEFECTS",
    "Defect",
    "DefectiveChunks",
    "consistency_defect",
    "defective_chunk",
    "is_defective",
    "sample",
    "schema_defect",
]

LONG_LINE: Final = (1 << 20) + 1


@dataclass(frozen=True, slots=True)
class Defect:
    """One way to break a post: its kind, the code the validator must report, when it applies."""

    kind: str
    code: str
    needs: str = ""  # "images", "earlier" (a clean earlier post), "last" (the final post only)


KINDS: Final = (
    Defect("missing-colon", "P001"),
    Defect("invalid-utf8-byte", "P002"),
    Defect("blank-line-before", "P003"),
    Defect("truncated-last-line", "P004", "last"),
    Defect("oversized-line", "P005"),
    Defect("deep-nesting", "P006"),
    Defect("nan-number", "P007"),
    Defect("duplicate-key", "P008"),
    Defect("missing-summary", "S001"),
    Defect("unknown-field", "S002"),
    Defect("view-count-as-string", "S003"),
    Defect("score-above-100", "S004"),
    Defect("not-hex-hash", "S005"),
    Defect("unknown-difficulty", "S006"),
    Defect("empty-checklist-section", "S007"),
    Defect("duplicate-tool", "S008"),
    Defect("impossible-date", "S009"),
    Defect("unknown-section-kind", "S010"),
    Defect("topic-mismatch", "C001"),
    Defect("context-mismatch", "C002"),
    Defect("checklist-mismatch", "C003"),
    Defect("paragraph-count", "C004"),
    Defect("has-images-flipped", "C005", "images"),
    Defect("image-heavy-flipped", "C006"),
    Defect("image-block-caption", "C007", "images"),
    Defect("source-id-number", "C008"),
    Defect("reference-number", "C009"),
    Defect("image-url-number", "C010", "images"),
    Defect("payload-seed", "C011"),
    Defect("code-language", "C012"),
    Defect("area-entity-missing", "C013"),
    Defect("wrong-hash", "C014"),
    Defect("review-in-future", "C015"),
    Defect("similar-to-itself", "C016"),
    Defect("title-without-problem", "C017"),
    Defect("caption-format", "C018", "images"),
    Defect("duplicate-post", "R001", "earlier"),
    Defect("duplicate-content", "R002", "earlier"),
    Defect("dangling-link", "R003"),
)


@dataclass(slots=True)
class _Request:
    seed: int
    locale: str
    rate: float
    last: int  # index of the corpus's final post
    engine: engines.Resolved = "python"
    window: range = range(0)  # indices whose verdicts are cached in ``broken``
    broken: list[bool] = field(default_factory=list)

    def remember(self, window: range) -> None:
        """Decide whether each post of ``window`` is broken, in one vectorised draw."""
        self.window, self.broken = (
            window,
            [_broken_row(row, self) for row in _decisions(window.start, len(window), self)],
        )


def _decisions(first: int, count: int, request: _Request) -> list[list[int]]:
    rows: list[list[int]] = draws(seed_key(request.seed), first, count, DEFECTS.id, DEFECTS.draws).tolist()
    return rows


def _kind(index: int, row: list[int], request: _Request) -> Defect | None:
    """The defect of post ``index`` (None when it stays clean).

    A drawn kind that cannot apply to the post falls through to the next kind in
    :data:`KINDS` that can; the fall-through never reaches the blank line, so whether a post
    is broken is known without making it.
    """
    if row[0] >= request.rate * 2**32:
        return None
    at = row[1] * len(KINDS) >> 32
    while not _applies(KINDS[at], index, request):
        at += 1
    return KINDS[at]


def _broken_row(row: list[int], request: _Request) -> bool:
    return row[0] < request.rate * 2**32 and KINDS[row[1] * len(KINDS) >> 32].code != "P003"


def is_defective(index: int, request: _Request) -> bool:
    """Whether post ``index`` itself is broken (a blank line before it leaves it intact).

    The drawn kind decides it: a blank line is always applicable, and no fall-through ends on one.
    """
    if index in request.window:
        return request.broken[index - request.window.start]
    return _broken_row(_decisions(index, 1, request)[0], request)


def _applies(defect: Defect, index: int, request: _Request) -> bool:
    if defect.needs == "last":
        return index == request.last
    if defect.needs == "images":
        return _image_count(index, request) > 0
    if defect.needs == "earlier":
        return _clean_earlier(index, request) is not None
    return True


def _image_count(index: int, request: _Request) -> int:
    return engines.images(index, seed=request.seed, locale=request.locale, engine=request.engine)


def _clean_earlier(index: int, request: _Request) -> int | None:
    """The nearest earlier post that is not broken (at most 50 back), or None."""
    for j in range(index - 1, max(-1, index - 51), -1):
        if not is_defective(j, request):
            return j
    return None


def _clean(post: dict[str, Any], request: _Request) -> dict[str, Any]:
    """Drop links to broken posts (the hash is recomputed when sealed)."""
    post["similar_posts"] = [
        s for s in post["similar_posts"] if not is_defective(int(s.removeprefix("alphanode-")), request)
    ]
    return post


def _links_stay(post: dict[str, Any], request: _Request) -> bool:
    """Whether no link of ``post`` points to a broken post."""
    return not any(is_defective(int(s.removeprefix("alphanode-")), request) for s in post["similar_posts"])


def _post(index: int, request: _Request) -> dict[str, Any]:
    return _clean(
        engines.batch_dicts(index, 1, seed=request.seed, locale=request.locale, engine=request.engine)[0], request
    )


# ---- the mutations: post dict in, output lines out ----


def _around(line: bytes, key: bytes, value: bytes, end: bytes) -> bytes:
    """``line`` with the raw value after ``key`` (up to ``end``) replaced by ``value``."""
    start = line.index(key) + len(key)
    stop = line.index(end, start) + (1 if end == b"]" else 0)
    return line[:start] + value + line[stop:]


def _duplicate_title(line: bytes) -> bytes:
    title = line[line.index(b'"title":') : line.index(b',"intro":')]
    return line.replace(b"{", b"{" + title + b",", 1)


PARSE_DEFECTS: Final[dict[str, Callable[[bytes], list[bytes]]]] = {
    "missing-colon": lambda line: [line.replace(b'"title":', b'"title" ', 1)],
    "invalid-utf8-byte": lambda line: [line.replace(b'"title":"', b'"title":"\xff', 1)],
    "blank-line-before": lambda line: [b"", line],
    "truncated-last-line": lambda line: [line[: len(line) // 2]],
    "oversized-line": lambda line: [line + b" " * (LONG_LINE - len(line))],
    "deep-nesting": lambda line: [_around(line, b'"notes":', b"[" * 100 + b"]" * 100, b"]")],
    "nan-number": lambda line: [_around(line, b'"view_count":', b"NaN", b",")],
    "duplicate-key": lambda line: [_duplicate_title(line)],
}


def schema_defect(kind: str, post: dict[str, Any]) -> None:
    meta = post["meta"]
    if kind == "missing-summary":
        del meta["summary"]
    elif kind == "unknown-field":
        meta["editor_note"] = "added by a sloppy exporter"
    elif kind == "view-count-as-string":
        meta["view_count"] = str(meta["view_count"])
    elif kind == "score-above-100":
        meta["score"]["quality"] = 100 + meta["score"]["depth"] % 50 + 1
    elif kind == "not-hex-hash":
        meta["hash"] = "G" + meta["hash"][1:]
    elif kind == "unknown-difficulty":
        meta["difficulty"] = "medium"
    elif kind == "empty-checklist-section":
        post["sections"][1]["items"] = []
    elif kind == "duplicate-tool":
        meta["tools"].append(meta["tools"][0])
    elif kind == "impossible-date":
        meta["revision"]["last_reviewed"] = meta["revision"]["last_reviewed"][:5] + "02-30"
    elif kind == "unknown-section-kind":
        post["sections"][1]["kind"] = "bullets"
    else:  # pragma: no cover
        raise AssertionError(kind)


def consistency_defect(kind: str, post: dict[str, Any], index: int) -> None:
    meta = post["meta"]
    outline, payload = meta["ai_outline"], meta["payload"]
    other = f"{index + 1:06d}"  # the next post's number
    edits: dict[str, Callable[[], None]] = {
        "topic-mismatch": lambda: meta.update(topic=f"{outline['problem']} in {outline['stack']}"),
        "context-mismatch": lambda: outline.update(context=f"{outline['context']} and beyond"),
        "checklist-mismatch": lambda: meta.update(checklist=meta["checklist"][:-1]),
        "paragraph-count": lambda: payload.update(paragraphs=payload["paragraphs"] + 1),
        "has-images-flipped": lambda: meta["flags"].update(has_images=not meta["flags"]["has_images"]),
        "image-heavy-flipped": lambda: meta["flags"].update(image_heavy=not meta["flags"]["image_heavy"]),
        "image-block-caption": lambda: post["images"][0].update(caption=post["images"][0]["caption"] + " (crop)"),
        "source-id-number": lambda: payload.update(source_id=post_id(index + 1)),
        "reference-number": lambda: meta.update(reference=f"anp-ref-{other}-{meta['reference'][-4:]}"),
        "image-url-number": lambda: meta["image_sources"][0].update(
            url=f"https://picsum.photos/seed/anp-{other}/1200/630"
        ),
        "payload-seed": lambda: payload.update(seed=index + 1),
        "code-language": lambda: meta.update(code_language="fortran77"),
        "area-entity-missing": lambda: meta.update(entities=[e for e in meta["entities"] if e["type"] != "area"]),
        "review-in-future": lambda: meta["revision"].update(last_reviewed="2099-12-31"),
        "similar-to-itself": lambda: post["similar_posts"].append(post["id"]),
        "title-without-problem": lambda: post.update(title=f"Field notes for {outline['stack']}"),
        "caption-format": lambda: _recaption(post),
    }
    edits[kind]()


def _recaption(post: dict[str, Any]) -> None:
    caption = f"{post['meta']['ai_outline']['problem']} illustrated"
    post["images"][0]["caption"] = caption
    post["meta"]["image_sources"][0]["caption"] = caption


def _broken_lines(index: int, defect: Defect, request: _Request, post: dict[str, Any]) -> list[bytes]:
    """The output lines of post ``index`` (``post``, links cleaned) broken by ``defect``."""
    layer = defect.code[0]
    if defect.code in {"R001", "R002"}:
        source = _clean_earlier(index, request)
        assert source is not None  # _applies made sure  # noqa: S101
        if defect.code == "R001":
            return [seal(_post(source, request))]
        v = loaded(request.locale)
        twin = _clean(build(index, plan_batch(request.seed, source, 1, v)[0], v), request)
        return [seal(twin)]
    if layer == "P":
        return PARSE_DEFECTS[defect.kind](seal(post))
    if layer == "S":
        schema_defect(defect.kind, post)
        return [orjson.dumps(post)]
    if defect.code == "R003":
        post["similar_posts"] = [post_id(request.last + 1 + index)]
    elif defect.code == "C014":
        seal(post)
        post["meta"]["hash"] = "f" * 24 if post["meta"]["hash"] != "f" * 24 else "e" * 24
        return [orjson.dumps(post)]
    else:
        consistency_defect(defect.kind, post, index)
    return [seal(post)]


def defective_chunk(
    first: int, last: int, seed: int, locale: str, rate: float, final: int, engine: engines.Engine = "auto"
) -> tuple[bytes, list[tuple[int, str, str]]]:
    """Posts ``first .. last - 1`` with their defects: the bytes, and (line within chunk, code, kind) per defect."""
    request = _Request(seed, locale, rate, final, engines.resolve(engine))
    request.remember(range(max(0, first - SIMILAR_WINDOW - 60), last))
    lines = engines.batch_json(first, last - first, seed=seed, locale=locale, engine=request.engine)
    out: list[bytes] = []
    truth: list[tuple[int, str, str]] = []
    for index, row, line in zip(range(first, last), _decisions(first, last - first, request), lines, strict=True):
        defect = _kind(index, row, request)
        post = orjson.loads(line)
        if defect is None:
            out.append((line if _links_stay(post, request) else seal(_clean(post, request))) + b"\n")
            continue
        post["meta"]["hash"] = ZERO_HASH  # the dict of the reference's batch_dicts
        lines_of = _broken_lines(index, defect, request, _clean(post, request))
        truth.append((len(out), defect.code, defect.kind))
        out += [broken + b"\n" for broken in lines_of]
        if defect.code == "P004":
            out[-1] = out[-1][:-1]
    return b"".join(out), truth


@dataclass(frozen=True, slots=True)
class DefectiveChunks:
    """A :class:`~synth.generation.corpus.ChunkMaker` for the labelled invalid corpus (picklable).

    Its defects are made in Python, which holds the GIL: its chunks are made in processes.
    """

    seed: int
    locale: str
    rate: float
    final: int  # the corpus's last index (the truncated-last-line defect goes there only)
    engine: engines.Resolved = "python"

    @property
    def threaded(self) -> bool:
        return False

    def __call__(self, first: int, last: int) -> tuple[bytes, list[tuple[int, str, str]]]:
        return defective_chunk(first, last, self.seed, self.locale, self.rate, self.final, self.engine)


def sample(
    defect: Defect, *, seed: int = 0, locale: str = "en_US", engine: engines.Engine = "auto"
) -> tuple[bytes, int]:
    """A three-post corpus whose third post is broken by ``defect``: (file bytes, the defect's line)."""
    request = _Request(seed, locale, 0.0, 2, engines.resolve(engine))
    clean = engines.batch_json(0, 2, seed=seed, locale=locale, engine=request.engine)
    post = engines.batch_dicts(2, 1, seed=seed, locale=locale, engine=request.engine)[0]
    data = b"".join(line + b"\n" for line in clean + _broken_lines(2, defect, request, post))
    return (data[:-1] if defect.code == "P004" else data), 3
