"""``synth render`` and ``synth parse``: posts as pages, and pages back into posts."""

from __future__ import annotations

import enum
from typing import Annotated

import orjson
import typer

from synth.cli.common import MAX_COUNT, app, err, opt, reported
from synth.io import open_output


class PageFormat(enum.Enum):
    """Page formats of ``synth render``."""

    TEXT = "text"
    HTML = "html"
    MARKDOWN = "markdown"
    SITE = "site"


class ParseFormat(enum.Enum):
    """Page formats ``synth parse`` reads."""

    TEXT = "text"
    HTML = "html"


@app.command()
def render(
    path: Annotated[str, typer.Argument(help="Posts to render (.jsonl, .json, .gz, .zst); - is stdin.")] = "-",
    fmt: Annotated[PageFormat, opt("--format", "-f", help="text (like the sample page), html, markdown, or site.")] = (
        PageFormat.TEXT
    ),
    output: Annotated[
        str, opt("--output", "-o", help="File for one post (- is stdout), or a folder: a page per post, or the site.")
    ] = "-",
    per_page: Annotated[
        int, opt("--per-page", min=1, max=MAX_COUNT, help="With --format site: posts per index page.")
    ] = 100,
) -> None:
    """Render posts as pages: text like the sample page, HTML, Markdown, or a whole static site."""
    from synth.pages.site import render_file  # noqa: PLC0415 - pydantic only for the commands that need it

    with reported():
        summary = render_file(path, fmt.value, output, per_page=per_page)
        if output != "-" or fmt is PageFormat.SITE:
            err.print(summary, markup=False)


@app.command()
def parse(
    path: Annotated[str, typer.Argument(help="A rendered page (text or HTML); - is stdin.")],
    fmt: Annotated[ParseFormat | None, opt("--format", "-f", help="text or html; default: guessed.")] = None,
    output: Annotated[str, opt("--output", "-o", help="Where to write the post as JSON; - is stdout.")] = "-",
) -> None:
    """Read a rendered page (text or HTML) back into a post as JSON, to import scraped content."""
    from synth.pages.site import parse_file  # noqa: PLC0415

    with reported():
        post = parse_file(path, None if fmt is None else fmt.value)
        with open_output(output) as stream:
            stream.write(orjson.dumps(post) + b"\n")
