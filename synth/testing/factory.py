"""Posts with overrides, every invariant kept: what the pytest plugin's factory builds.

``build_post(index, seed=..., stack="rails apps", images=3, view_count=10)`` starts from the
generated post and changes what was asked *together with everything that must agree with it*:
a new problem or stack is written into the title, intro, topic, outline, stack list, entities
and captions; a new image count rebuilds the image blocks, sources and flags; a new checklist
or paragraph list updates the sections, the payload count and the reading time; the hash is
recomputed last. The result is checked with the validator, so an override that cannot be made
consistent (a title that does not name the problem, say) is refused with the rule it breaks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Final

from synth.errors import GenerationError
from synth.generation.assemble import image_blocks, post_dict, reading_time
from synth.schema.hash import seal

__all__ = ["OVERRIDES", "build_post"]


def _replace_text(post: dict[str, Any], old: str, new: str) -> None:
    """Write ``new`` wherever the text fields say ``old`` (title, intro, paragraphs, captions)."""
    post["title"] = post["title"].replace(old, new)
    post["intro"] = post["intro"].replace(old, new)
    for section in post["sections"]:
        if section["kind"] == "paragraphs":
            section["paragraphs"] = [p.replace(old, new) for p in section["paragraphs"]]
    for item in (*post["images"], *post["meta"]["image_sources"]):
        item["caption"] = item["caption"].replace(old, new)


def _entity(post: dict[str, Any], kind: str, name: str) -> None:
    for entity in post["meta"]["entities"]:
        if entity["type"] == kind:
            entity["name"] = name


def _rename(post: dict[str, Any], kind: str, name: str) -> None:
    """Give the post a new problem or stack (``kind``) everywhere it is named, the topic rebuilt."""
    meta = post["meta"]
    _replace_text(post, meta["ai_outline"][kind], name)
    meta["summary"] = meta["summary"].replace(meta["ai_outline"][kind], name)
    meta["ai_outline"][kind] = name
    meta["topic"] = f"{meta['ai_outline']['problem']} / {meta['ai_outline']['stack']}"
    _entity(post, kind, name)
    if kind == "stack":
        meta["stack"][0] = name


def _set_problem(post: dict[str, Any], problem: str) -> None:
    _rename(post, "problem", problem)


def _set_stack(post: dict[str, Any], stack: str) -> None:
    _rename(post, "stack", stack)


def _set_scenario(post: dict[str, Any], scenario: str) -> None:
    meta = post["meta"]
    _replace_text(post, meta["payload"]["scenario"], scenario)
    meta["ai_outline"]["context"] = meta["payload"]["scenario"] = scenario


def _set_area(post: dict[str, Any], area: str) -> None:
    post["meta"]["stack"][1] = area
    _entity(post, "area", area)


def _set_language(post: dict[str, Any], language: str) -> None:
    post["meta"]["stack"][-1] = post["meta"]["code_language"] = language


def _set_images(post: dict[str, Any], count: int) -> None:
    meta = post["meta"]
    stem = f"{meta['ai_outline']['problem']} with {meta['ai_outline']['stack']}"
    post["images"], meta["image_sources"] = image_blocks(count, post["id"].removeprefix("alphanode-"), stem)
    meta["flags"]["has_images"], meta["flags"]["image_heavy"] = count > 0, count >= 3


def _set_checklist(post: dict[str, Any], items: list[str]) -> None:
    for section in post["sections"]:
        if section["kind"] == "checklist":
            section["items"] = list(items)
    post["meta"]["checklist"] = list(items)
    _retime(post)


def _set_paragraphs(post: dict[str, Any], paragraphs: list[str]) -> None:
    """Replace the first paragraph section (production checks); the final notes stay."""
    sections = [s for s in post["sections"] if s["kind"] == "paragraphs"]
    sections[0]["paragraphs"] = list(paragraphs)
    post["meta"]["payload"]["paragraphs"] = sum(len(s["paragraphs"]) for s in sections)
    _retime(post)


def _retime(post: dict[str, Any]) -> None:
    parts = [s.get("paragraphs", s.get("items", [])) for s in post["sections"]]
    post["meta"]["reading_time"] = reading_time(post["title"], post["intro"], *parts)


def _meta(key: str) -> Callable[[dict[str, Any], Any], None]:
    def setter(post: dict[str, Any], value: Any) -> None:
        post["meta"][key] = value

    return setter


def _merge(key: str) -> Callable[[dict[str, Any], Any], None]:
    def setter(post: dict[str, Any], value: Any) -> None:
        post["meta"][key] = {**post["meta"][key], **value}

    return setter


def _top(key: str) -> Callable[[dict[str, Any], Any], None]:
    def setter(post: dict[str, Any], value: Any) -> None:
        post[key] = value

    return setter


def _outline_action(post: dict[str, Any], value: str) -> None:
    post["meta"]["ai_outline"]["recommended_action"] = value


OVERRIDES: Final[dict[str, Callable[[dict[str, Any], Any], None]]] = {
    "problem": _set_problem,
    "stack": _set_stack,
    "scenario": _set_scenario,
    "area": _set_area,
    "code_language": _set_language,
    "images": _set_images,
    "checklist": _set_checklist,
    "paragraphs": _set_paragraphs,
    "title": _top("title"),
    "intro": _top("intro"),
    "similar_posts": _top("similar_posts"),
    "recommended_action": _outline_action,
    **{
        key: _meta(key) for key in ("summary", "ai_brief", "tools", "difficulty", "view_count", "notes", "reading_time")
    },
    **{key: _merge(key) for key in ("score", "revision", "flags")},
}


def build_post(index: int = 0, *, seed: int = 0, locale: str = "en_US", **overrides: Any) -> dict[str, Any]:
    """Post ``index`` of corpus ``seed`` with ``overrides`` applied consistently (keys: :data:`OVERRIDES`)."""
    unknown = sorted(set(overrides) - set(OVERRIDES))
    if unknown:
        raise GenerationError(
            f"cannot override {', '.join(unknown)}", hint=f"override one of {', '.join(sorted(OVERRIDES))}"
        )
    post = copy.deepcopy(post_dict(index, seed=seed, locale=locale))
    for key in OVERRIDES:  # a fixed order: the problem and stack first, then what mentions them
        if key in overrides:
            OVERRIDES[key](post, overrides[key])
    seal(post)
    _check(post, overrides)
    return post


def _check(post: dict[str, Any], overrides: dict[str, Any]) -> None:
    from synth.validate.check import validate_post  # noqa: PLC0415
    from synth.validate.options import make_options  # noqa: PLC0415 - pydantic only when overriding

    findings = validate_post(post, options=make_options(ignore=["C015"]))
    if findings:
        first = findings[0]
        raise GenerationError(
            f"the overrides {sorted(overrides)} break {first.code} at {first.path}: {first.message}",
            hint="override the fields that rule ties together as well (see `synth rules`)",
        )
