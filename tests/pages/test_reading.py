"""Reading pages back: what parse_text and parse_html accept, and their error messages."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synth.errors import InputError
from synth.generation.assemble import post_dict
from synth.pages.html import parse_html
from synth.pages.text import parse_text
from synth.render import render_html, render_text

HINT = "pages are read in the layout synth.render writes; compare the page with one it rendered"


@pytest.fixture(scope="module")
def post() -> dict[str, Any]:
    """Post 8320 of seed 0 without its similar posts: one image, no similar posts, as the sample page."""
    return {**post_dict(8320, seed=0), "similar_posts": []}


@pytest.fixture(scope="module")
def lines(post: dict[str, Any]) -> list[str]:
    return render_text(post).split("\n")


def _line(lines: list[str], start: str) -> int:
    """0-based index of the first line starting with ``start``."""
    return next(i for i, line in enumerate(lines) if line.startswith(start))


def _text_error(page: str) -> str:
    with pytest.raises(InputError) as info:
        parse_text(page, source="page.txt")
    assert str(info.value) == f"{info.value.message}. To resolve this error, {HINT}"
    return info.value.message


def _html_error(page: str) -> str:
    with pytest.raises(InputError) as info:
        parse_html(page, source="page.html")
    return info.value.message


# ---- text: what is accepted ----


def test_a_final_newline_crlf_line_ends_and_a_byte_order_mark_are_accepted(post: dict[str, Any]) -> None:
    page = render_text(post)
    assert parse_text(page + "\n") == post
    assert parse_text("\ufeff" + page.replace("\n", "\r\n")) == post


# ---- text: errors name the line and what was expected ----


def test_unknown_meta_label(lines: list[str]) -> None:
    at = _line(lines, "topic")
    page = "\n".join([*lines[:at], "topik" + lines[at][5:], *lines[at + 1 :]])
    assert _text_error(page) == (
        f"page.txt:{at + 1}: expected the meta label 'topic', found 'topikload testing the email service befo...'"
    )


def test_missing_meta_label(lines: list[str]) -> None:
    at = _line(lines, "summary")
    page = "\n".join([*lines[:at], *lines[at + 1 :]])
    assert _text_error(page) == (
        f"page.txt:{at + 1}: expected the meta label 'summary', found the label 'ai outline', which comes later "
        "(meta labels come in page order; 'summary' is missing or out of place)"
    )


def test_meta_labels_in_the_wrong_order(lines: list[str]) -> None:
    at = _line(lines, "reading time")
    page = "\n".join([*lines[:at], lines[at + 1], lines[at], *lines[at + 2 :]])
    assert _text_error(page) == (
        f"page.txt:{at + 1}: expected the meta label 'reading time', found the label 'view count', which comes "
        "later (meta labels come in page order; 'reading time' is missing or out of place)"
    )


def test_a_label_seen_again(lines: list[str]) -> None:
    at = _line(lines, "difficulty")
    page = "\n".join([*lines[:at], "topicagain", *lines[at:]])
    assert _text_error(page) == (
        f"page.txt:{at + 1}: expected the meta label 'difficulty', found the label 'topic', which came earlier "
        "(meta labels come in page order; 'difficulty' is missing or out of place)"
    )


@pytest.mark.parametrize(
    ("start", "replacement", "message"),
    [
        ("reading time", "reading time8m", "expected a whole number for 'reading time', found '8m'"),
        ("view count", "view count-12", "expected a whole number for 'view count', found '-12'"),
        ("  • has images", "  • has images: yes", "expected 1 or 0 for 'has images', found 'yes'"),
        ("  • quality", "  • quality: \uff17\uff18", "expected a whole number for 'quality', found '\uff17\uff18'"),
        ("stack", "stacks", "expected the meta label 'stack' alone on its line, found 'stacks'"),
        (
            "  • problem",
            "  • problm: x",
            "expected the line '  • problem: ...' of 'ai outline', found '  • problm: x'",
        ),
        (
            "    • type: area",
            "    • kind: area",
            "expected the line '    • type: ...' of 'entities', found '    • kind: area'",
        ),
    ],
)
def test_malformed_meta_values(lines: list[str], start: str, replacement: str, message: str) -> None:
    at = _line(lines, start)
    page = "\n".join([*lines[:at], replacement, *lines[at + 1 :]])
    assert _text_error(page) == f"page.txt:{at + 1}: {message}"


def test_a_missing_member_line(lines: list[str]) -> None:
    at = _line(lines, "  • seed")
    page = "\n".join([*lines[:at], *lines[at + 1 :]])
    assert _text_error(page) == f"page.txt:{at + 1}: expected the line '  • seed: ...' of 'payload', found 'notes'"


def test_body_errors(lines: list[str]) -> None:
    second = _line(lines, "production checks") + 4
    no_blank = "\n".join([*lines[: second - 1], *lines[second:]])
    assert _text_error(no_blank) == (f"page.txt:{second}: expected a blank line, found {lines[second][:40] + '...'!r}")
    at = _line(lines, "alphanode post meta")
    no_meta = "\n".join(lines[:at])  # ends in a newline, which is taken as the file's final newline
    assert _text_error(no_meta) == f"page.txt:{at - 1}: expected a line 'alphanode post meta', found none"


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("", "page.txt:1: expected the title, found a blank line"),
        ("just some text", "page.txt:1: expected a blank line, found the end of the page"),
        ("title\n\n  • bullet", "page.txt:3: expected the intro paragraph, found '  • bullet'"),
        ("\x00\x01 garbage\n\nmore garbage\n", "page.txt:3: expected a blank line, found the end of the page"),
        ("\x00\x01 garbage\n\nmore\n\n", "page.txt:4: expected a line 'alphanode post meta', found none"),
        ("title\n\nintro\n\nalphanode post meta", "page.txt:5: expected a blank line, found the end of the page"),
        (
            "title\n\nintro\n\nalphanode post meta\n\n\n",
            "page.txt:7: expected the meta label 'topic', found a blank line",
        ),
    ],
)
def test_garbage(page: str, message: str) -> None:
    assert _text_error(page) == message


def test_what_follows_similar_posts(lines: list[str]) -> None:
    base = "\n".join(lines)
    n = len(lines)
    assert (
        _text_error(base + "\nalphanode-000001") == f"page.txt:{n + 1}: expected a blank line, found 'alphanode-000001'"
    )
    assert _text_error(base + "\n\nalphanode-000001") == (
        f"page.txt:{n + 2}: expected a similar post line '  • alphanode-000123', found 'alphanode-000001'"
    )
    assert (
        _text_error(base + "\n\n  • alphanode-000001\nx")
        == f"page.txt:{n + 3}: expected the end of the page, found 'x'"
    )


# ---- HTML ----


@pytest.fixture(scope="module")
def html_page(post: dict[str, Any]) -> str:
    return render_html(post)


def _html_line(page: str, fragment: str) -> int:
    return page[: page.index(fragment)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("<dt>summary</dt>", "<dt>sumary</dt>", "expected the meta label 'summary', found 'sumary'"),
        (
            "<dt>summary</dt>",
            "<dt>ai brief</dt>",
            "expected the meta label 'summary', found the label 'ai brief', which comes later (meta labels come in page order; 'summary' is missing or out of place)",
        ),
        ("<li>has images: 1</li>", "<li>has images: <b>1</b></li>", "expected only text in <li>, found <b>"),
        ("<li>has images: 1</li>", "<li>has images: yes</li>", "expected 1 or 0 for 'has images', found 'yes'"),
        ("<li>has images: 1</li>", "<li>images: 1</li>", "expected 'has images: ...' of 'flags', found 'images: 1'"),
        ("<h2>production checks</h2>\n", "", "expected the section heading in <h2>, found <p>"),
        ("<dt>topic</dt>", "<dt>topic</dt><dt>x</dt>", "expected the <dd> of 'topic', found <dt>"),
        ('<section class="similar">', '<section class="other">', 'expected <section class="similar">, found <section>'),
    ],
)
def test_html_errors_name_the_line(html_page: str, old: str, new: str, message: str) -> None:
    assert old in html_page
    line = _html_line(html_page, old)
    assert _html_error(html_page.replace(old, new, 1)).split(": ", 1) == [f"page.html:{line}", message]


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("", "page.html:1: expected an <article> element, found none"),
        ("garbage <<< >>>", "page.html:1: expected an <article> element, found none"),
        ("<article><h1>t</h1></article>", "page.html:1: expected the intro in <p>, found the end of <article>"),
        ("<article><h1>t</h2>", "page.html:1: expected </h1> (opened on line 1), found </h2>"),
        ("<article>\n<h1>t", "page.html:2: expected </h1> (opened on line 2), found the end of the page"),
        ("</p>", "page.html:1: expected no end tag, found </p>"),
    ],
)
def test_html_garbage(page: str, message: str) -> None:
    assert _html_error(page) == message


def test_markup_the_stdlib_parser_cannot_read_is_an_input_error() -> None:
    """Python 3.11's html.parser raises AssertionError on '<![ x'; later versions read it as a bogus comment."""
    assert _html_error("<article>\n<![ x").startswith("page.html:2: expected ")


def test_an_image_whose_figcaption_disagrees_with_its_alt(html_page: str, post: dict[str, Any]) -> None:
    caption = post["images"][0]["caption"]
    page = html_page.replace(f'alt="{caption}"', 'alt="other"')
    line = _html_line(html_page, "<figcaption>")
    assert _html_error(page) == f"page.html:{line}: expected 'other. image source: ...', found {caption[:40] + '...'!r}"


# ---- only InputError, whatever the damage ----


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_damaged_text_page_parses_or_raises_input_error(lines: list[str], data: st.DataObject) -> None:
    damaged = list(lines)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(damaged) - 1))
        action = data.draw(st.sampled_from(["drop", "repeat", "swap", "text", "cut"]))
        if action == "drop":
            del damaged[at]
        elif action == "repeat":
            damaged.insert(at, damaged[at])
        elif action == "swap" and at + 1 < len(damaged):
            damaged[at], damaged[at + 1] = damaged[at + 1], damaged[at]
        elif action == "text":
            damaged[at] = data.draw(st.text(max_size=20))
        else:
            damaged[at] = damaged[at][: data.draw(st.integers(0, len(damaged[at])))]
    try:
        parse_text("\n".join(damaged))
    except InputError as exc:
        assert exc.message.startswith("<page>:")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(0, 20000), insert=st.text(max_size=30), width=st.integers(0, 40))
def test_a_damaged_html_page_parses_or_raises_input_error(html_page: str, cut: int, insert: str, width: int) -> None:
    at = cut % (len(html_page) + 1)
    try:
        parse_html(html_page[:at] + insert + html_page[at + width :])
    except InputError as exc:
        assert exc.message.startswith("<page>:")
