"""Rendering posts as text (the sample page's layout), HTML and Markdown, and reading them back."""

from __future__ import annotations

import copy
import json
from typing import Any

import html5lib
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from synth.errors import InputError, UsageError
from synth.generation.assemble import MAX_INDEX, MAX_SEED, post_dict
from synth.generation.vocab import LOCALES
from synth.pages.html import parse_html
from synth.pages.text import parse_text
from synth.render import render_html, render_markdown, render_text
from synth.schema.model import Post
from synth.testing.strategies import posts as strategy_posts
from synth.validate.check import validate_post
from synth.validate.options import make_options
from tests.conftest import FIXTURES, SHARED

SAMPLE_PAGE = SHARED / "seed" / "alphanode-008320.txt"
BLNS = SHARED / "corpora" / "naughty-strings" / "blns.json"
needs_sample = pytest.mark.skipif(not SAMPLE_PAGE.is_file(), reason=f"the sample page {SAMPLE_PAGE} is absent")
needs_blns = pytest.mark.skipif(not BLNS.is_file(), reason=f"the naughty strings {BLNS} are absent")
PLACEHOLDER = "XYZZY"
# A generated post with two images, three similar posts and four notes (found by a search).
RICH_INDEX = 131
# Strings the model forbids but a renderer may still meet: line breaks, carriage returns, NUL.
EXTRA_STRINGS = ["a\nb", "a\r\nb", "\r", "x\0y", "</p><script>alert(1)</script>", "&amp; &lt;", "]]>", "<!--"]


def _naughty_strings() -> list[str]:
    return json.loads(BLNS.read_text(encoding="utf-8")) if BLNS.is_file() else []


def _sample_text() -> str:
    return SAMPLE_PAGE.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def rich() -> dict[str, Any]:
    return post_dict(RICH_INDEX, seed=0)


# ---- the sample page ----


@needs_sample
def test_sample_page_parses_to_a_valid_post_and_renders_back_byte_for_byte() -> None:
    raw = SAMPLE_PAGE.read_bytes()
    post = parse_text(raw.decode("utf-8"), source=SAMPLE_PAGE.name)
    assert validate_post(post, options=make_options(as_of="2030-01-01", ignore=["C014"])) == []
    assert render_text(post).encode("utf-8") == raw
    assert render_text(Post.model_validate(post)).encode("utf-8") == raw


@needs_sample
def test_sample_page_is_the_sample_fixture_except_the_case_of_the_titles_first_letter(sample: dict[str, Any]) -> None:
    """The page shows 'field notes ...'; fixtures/sample-post.json has 'Field notes ...'.

    The text page shows the title exactly as the post has it, so the two differ in that
    letter only: everything else on the page, derived fields included, is the fixture.
    """
    post = parse_text(_sample_text())
    assert sample["title"] == "F" + post["title"][1:]
    assert post == {**sample, "title": post["title"]}
    assert render_text(sample) == "F" + _sample_text()[1:]


@needs_sample
def test_sample_page_has_no_final_newline_and_the_layout_in_the_docstring() -> None:
    text = _sample_text()
    assert text.endswith("\n\nSimilar Posts")
    lines = text.split("\n")
    assert lines[1] == lines[3] == "" and lines[4].endswith("visual reference 1")
    assert lines[5] == lines[4] + ". image source: picsum.photos"


# ---- text ----


def test_similar_posts_are_one_bullet_line_each_after_a_blank_line(rich: dict[str, Any]) -> None:
    page = render_text(rich)
    assert page.endswith("\n\nSimilar Posts\n\n  • alphanode-000024\n  • alphanode-000115\n  • alphanode-000055")
    assert parse_text(page) == rich


def test_image_blocks_are_each_followed_by_a_blank_line(rich: dict[str, Any]) -> None:
    lines = render_text(rich).split("\n")
    first, second = (image["caption"] for image in rich["images"])
    at = lines.index(first)
    assert lines[at : at + 7] == [
        first,
        f"{first}. image source: picsum.photos",
        "",
        second,
        f"{second}. image source: picsum.photos",
        "",
        "production checks",
    ]


def test_a_post_without_images_goes_from_intro_to_the_first_heading() -> None:
    post = next(p for i in range(50) if not (p := post_dict(i, seed=3))["images"])
    assert render_text(post).split("\n")[:5] == [post["title"], "", post["intro"], "", "production checks"]
    assert parse_text(render_text(post)) == post


def test_checklist_first_and_last_and_single_paragraph_sections_round_trip(rich: dict[str, Any]) -> None:
    post = copy.deepcopy(rich)
    checklist = post["sections"][1]
    post["sections"] = [checklist, {"kind": "paragraphs", "heading": "only", "paragraphs": ["one"]}, checklist]
    assert parse_text(render_text(post)) == post
    assert parse_html(render_html(post)) == post


def test_a_paragraph_that_reads_like_the_meta_heading_stays_a_paragraph(rich: dict[str, Any]) -> None:
    post = copy.deepcopy(rich)
    post["sections"][0]["paragraphs"][0] = "alphanode post meta"
    post["sections"][2]["heading"] = "Similar Posts"
    assert parse_text(render_text(post)) == post


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: p["sections"][0]["paragraphs"].__setitem__(0, "two\nlines"),
            "post 'alphanode-000131' cannot be rendered as a text page: a value has a line break, "
            "which a text page cannot show",
        ),
        (
            lambda p: p["meta"]["notes"].__setitem__(0, "carriage\rreturn"),
            "post 'alphanode-000131' cannot be rendered as a text page: a value has a line break, "
            "which a text page cannot show",
        ),
        (
            lambda p: p["sections"].insert(1, p["sections"][0]),
            "post 'alphanode-000131' cannot be rendered as a text page: sections 0 and 1 are both "
            "paragraph sections, whose border no line shows",
        ),
        (
            lambda p: p["images"][1].__setitem__("caption", ""),
            "post 'alphanode-000131' cannot be rendered as a text page: images[1].caption is '': "
            "a text page needs a non-empty line not starting '  • '",
        ),
        (
            lambda p: p["sections"][1].__setitem__("items", []),
            "post 'alphanode-000131' cannot be rendered as a text page: sections[1] is empty, "
            "and a heading alone reads as a paragraph",
        ),
        (
            lambda p: p.__setitem__("intro", "  • looks like a bullet"),
            "post 'alphanode-000131' cannot be rendered as a text page: intro is '  • looks like a bullet': "
            "a text page needs a non-empty line not starting '  • '",
        ),
    ],
)
def test_render_text_refuses_what_the_text_page_cannot_show(rich: dict[str, Any], change: Any, message: str) -> None:
    post = copy.deepcopy(rich)
    change(post)
    with pytest.raises(InputError) as info:
        render_text(post)
    assert info.value.message == message
    assert parse_html(render_html(post)) == post  # HTML has no such limit


def test_renderers_refuse_what_is_not_a_post() -> None:
    with pytest.raises(InputError, match="cannot render a list as a post"):
        render_text([])  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"post 'alphanode-000001' is not in the model's shape \(KeyError: 'meta'\)"):
        render_html({"id": "alphanode-000001", "title": "t", "intro": "i", "images": [], "sections": []})
    with pytest.raises(UsageError, match="language tag"):
        render_html(post_dict(1), lang='en" onload="x')


def test_a_post_model_and_its_dict_render_the_same(rich: dict[str, Any]) -> None:
    model = Post.model_validate(rich)
    assert render_text(model) == render_text(rich)
    assert render_html(model) == render_html(rich)
    assert render_markdown(model) == render_markdown(rich)


locales = st.sampled_from(sorted(LOCALES))
indices = st.integers(0, MAX_INDEX)
seeds = st.integers(0, MAX_SEED)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=indices, seed=seeds, locale=locales)
def test_text_round_trip_of_generated_posts(index: int, seed: int, locale: str) -> None:
    post = post_dict(index, seed=seed, locale=locale)
    assert parse_text(render_text(post)) == post


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=indices, seed=seeds, locale=locales)
def test_html_round_trip_of_generated_posts(index: int, seed: int, locale: str) -> None:
    post = post_dict(index, seed=seed, locale=locale)
    assert parse_html(render_html(post)) == post


@pytest.mark.parametrize("locale", ["ja_JP", "ar_AA"])
def test_round_trips_in_non_latin_locales(locale: str) -> None:
    for index in range(0, 4000, 97):
        post = post_dict(index, seed=11, locale=locale)
        assert parse_text(render_text(post)) == post
        assert parse_html(render_html(post)) == post


# ---- HTML ----


def _tree(page: str) -> Any:
    return html5lib.parse(page, namespaceHTMLElements=False)


def _fill(value: Any, text: str, key: str = "") -> Any:
    """``value`` with every string replaced by ``text``, except ids, urls and section kinds."""
    if isinstance(value, dict):
        return {k: _fill(v, text, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, text, key) for v in value]
    if isinstance(value, str) and key not in ("id", "source_id", "similar_posts", "url", "kind"):
        return text
    return value


def _assert_same_markup_with(plain: Any, naughty: Any, text: str) -> None:
    """Both trees have the same elements and attributes; texts differ only where the placeholder was."""
    pairs = list(zip(plain.iter(), naughty.iter(), strict=True))
    for a, b in pairs:
        assert (b.tag, sorted(b.attrib)) == (a.tag, sorted(a.attrib))
        assert (b.text or "") == (a.text or "").replace(PLACEHOLDER, text), (a.tag, b.text)
        assert (b.tail or "") == (a.tail or "").replace(PLACEHOLDER, text), (a.tag, b.tail)
        for name, value in a.attrib.items():
            assert b.attrib[name] == value.replace(PLACEHOLDER, text), (a.tag, name)


@pytest.fixture(scope="module")
def plain_tree(rich: dict[str, Any]) -> Any:
    return _tree(render_html(_fill(rich, PLACEHOLDER)))


@needs_blns
@pytest.mark.parametrize("text", [*_naughty_strings(), *EXTRA_STRINGS])
def test_naughty_strings_in_every_text_field_stay_text(rich: dict[str, Any], plain_tree: Any, text: str) -> None:
    post = _fill(rich, text)
    page = render_html(post)
    shown = text.replace("\0", "\ufffd")  # no HTML parser keeps NUL; the page shows U+FFFD
    _assert_same_markup_with(plain_tree, _tree(page), shown)
    assert parse_html(page) == _fill(rich, shown)


def test_the_html_page_has_the_documented_structure(rich: dict[str, Any]) -> None:
    page = render_html(rich)
    assert page.startswith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
    root = _tree(page)
    assert root.find("head/title").text == rich["title"]
    article = root.find("body/article")
    assert article.find("h1").text == rich["title"]
    assert [h2.text for h2 in article.iter("h2")] == [
        "production checks",
        "implementation checklist",
        "final notes",
        "alphanode post meta",
        "Similar Posts",
    ]
    figures = article.findall("figure")
    assert [f.find("img").get("alt") for f in figures] == [i["caption"] for i in rich["images"]]
    assert [f.find("img").get("src") for f in figures] == [s["url"] for s in rich["meta"]["image_sources"]]
    assert [a.get("href") for a in article.iter("a")] == [f"{pid}.html" for pid in rich["similar_posts"]]
    assert render_html(rich, lang="ja").startswith('<!doctype html>\n<html lang="ja">')


@needs_sample
def test_the_meta_box_of_the_html_page_reads_like_the_sample_page() -> None:
    """The text of each <dt>label</dt><dd>value</dd> pair is the sample's line: label and value, nothing between."""
    page = render_html(parse_text(_sample_text()))
    dl = _tree(page).find("body/article/section[@class='meta']/dl")
    pairs = ["".join(dt.itertext()) + "".join(dd.itertext()) for dt, dd in zip(dl[::2], dl[1::2], strict=True)]
    sample_lines = _sample_text().split("\n")
    for scalar in ("topic", "reading time", "view count", "reference", "hash", "code language"):
        line = next(p for p in pairs if p.startswith(scalar))
        assert line in sample_lines


def test_only_http_urls_and_post_ids_become_links(rich: dict[str, Any]) -> None:
    post = copy.deepcopy(rich)
    post["meta"]["image_sources"][0]["url"] = "javascript:alert(1)"
    post["meta"]["image_sources"][1]["url"] = "https://ok.example/x\n"
    post["similar_posts"] = ["javascript:alert(1)", "../../etc/passwd", "alphanode-000024\n", "alphanode-000007"]
    article = _tree(render_html(post)).find("body/article")
    assert [img.get("src") for img in article.iter("img")] == [None, None]
    assert [a.get("href") for a in article.iter("a")] == ["alphanode-000007.html"]
    items = article.findall("section[@class='similar']/ul/li")
    assert ["".join(li.itertext()) for li in items] == post["similar_posts"]


# ---- Markdown ----


def test_markdown_of_the_sample_post_is_pinned(sample: dict[str, Any]) -> None:
    assert render_markdown(sample) == (FIXTURES / "sample-post.md").read_text(encoding="utf-8")


def test_markdown_similar_posts_link_to_md_pages(rich: dict[str, Any]) -> None:
    post = {**rich, "similar_posts": ["alphanode-000024", "not an id *"]}
    assert render_markdown(post).endswith(
        "## Similar Posts\n\n- [alphanode-000024](alphanode-000024.md)\n- not an id \\*\n"
    )


def test_markdown_images_and_objects(rich: dict[str, Any]) -> None:
    page = render_markdown(rich)
    caption = rich["images"][0]["caption"]
    assert (
        f"![{caption}](https://picsum.photos/seed/anp-000131/1200/630)\n\n{caption}. image source: picsum.photos\n"
        in page
    )
    assert "- **entities:**\n  - name: " in page
    assert "- **flags:**\n  - ai generated style: " in page


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("*bold* and _it_", "\\*bold\\* and \\_it\\_"),
        ("[link](https://x.invalid) ![img](y)", "\\[link\\](https://x.invalid) !\\[img\\](y)"),
        ("# not a heading", "\\# not a heading"),
        ("`code` and ```fence```", "\\`code\\` and \\`\\`\\`fence\\`\\`\\`"),
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("&amp; &#42; | ~~x~~ $x$ {y}", "\\&amp; \\&\\#42; \\| \\~\\~x\\~\\~ \\$x\\$ \\{y\\}"),
        ("- not a list", "\\- not a list"),
        ("+ not a list", "\\+ not a list"),
        ("1. not a list", "1\\. not a list"),
        ("= not a heading underline", "\\= not a heading underline"),
        ("    not code", "&#32;&#32;&#32;&#32;not code"),
        ("trailing  ", "trailing&#32;&#32;"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines", "two lines"),
    ],
)
def test_markdown_escapes_content(rich: dict[str, Any], text: str, markdown: str) -> None:
    post = copy.deepcopy(rich)
    post["meta"]["notes"] = [text]
    post["intro"] = text
    page = render_markdown(post)
    assert f"\n\n{markdown}\n\n" in page
    assert page.split("- **notes:**\n", 1)[1].startswith(f"  - {markdown}\n")


def _markdown_tree(page: str) -> Any:
    return _tree(MarkdownIt("commonmark").enable("strikethrough").enable("table").render(page))


@pytest.fixture(scope="module")
def plain_markdown_tree(rich: dict[str, Any]) -> Any:
    return _markdown_tree(render_markdown(_fill(rich, PLACEHOLDER)))


@needs_blns
@pytest.mark.parametrize("text", _naughty_strings())
def test_naughty_strings_stay_text_in_markdown(rich: dict[str, Any], plain_markdown_tree: Any, text: str) -> None:
    """Rendered by a CommonMark renderer (markdown-it, raw HTML enabled), content makes no markup."""
    plain = plain_markdown_tree
    naughty = _markdown_tree(render_markdown(_fill(rich, text)))
    tags = {(e.tag, tuple(sorted(e.attrib))) for e in naughty.iter()}
    assert tags <= {(e.tag, tuple(sorted(e.attrib))) for e in plain.iter()}
    if text.strip():  # a blank paragraph is no paragraph in Markdown
        _assert_same_markup_with(plain, naughty, text)


def test_markdown_fixture_is_utf8_without_carriage_returns() -> None:
    data = (FIXTURES / "sample-post.md").read_bytes()
    assert b"\r" not in data and data.endswith(b"\n") and not data.endswith(b"\n\n")
    assert orjson.loads((FIXTURES / "sample-post.json").read_bytes())["title"].encode() in data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(post=strategy_posts(images=(0, 4)))
def test_strategy_posts_round_trip_through_text_and_html(post: dict[str, Any]) -> None:
    assert parse_text(render_text(post)) == post
    assert parse_html(render_html(post)) == post
