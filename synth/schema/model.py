"""The alphanode post, schema v1: pydantic v2 models that are the contract.

The JSON Schema files in ``schemas/`` are exported from these models (:func:`json_schema`);
a test fails when the two drift apart. The models are strict: unknown keys are rejected,
JSON types are not coerced (``"1"`` is not an integer, ``1`` is not a boolean), and every
field carries a description that flows into the JSON Schema.

The models check what one field can say about itself (types, bounds, patterns, enums,
unique list items). Rules that relate one field to another (topic = problem / stack,
checklist = the checklist section, ...) are the validator's semantic layer.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Final, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from synth.schema.constants import SCHEMA_ID, SCHEMA_VERSION

__all__ = [
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "WHITESPACE",
    "WHITESPACE_CHARS",
    "AiOutline",
    "ChecklistSection",
    "Entity",
    "Flags",
    "Image",
    "ImageSource",
    "Meta",
    "ParagraphSection",
    "Payload",
    "Post",
    "Revision",
    "Score",
    "calendar_date",
    "json_integer",
    "unique_items",
]


# [0-9], not \d: \d matches the digits of every script (pydantic's regex engine is Unicode-aware).
POST_ID_PATTERN: Final = r"^alphanode-(?:[0-9]{6}|[1-9][0-9]{6,})$"
REFERENCE_PATTERN: Final = r"^anp-ref-(?:[0-9]{6}|[1-9][0-9]{6,})-[0-9]{4}$"
VERSION_PATTERN: Final = r"^(?:0|[1-9][0-9]{0,5})\.(?:0|[1-9][0-9]{0,5})\.(?:0|[1-9][0-9]{0,5})$"
DATE_PATTERN: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
HASH_PATTERN: Final = r"^[0-9a-f]{24}$"
# Whitespace, spelled out: JSON Schema reads \s as ECMA-262 does (with U+FEFF, without U+0085),
# pydantic's Rust engine as Unicode White_Space, Python's re (python-jsonschema) adds U+001C-U+001F.
# A class written out means the same to all three: the union of their \s.
WHITESPACE: Final = r"\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# The same characters as a string (for str.strip); a test checks the two agree.
WHITESPACE_CHARS: Final = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
URL_PATTERN: Final = rf"^https?://[A-Za-z0-9.-]+(?::[0-9]{{1,5}})?(?:/[^{WHITESPACE}\x00]*)?$"
HOST_PATTERN: Final = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
TOKEN_PATTERN: Final = r"^[a-z0-9][a-z0-9 .+#/_-]{0,63}$"  # noqa: S105 - a regex, not a secret

T = TypeVar("T")


def unique_items(items: list[T]) -> list[T]:
    """Validator: the items of a list are distinct (pydantic error type ``unique_items``)."""
    keys: list[Any] = items
    if items and isinstance(items[0], BaseModel):  # models compare by their field values
        keys = [tuple(item.__dict__.values()) for item in items]
    if len(set(keys)) == len(keys):
        return items
    seen: set[T] = set()
    for item in items:
        if item in seen:
            raise PydanticCustomError(
                "unique_items", "List items must be unique; {item} appears more than once", {"item": repr(item)}
            )
        seen.add(item)
    raise AssertionError("unreachable")  # pragma: no cover


def calendar_date(value: str) -> str:
    """Validator: a ``YYYY-MM-DD`` string that is a calendar date (pydantic error type ``calendar_date``)."""
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "calendar_date", "{value} is not a calendar date (YYYY-MM-DD)", {"value": repr(value)}
        ) from None
    return value


# Visible text: no leading/trailing whitespace (:data:`WHITESPACE`), no line breaks (CR, LF), no
# NUL (which PostgreSQL cannot store).
_TEXT: Final = rf"^[^{WHITESPACE}\x00](?:[^\r\n\x00]*[^{WHITESPACE}\x00])?$"
# One line of visible text.
Line = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=_TEXT)]
# A paragraph: up to 5,000 characters.
Paragraph = Annotated[str, StringConstraints(min_length=1, max_length=5000, pattern=_TEXT)]
Token = Annotated[str, StringConstraints(pattern=TOKEN_PATTERN)]
PostId = Annotated[str, StringConstraints(pattern=POST_ID_PATTERN)]
Url = Annotated[str, StringConstraints(max_length=2048, pattern=URL_PATTERN)]
Host = Annotated[str, StringConstraints(max_length=253, pattern=HOST_PATTERN)]
Percent = Annotated[int, Field(ge=0, le=100)]
IsoDate = Annotated[
    str,
    StringConstraints(pattern=DATE_PATTERN),
    AfterValidator(calendar_date),
    Field(json_schema_extra={"format": "date"}),
]


def json_integer(value: object) -> object:
    """Only a JSON integer: ``Literal[1]`` alone matches ``True`` (which equals 1) and ``1.0``."""
    if type(value) is not int:
        raise PydanticCustomError("int_type", "Input should be the JSON integer 1 (not true, 1.0 or 1e0)")
    return value


# The schema version: exactly the JSON integer 1, strict like every integer of the model.
SchemaVersion = Annotated[Literal[1], BeforeValidator(json_integer)]
_UNIQUE: Final = AfterValidator(unique_items)
_UNIQUE_SCHEMA: Final = {"uniqueItems": True}


class _Strict(BaseModel):
    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=False,
        validate_default=False,
    )


class Image(_Strict):
    """An image block in the article body: the caption line, then where the image comes from."""

    caption: Line = Field(description="Caption shown under the image; also its alt text.")
    source: Host = Field(description="Host name the image is served from, e.g. picsum.photos.")


class ParagraphSection(_Strict):
    """A body section made of paragraphs (e.g. 'production checks', 'final notes')."""

    kind: Literal["paragraphs"] = Field(description="Section kind: a run of paragraphs.")
    heading: Line = Field(description="Section heading as shown on the page.")
    paragraphs: Annotated[list[Paragraph], Field(min_length=1, max_length=50)] = Field(
        description="The section's paragraphs, in page order."
    )


class ChecklistSection(_Strict):
    """The body section rendered as a bulleted checklist ('implementation checklist')."""

    kind: Literal["checklist"] = Field(description="Section kind: a bulleted checklist.")
    heading: Line = Field(description="Section heading as shown on the page.")
    items: Annotated[list[Line], Field(min_length=1, max_length=30, json_schema_extra=_UNIQUE_SCHEMA), _UNIQUE] = Field(
        description="Checklist bullets, in page order, without the bullet sign."
    )


Section = Annotated[ParagraphSection | ChecklistSection, Field(discriminator="kind")]


class AiOutline(_Strict):
    """The 'ai outline' object of the meta box."""

    context: Line = Field(description="The scenario the post is written for; equals payload.scenario.")
    problem: Line = Field(description="The problem the post treats; the first half of the topic.")
    stack: Line = Field(description="The technology stack; the second half of the topic.")
    recommended_action: Line = Field(description="One-line advice the post ends on.")


class Score(_Strict):
    """Editorial quality scores, each an integer from 0 to 100."""

    quality: Percent = Field(description="Overall quality, 0-100.")
    freshness: Percent = Field(description="How current the content is, 0-100.")
    depth: Percent = Field(description="Technical depth, 0-100.")
    clarity: Percent = Field(description="Clarity of the writing, 0-100.")


class Revision(_Strict):
    """Where the post stands in its editorial life."""

    status: Literal["draft", "reviewed", "expanded", "revised", "archived"] = Field(
        description="Editorial status of this revision."
    )
    version: Annotated[str, StringConstraints(pattern=VERSION_PATTERN)] = Field(
        description="Content version as major.minor.patch, e.g. 1.1.4."
    )
    last_reviewed: IsoDate = Field(description="Date of the last editorial review, YYYY-MM-DD.")


class Flags(_Strict):
    """Boolean flags of the meta box (rendered as 1/0 on the page)."""

    ai_generated_style: bool = Field(description="The text is written in the style of an AI-generated draft.")
    has_images: bool = Field(description="The post has at least one image; true iff image_sources is non-empty.")
    image_heavy: bool = Field(description="The post has three or more images.")
    needs_human_review: bool = Field(description="An editor should review the post before it is indexed.")


class Entity(_Strict):
    """A named entity the post is about."""

    name: Line = Field(description="Entity name as written in the post.")
    type: Literal["stack", "area", "problem", "tool", "language"] = Field(description="What kind of entity it is.")


class ImageSource(_Strict):
    """Where an image of the post comes from; one per image block, in the same order."""

    source: Host = Field(description="Host name the image is served from.")
    url: Url = Field(description="Absolute http(s) URL of the image; carries the post's zero-padded number.")
    caption: Line = Field(description="Caption of the image; equals the caption of the matching image block.")


class Payload(_Strict):
    """Provenance of the post: what produced it and from what."""

    source_id: PostId = Field(description="Id of the post in its source; equals the post id.")
    generator: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=_TEXT)] = Field(
        description="Name of the program that produced the post."
    )
    paragraphs: Annotated[int, Field(ge=1, le=1000)] = Field(
        description="Number of body paragraphs outside the intro (all paragraph sections together)."
    )
    scenario: Line = Field(description="The scenario the post is written for; equals ai_outline.context.")
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = Field(
        description="The post's number, from which the synthesizer derived it (the digits of its id)."
    )


class Meta(_Strict):
    """The 'alphanode post meta' box, field by field in page order."""

    topic: Line = Field(description="'<problem> / <stack>'.")
    summary: Paragraph = Field(description="Short summary of the post.")
    ai_outline: AiOutline = Field(description="Outline: context, problem, stack and recommended action.")
    ai_brief: Paragraph = Field(description="One-paragraph brief of how the article is written.")
    stack: Annotated[list[Line], Field(min_length=1, max_length=10, json_schema_extra=_UNIQUE_SCHEMA), _UNIQUE] = Field(
        description="[<stack>, <area>, <code language>]: the stack, its area and its main language."
    )
    tools: Annotated[list[Token], Field(min_length=1, max_length=20, json_schema_extra=_UNIQUE_SCHEMA), _UNIQUE] = (
        Field(description="Tools the post mentions, lower case.")
    )
    code_language: Token = Field(description="Main programming language of the post's stack, lower case.")
    difficulty: Literal["beginner", "intermediate", "advanced", "expert"] = Field(description="Intended reader level.")
    reading_time: Annotated[int, Field(ge=1, le=600)] = Field(description="Estimated reading time in minutes.")
    view_count: Annotated[int, Field(ge=0, le=10**12)] = Field(
        description="Synthetic view count, for testing meta volume."
    )
    score: Score = Field(description="Editorial scores, 0-100 each.")
    revision: Revision = Field(description="Status, version and last review date.")
    reference: Annotated[str, StringConstraints(pattern=REFERENCE_PATTERN)] = Field(
        description="External reference 'anp-ref-<number>-<4 digits>', number as in the id."
    )
    hash: Annotated[str, StringConstraints(pattern=HASH_PATTERN)] = Field(
        description=(
            "Content digest: the first 24 hex digits of the SHA-256 of the post's compact JSON "
            "(schema key order, UTF-8) with this field set to 24 zeros."
        )
    )
    flags: Flags = Field(description="Boolean flags.")
    checklist: Annotated[list[Line], Field(min_length=1, max_length=30, json_schema_extra=_UNIQUE_SCHEMA), _UNIQUE] = (
        Field(description="The checklist; equals the items of the checklist section.")
    )
    entities: Annotated[list[Entity], Field(min_length=1, max_length=30, json_schema_extra=_UNIQUE_SCHEMA), _UNIQUE] = (
        Field(description="Named entities; include the stack, the area and the problem.")
    )
    image_sources: Annotated[list[ImageSource], Field(max_length=20, json_schema_extra=_UNIQUE_SCHEMA), _UNIQUE] = (
        Field(description="One entry per image block, in the same order.")
    )
    payload: Payload = Field(description="Provenance of the post.")
    notes: Annotated[list[Line], Field(max_length=20, json_schema_extra=_UNIQUE_SCHEMA), _UNIQUE] = Field(
        description="Editorial notes."
    )


class Post(_Strict):
    """One alphanode post: the article body, the meta box and links to similar posts."""

    model_config = ConfigDict(
        title="alphanode post v1",
        json_schema_extra={"$id": SCHEMA_ID},
    )

    schema_version: SchemaVersion = Field(description="Version of this schema; 1 for posts of this shape.")
    id: PostId = Field(description="Post id: 'alphanode-' and the post's number zero-padded to six digits.")
    title: Line = Field(description="Title of the post (the page's only capitalised line).")
    intro: Paragraph = Field(description="Intro paragraph naming the problem, the stack and the scenario.")
    images: Annotated[list[Image], Field(max_length=20)] = Field(description="Image blocks, in page order.")
    sections: Annotated[list[Section], Field(min_length=1, max_length=20)] = Field(
        description="Body sections in page order: paragraph sections and one checklist section."
    )
    meta: Meta = Field(description="The 'alphanode post meta' box.")
    similar_posts: Annotated[list[PostId], Field(max_length=20, json_schema_extra=_UNIQUE_SCHEMA), _UNIQUE] = Field(
        description="Ids of similar posts of the same corpus."
    )
