"""The renderers' first home, kept so that ``from synth.render import render_html`` goes on working.

New code imports from :mod:`synth.pages` (or its modules :mod:`synth.pages.text`,
:mod:`synth.pages.html`, :mod:`synth.pages.markdown`, :mod:`synth.pages.site`).
"""

from __future__ import annotations

from synth.pages.html import render_html
from synth.pages.markdown import render_markdown
from synth.pages.site import SiteSummary, index_page_name, read_posts, render_file, write_site
from synth.pages.text import render_text

__all__ = [
    "SiteSummary",
    "index_page_name",
    "read_posts",
    "render_file",
    "render_html",
    "render_markdown",
    "render_text",
    "write_site",
]
