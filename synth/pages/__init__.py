"""The pages stage: posts rendered as pages (text like the sample page, HTML5, Markdown, a static site)
and pages read back into posts. Each renderer sits beside its reader.

Modules: :mod:`~synth.pages.layout` (what every page shares), :mod:`~synth.pages.text`,
:mod:`~synth.pages.html`, :mod:`~synth.pages.markdown`, :mod:`~synth.pages.site` (files and
sites), :mod:`~synth.pages.reading` (what the readers share). The names below are imported on
first use; :mod:`synth.render` keeps the renderers' old home working.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

_HOME = {
    "SiteSummary": "site",
    "index_page_name": "site",
    "parse_file": "site",
    "parse_html": "html",
    "parse_text": "text",
    "read_posts": "site",
    "render_file": "site",
    "render_html": "html",
    "render_markdown": "markdown",
    "render_text": "text",
    "write_site": "site",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(f"synth.pages.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'synth.pages' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
