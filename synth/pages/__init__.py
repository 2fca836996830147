"""The pages stage: posts rendered as pages (text like the sample page, HTML5, Markdown, a static site)
and pages read back into posts. Each renderer sits beside its reader.

Modules: :mod:`~synth.pages.layout` (what every page shares), :mod:`~synth.pages.text`,
:mod:`~synth.pages.html`, :mod:`~synth.pages.markdown`, :mod:`~synth.pages.site` (files and
sites), :mod:`~synth.pages.reading` (what the readers share). The names below are imported on
first use; :mod:`synth.render` keeps the renderers' old home working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from synth._lazy import lazy

if TYPE_CHECKING:
    from synth.pages.html import parse_html, render_html
    from synth.pages.markdown import render_markdown
    from synth.pages.site import SiteSummary, index_page_name, parse_file, read_posts, render_file, write_site
    from synth.pages.text import parse_text, render_text

__all__ = [
    "SiteSummary",
    "index_page_name",
    "parse_file",
    "parse_html",
    "parse_text",
    "read_posts",
    "render_file",
    "render_html",
    "render_markdown",
    "render_text",
    "write_site",
]

__getattr__, __dir__ = lazy(
    __name__,
    {
        "SiteSummary": "synth.pages.site",
        "index_page_name": "synth.pages.site",
        "parse_file": "synth.pages.site",
        "parse_html": "synth.pages.html",
        "parse_text": "synth.pages.text",
        "read_posts": "synth.pages.site",
        "render_file": "synth.pages.site",
        "render_html": "synth.pages.html",
        "render_markdown": "synth.pages.markdown",
        "render_text": "synth.pages.text",
        "write_site": "synth.pages.site",
    },
)
