"""Page rendering and parsing speed: text, HTML and Markdown pages per second on one core.

Run from the project root with the project's virtualenv (the report goes to stdout)::

    .venv/bin/python benchmarks/bench_render.py           # normal run, about half a minute
    .venv/bin/python benchmarks/bench_render.py --quick   # smoke run, a few seconds

The process pins itself to CPU 0 (``os.sched_setaffinity``, where the OS has it). The posts
are generated first (seed 0, hash filled in, as ``synth generate`` writes them) and are not
part of any timing. Each row is the best of three runs after an untimed warm-up, wall time
from ``time.perf_counter``:

* ``render_text``, ``render_html``, ``render_markdown``: ``synth.render``, one call per post
  (plain f-strings and ``str.join``, values escaped with ``html.escape`` / ``str.translate``);
* ``jinja2 html template``: the same HTML page from a Jinja2 template with autoescaping, the
  way one would write it with templates (only when ``jinja2`` is installed). Its output is
  checked to read back (``parse_html``) as the same post, so both rows do the same work;
* ``parse_text``, ``parse_html``: ``synth.pages`` on the pages rendered above;
* ``write_site``: ``synth.render.write_site`` into a new temporary folder per run (pages and
  index pages written to disk, each path resolved and checked; removing them is not timed).

The 1-minute load average is printed at the start and the end: above 1, other processes
shared the machine and the rates are low.

"KB/page" is the average page size (UTF-8, 1000 bytes); "vs html" divides the row's pages/s
by ``render_html``'s.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from _common import print_aligned

from synth.generation.assemble import batch_json
from synth.pages import parse_html, parse_text
from synth.pages.layout import META_FIELDS
from synth.render import render_html, render_markdown, render_text, write_site

TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ post.title }}</title>
</head>
<body>
<article>
<h1>{{ post.title }}</h1>
<p>{{ post.intro }}</p>
{% for image in post.images %}{% set src = post.meta.image_sources[loop.index0].url %}<figure>\
<img src="{{ src }}" alt="{{ image.caption }}"><figcaption>{{ image.caption }}. image source: \
{{ image.source }}</figcaption></figure>
{% endfor %}{% for section in post.sections %}<section>
<h2>{{ section.heading }}</h2>
{% if section.kind == "checklist" %}<ul>
{% for item in section["items"] %}<li>{{ item }}</li>
{% endfor %}</ul>
{% else %}{% for p in section.paragraphs %}<p>{{ p }}</p>
{% endfor %}{% endif %}</section>
{% endfor %}<section class="meta">
<h2>alphanode post meta</h2>
<dl>
{% macro scalar(value, kind) %}{% if kind == "flag" %}{{ 1 if value else 0 }}{% else %}{{ value }}{% endif %}\
{% endmacro %}\
{% macro members(f, value) %}<ul>
{% for key, label, kind in f.fields %}<li>{{ label }}: {{ scalar(value[key], kind) }}</li>
{% endfor %}</ul>
{% endmacro %}\
{% for f in fields %}{% set value = post.meta[f.key] %}<dt>{{ f.label }}</dt><dd>\
{% if f.kind == "list" %}<ul>
{% for item in value %}<li>{{ item }}</li>
{% endfor %}</ul>
{% elif f.kind == "object" %}{{ members(f, value) }}\
{% elif f.kind == "objects" %}<ul>
{% for item in value %}<li>{{ members(f, item) }}</li>
{% endfor %}</ul>
{% else %}{{ scalar(value, f.kind) }}{% endif %}</dd>
{% endfor %}</dl>
</section>
<section class="similar">
<h2>Similar Posts</h2>
{% if post.similar_posts %}<ul>
{% for pid in post.similar_posts %}<li><a href="{{ pid }}.html">{{ pid }}</a></li>
{% endfor %}</ul>
{% endif %}</section>
</article>
</body>
</html>
"""


def _jinja_renderer() -> Callable[[dict[str, Any]], str] | None:
    """The Jinja2 template's render function, or None without jinja2."""
    try:
        import jinja2  # noqa: PLC0415 - optional
    except ImportError:
        return None
    env = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    template = env.from_string(TEMPLATE)
    return lambda post: template.render(post=post, fields=META_FIELDS)


def _best(work: Callable[[], Any], runs: int = 3) -> float:
    work()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _site(posts: list[dict[str, Any]], root: Path) -> None:
    """``write_site`` into a new folder under ``root`` (removed with ``root``, outside the timing)."""
    write_site(posts, root / f"site-{len(list(root.iterdir()))}")


def _rows(posts: list[dict[str, Any]], root: Path) -> list[tuple[str, float, float]]:
    """(name, seconds, average page bytes) per contender; sites are written under ``root``."""
    texts = [render_text(p) for p in posts]
    htmls = [render_html(p) for p in posts]
    markdowns = [render_markdown(p) for p in posts]
    rows = [
        ("render_text", _best(lambda: [render_text(p) for p in posts]), _size(texts)),
        ("render_html", _best(lambda: [render_html(p) for p in posts]), _size(htmls)),
        ("render_markdown", _best(lambda: [render_markdown(p) for p in posts]), _size(markdowns)),
    ]
    jinja = _jinja_renderer()
    if jinja is not None:
        pages = [jinja(p) for p in posts]
        assert all(parse_html(page) == post for page, post in zip(pages, posts, strict=True))  # noqa: S101
        rows.append(("jinja2 html template", _best(lambda: [jinja(p) for p in posts]), _size(pages)))
    rows += [
        ("parse_text", _best(lambda: [parse_text(t) for t in texts]), _size(texts)),
        ("parse_html", _best(lambda: [parse_html(h) for h in htmls]), _size(htmls)),
        ("write_site", _best(lambda: _site(posts, root)), _size(htmls)),
    ]
    return rows


def _size(pages: list[str]) -> float:
    return sum(len(page.encode("utf-8")) for page in pages) / len(pages)


def _report(rows: list[tuple[str, float, float]], count: int) -> None:
    html_rate = next(count / s for name, s, _ in rows if name == "render_html")
    header = ("what", "pages", "seconds", "pages/s", "us/page", "KB/page", "vs html")
    table = [header]
    for name, seconds, size in rows:
        rate = count / seconds
        table.append(
            (
                name,
                f"{count:,}",
                f"{seconds:.3f}",
                f"{rate:,.0f}",
                f"{1e6 / rate:,.1f}",
                f"{size / 1000:.1f}",
                f"{rate / html_rate:.2f}x",
            )
        )
    print_aligned(table)
    if jinja_note := next((name for name, _, _ in rows if name.startswith("jinja2")), None):
        print(f"\n{jinja_note}: same page, read back equal by parse_html; kept: plain f-strings (see ratio).")
    else:
        print("\njinja2 not installed: the template row is left out (pip install jinja2 to compare).")


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer posts, a smoke run")
    parser.add_argument("--count", type=int, default=None, help="posts per row (default 2000, quick 300)")
    args = parser.parse_args()
    count = args.count or (300 if args.quick else 2000)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    posts = [orjson.loads(line) for line in batch_json(0, count, seed=0)]
    print(f"synth page rendering, {count:,} posts (seed 0), one core (CPU 0), best of 3")
    print(f"load average at start: {os.getloadavg()[0]:.2f}\n")
    with tempfile.TemporaryDirectory() as root:
        rows = _rows(posts, Path(root))
    _report(rows, count)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
