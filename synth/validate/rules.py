"""The validator's rules: stable codes, one line each, and the semantic checks themselves.

Codes never change meaning; new rules take new codes. Layers:

* ``P`` parse: the bytes of a line or document are not one well-formed JSON value;
* ``S`` schema: what pydantic reports against :class:`synth.schema.model.Post` (every error);
* ``C`` consistency: cross-field rules a JSON Schema cannot say, run on schema-valid posts;
* ``R`` corpus: rules across every file of one run (duplicates, dangling links);
* ``M`` manifest: a partitioned corpus's parts against its ``manifest.json``;
* ``W`` warnings: repairs made in ``--sanitize`` mode (never an error).

``--select`` and ``--ignore`` take codes or prefixes (``C``, ``C01``, ``S004``), like ruff.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "RULES",
    "SEMANTIC_CHECKS",
    "Rule",
    "Selection",
    "schema_code",
]


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: its stable code, a short name and what it means."""

    code: str
    name: str
    summary: str

    @property
    def layer(self) -> str:
        layers = {"P": "parse", "S": "schema", "C": "consistency", "R": "corpus", "M": "manifest", "W": "warning"}
        return layers[self.code[0]]


RULES: Final[dict[str, Rule]] = {
    rule.code: rule
    for rule in (
        Rule("P001", "invalid-json", "the line or document is not valid JSON"),
        Rule("P002", "invalid-utf8", "not Unicode text: bytes that are not UTF-8, or a lone surrogate (\\ud800)"),
        Rule("P003", "empty-line", "a blank line in a JSON Lines file"),
        Rule("P004", "truncated-last-line", "cut off: an incomplete last line, or an array with no closing ]"),
        Rule("P005", "line-too-long", "a line or an array element is longer than --max-line-bytes"),
        Rule("P006", "nesting-too-deep", "arrays or objects nest deeper than --max-depth"),
        Rule("P007", "non-finite-number", "NaN, Infinity, or a number too large for a double (1e400)"),
        Rule("P008", "duplicate-key", "an object has the same key twice"),
        Rule("P009", "document-too-large", "a whole-file JSON object is larger than --max-document-bytes"),
        Rule("S001", "missing-field", "a required field is missing"),
        Rule("S002", "unknown-field", "a field the schema does not have"),
        Rule("S003", "wrong-type", "a value of the wrong JSON type (no coercion: '1' is not 1, 1 is not true)"),
        Rule("S004", "out-of-range", "a number outside its bounds"),
        Rule("S005", "pattern-mismatch", "a string that does not match its format (id, hash, version, url...)"),
        Rule("S006", "not-allowed-value", "a value outside a closed set (difficulty, status, entity type...)"),
        Rule("S007", "bad-length", "a string or list too short or too long"),
        Rule("S008", "duplicate-items", "a list that must hold distinct items repeats one"),
        Rule("S009", "invalid-date", "a YYYY-MM-DD string that is not a calendar date"),
        Rule("S010", "unknown-section-kind", "a section whose kind is neither paragraphs nor checklist"),
        Rule("S099", "schema-error", "a schema error of a kind not listed above (reserved; none is known)"),
        Rule("C001", "topic-mismatch", "meta.topic is not '<ai_outline.problem> / <ai_outline.stack>'"),
        Rule("C002", "context-mismatch", "ai_outline.context differs from payload.scenario"),
        Rule("C003", "checklist-mismatch", "meta.checklist differs from the items of the one checklist section"),
        Rule("C004", "paragraph-count", "payload.paragraphs differs from the paragraphs of the paragraph sections"),
        Rule("C005", "has-images-flag", "flags.has_images disagrees with image_sources"),
        Rule("C006", "image-heavy-flag", "flags.image_heavy disagrees with having three or more images"),
        Rule("C007", "image-blocks-mismatch", "image blocks and image_sources differ in number, caption or source"),
        Rule("C008", "source-id-mismatch", "payload.source_id differs from the post id"),
        Rule("C009", "reference-number", "meta.reference does not carry the post's number"),
        Rule("C010", "image-url-number", "an image url does not carry the post's number"),
        Rule("C011", "payload-seed", "payload.seed differs from the post's number"),
        Rule("C012", "stack-list", "meta.stack does not start with the stack or lacks the code language"),
        Rule("C013", "entities", "entities do not name the stack, an area of meta.stack and the problem"),
        Rule("C014", "hash-mismatch", "meta.hash is not the content digest of the post"),
        Rule("C015", "review-date-in-future", "revision.last_reviewed is after the as-of date"),
        Rule("C016", "similar-self", "similar_posts names the post itself"),
        Rule(
            "C017",
            "title-intro-names",
            "the title lacks the problem or stack; the intro lacks them or payload.scenario",
        ),
        Rule("C018", "caption-format", "an image caption is not '<problem> with <stack> visual reference <n>'"),
        Rule("R001", "duplicate-id", "a post id seen before in this run"),
        Rule("R002", "duplicate-content", "the same title, intro and sections as an earlier post with another id"),
        Rule("R003", "dangling-similar", "similar_posts names an id absent from the run's posts"),
        Rule("M001", "part-missing", "a part file named by the manifest cannot be read"),
        Rule("M002", "part-digest", "a part file's size or sha256 differs from the manifest"),
        Rule("M003", "part-count", "a part holds another number of records than the manifest says"),
        Rule("W001", "list-from-string", "a list given as one string ('a, b' or bullets) was split"),
        Rule("W002", "flag-from-number", "a flag given as 1/0 or 'true'/'false' became a boolean"),
        Rule("W003", "whitespace-trimmed", "stray whitespace was trimmed or collapsed"),
        Rule("W004", "html-stripped", "HTML tags were removed from text"),
        Rule("W005", "duplicate-items-removed", "repeated list items were dropped"),
        Rule("W006", "number-from-string", "a number given as a string became a number"),
        Rule("W007", "hash-recomputed", "meta.hash was recomputed after repairs"),
    )
}

_SCHEMA_CODES: Final = {
    "missing": "S001",
    "extra_forbidden": "S002",
    "greater_than": "S004",
    "greater_than_equal": "S004",
    "less_than": "S004",
    "less_than_equal": "S004",
    "string_pattern_mismatch": "S005",
    "literal_error": "S006",
    "enum": "S006",
    "too_short": "S007",
    "too_long": "S007",
    "string_too_short": "S007",
    "string_too_long": "S007",
    "unique_items": "S008",
    "calendar_date": "S009",
    "union_tag_invalid": "S010",
    "union_tag_not_found": "S010",
}


def schema_code(error_type: str) -> str:
    """The rule code of a pydantic error type."""
    if error_type in _SCHEMA_CODES:
        return _SCHEMA_CODES[error_type]
    if error_type.endswith("_type") or error_type in {"model_type", "model_attributes_type", "dict_type"}:
        return "S003"
    return "S099"


class Selection:
    """Which codes are on: ``select`` and ``ignore`` hold codes or code prefixes."""

    def __init__(self, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> None:
        self.select = tuple(s.strip().upper() for s in select or ("",))
        self.ignore = tuple(s.strip().upper() for s in ignore or ())
        self._cache: dict[str, bool] = {}

    def __contains__(self, code: str) -> bool:
        hit = self._cache.get(code)
        if hit is None:
            hit = code.startswith(self.select) and not (self.ignore and code.startswith(self.ignore))
            self._cache[code] = hit
        return hit

    def checks(self) -> list[tuple[str, Check]]:
        """The selected consistency checks, in code order."""
        return [(code, check) for code, check in SEMANTIC_CHECKS.items() if code in self]

    def unknown(self) -> list[str]:
        """Prefixes that match no rule (a typo the user should hear about)."""
        given = [p for p in (*self.select, *self.ignore) if p]
        return [p for p in given if not any(code.startswith(p) for code in RULES)]


# ---- the consistency checks: each yields (JSON path, message) for a schema-valid post dict ----

Issue = tuple[tuple[str | int, ...], str]
Check = Callable[[dict[str, Any], "Context"], list[Issue]]


@dataclass(frozen=True, slots=True)
class Context:
    """What a check may need besides the post: the as-of date and the hash verdict."""

    as_of: str
    hash_ok: bool


SEMANTIC_CHECKS: dict[str, Check] = {}


def _check(code: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        SEMANTIC_CHECKS[code] = fn
        return fn

    return register


def _number(post: dict[str, Any]) -> str:
    return str(post["id"]).removeprefix("alphanode-")


@_check("C001")
def _topic(post: dict[str, Any], _: Context) -> list[Issue]:
    meta = post["meta"]
    outline = meta["ai_outline"]
    expected = f"{outline['problem']} / {outline['stack']}"
    if meta["topic"] == expected:
        return []
    return [(("meta", "topic"), f"topic {meta['topic']!r} should be {expected!r}")]


@_check("C002")
def _context(post: dict[str, Any], _: Context) -> list[Issue]:
    meta = post["meta"]
    context, scenario = meta["ai_outline"]["context"], meta["payload"]["scenario"]
    if context == scenario:
        return []
    return [(("meta", "ai_outline", "context"), f"context {context!r} differs from payload.scenario {scenario!r}")]


@_check("C003")
def _checklist(post: dict[str, Any], _: Context) -> list[Issue]:
    sections = [s for s in post["sections"] if s["kind"] == "checklist"]
    if len(sections) != 1:
        return [(("sections",), f"expected exactly one checklist section, found {len(sections)}")]
    if post["meta"]["checklist"] != sections[0]["items"]:
        return [(("meta", "checklist"), "meta.checklist differs from the items of the checklist section")]
    return []


@_check("C004")
def _paragraphs(post: dict[str, Any], _: Context) -> list[Issue]:
    count = sum(len(s["paragraphs"]) for s in post["sections"] if s["kind"] == "paragraphs")
    claimed = post["meta"]["payload"]["paragraphs"]
    if claimed == count:
        return []
    return [(("meta", "payload", "paragraphs"), f"payload.paragraphs is {claimed} but the body has {count} paragraphs")]


@_check("C005")
def _has_images(post: dict[str, Any], _: Context) -> list[Issue]:
    meta = post["meta"]
    flag, count = meta["flags"]["has_images"], len(meta["image_sources"])
    if flag == (count > 0):
        return []
    return [(("meta", "flags", "has_images"), f"has_images is {flag} with {count} image sources")]


@_check("C006")
def _image_heavy(post: dict[str, Any], _: Context) -> list[Issue]:
    meta = post["meta"]
    flag, count = meta["flags"]["image_heavy"], len(meta["image_sources"])
    if flag == (count >= 3):
        return []
    return [(("meta", "flags", "image_heavy"), f"image_heavy is {flag} with {count} images (heavy means 3+)")]


@_check("C007")
def _image_blocks(post: dict[str, Any], _: Context) -> list[Issue]:
    blocks, sources = post["images"], post["meta"]["image_sources"]
    if len(blocks) != len(sources):
        return [(("images",), f"{len(blocks)} image blocks but {len(sources)} image sources")]
    return [
        (("images", k), f"image block {k} differs from image_sources[{k}] in caption or source")
        for k, (block, source) in enumerate(zip(blocks, sources, strict=True))
        if (block["caption"], block["source"]) != (source["caption"], source["source"])
    ]


@_check("C008")
def _source_id(post: dict[str, Any], _: Context) -> list[Issue]:
    source_id = post["meta"]["payload"]["source_id"]
    if source_id == post["id"]:
        return []
    return [(("meta", "payload", "source_id"), f"source_id {source_id!r} is not the post id {post['id']!r}")]


@_check("C009")
def _reference(post: dict[str, Any], _: Context) -> list[Issue]:
    reference, number = post["meta"]["reference"], _number(post)
    if reference.startswith(f"anp-ref-{number}-"):
        return []
    return [(("meta", "reference"), f"reference {reference!r} does not carry the post number {number}")]


def _carries(url: str, marker: str) -> bool:
    """Whether ``marker`` occurs in ``url`` not followed by another digit."""
    at = url.find(marker)
    while at >= 0:
        end = at + len(marker)
        if end == len(url) or not url[end].isdigit():
            return True
        at = url.find(marker, at + 1)
    return False


@_check("C010")
def _image_urls(post: dict[str, Any], _: Context) -> list[Issue]:
    marker = f"anp-{_number(post)}"
    return [
        (("meta", "image_sources", k, "url"), f"image url {source['url']!r} does not carry {marker}")
        for k, source in enumerate(post["meta"]["image_sources"])
        if not _carries(source["url"], marker)
    ]


@_check("C011")
def _seed(post: dict[str, Any], _: Context) -> list[Issue]:
    seed, number = post["meta"]["payload"]["seed"], int(_number(post))
    if seed == number:
        return []
    return [(("meta", "payload", "seed"), f"payload.seed {seed} is not the post number {number}")]


@_check("C012")
def _stack_list(post: dict[str, Any], _: Context) -> list[Issue]:
    meta = post["meta"]
    issues: list[Issue] = []
    if meta["stack"][0] != meta["ai_outline"]["stack"]:
        issues.append((("meta", "stack", 0), f"meta.stack starts with {meta['stack'][0]!r}, not the stack"))
    if meta["code_language"] not in meta["stack"]:
        issues.append((("meta", "code_language"), f"code language {meta['code_language']!r} is not in meta.stack"))
    return issues


@_check("C013")
def _entities(post: dict[str, Any], _: Context) -> list[Issue]:
    meta = post["meta"]
    named = {(e["name"], e["type"]) for e in meta["entities"]}
    issues: list[Issue] = []
    for kind in ("stack", "problem"):
        if (meta["ai_outline"][kind], kind) not in named:
            issues.append((("meta", "entities"), f"no entity names the {kind} {meta['ai_outline'][kind]!r}"))
    if not any(kind == "area" and name in meta["stack"] for name, kind in named):
        issues.append((("meta", "entities"), "no area entity names an item of meta.stack"))
    return issues


@_check("C014")
def _hash(_: dict[str, Any], context: Context) -> list[Issue]:
    if context.hash_ok:
        return []
    return [(("meta", "hash"), "meta.hash is not the SHA-256 content digest of the post (see synth.content_hash)")]


@_check("C015")
def _review_date(post: dict[str, Any], context: Context) -> list[Issue]:
    reviewed = post["meta"]["revision"]["last_reviewed"]
    if reviewed <= context.as_of:
        return []
    return [(("meta", "revision", "last_reviewed"), f"last reviewed {reviewed} is after {context.as_of}")]


@_check("C016")
def _similar_self(post: dict[str, Any], _: Context) -> list[Issue]:
    return [
        (("similar_posts", k), "a post cannot be similar to itself")
        for k, similar in enumerate(post["similar_posts"])
        if similar == post["id"]
    ]


@_check("C017")
def _names(post: dict[str, Any], _: Context) -> list[Issue]:
    outline = post["meta"]["ai_outline"]
    title, intro = post["title"], post["intro"]
    issues: list[Issue] = [
        (("title",), f"the title does not name the {part} {outline[part]!r}")
        for part in ("problem", "stack")
        if outline[part] not in title
    ]
    named = {"problem": outline["problem"], "stack": outline["stack"], "scenario": post["meta"]["payload"]["scenario"]}
    issues += [
        (("intro",), f"the intro does not name the {label} {text!r}")
        for label, text in named.items()
        if text not in intro
    ]
    return issues


@_check("C018")
def _captions(post: dict[str, Any], _: Context) -> list[Issue]:
    outline = post["meta"]["ai_outline"]
    stem = f"{outline['problem']} with {outline['stack']} visual reference"
    return [
        (("meta", "image_sources", k - 1, "caption"), f"caption should be {stem + ' ' + str(k)!r}")
        for k, source in enumerate(post["meta"]["image_sources"], start=1)
        if source["caption"] != f"{stem} {k}"
    ]


def today() -> str:
    """Today's date (UTC), the default as-of date of the review-date rule."""
    return _dt.datetime.now(_dt.UTC).date().isoformat()
