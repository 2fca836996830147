"""Files of pages: a static site, a page per post, one page; and reading posts and pages from files.

**Site** (:func:`write_site`): one ``<id>.html`` page per post and paginated index pages; file
names come from validated post ids only, every path is checked to resolve directly inside the
folder, and posts are streamed (only ids and titles are kept). Every file is written by replacing
its directory entry (a temporary file renamed over it, :func:`synth.io.open_output`): never
through an existing symbolic or hard link, and never left half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson
from pydantic import ValidationError

from synth.errors import InputError, OutputError, UsageError
from synth.io import make_folder, open_input, open_output
from synth.pages.html import document, escape, parse_html, post_page, render_html
from synth.pages.layout import POST_ID, PostLike, as_dict, rendered
from synth.pages.markdown import render_markdown
from synth.pages.text import parse_text, render_text
from synth.schema.model import Post
from synth.schema.paths import error_path, format_path
from synth.validate.options import make_options
from synth.validate.records import records
from synth.wording import plural

__all__ = ["MAX_PAGE_BYTES", "SiteSummary", "index_page_name", "parse_file", "read_posts", "render_file", "write_site"]


@dataclass(frozen=True, slots=True)
class SiteSummary:
    """What :func:`write_site` wrote.

    ``links`` counts the similar-post links written; ``unlinked`` the similar posts shown as
    plain text because they are not in the site (or their id is not a post id).
    """

    folder: Path
    posts: int
    index_pages: int
    links: int
    unlinked: int
    bytes: int


def index_page_name(page: int) -> str:
    """File name of index page ``page`` (0-based): ``index.html``, then ``page-2.html``, ..."""
    return "index.html" if page == 0 else f"page-{page + 1}.html"


@dataclass(slots=True)
class _Site:
    """What a site write keeps while it streams: ids and titles for the index, and counters."""

    folder: Path
    per_page: int
    entries: list[tuple[str, str]]
    positions: dict[str, int]
    forward: dict[str, list[str]]
    links: int = 0
    unlinked: int = 0
    bytes: int = 0

    def path(self, name: str) -> Path:
        """The path of file ``name`` in the folder; refused unless it resolves to a file directly in it."""
        path = (self.folder / name).resolve()
        if path.parent != self.folder:
            raise OutputError(f"{self.folder / name} resolves to {path}, outside {self.folder}", hint="remove the link")
        return path

    def write(self, name: str, page: str) -> None:
        """Write ``page`` as UTF-8 to file ``name`` of the folder, replacing its entry (never through a link)."""
        try:
            data = page.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(f"{name}: the post holds {exc.object[exc.start : exc.end]!r}, not valid Unicode") from None
        self.path(name)
        _replace(self.folder / name, data)
        self.bytes += len(data)


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` as the file ``path``: a new file renamed over the entry, whatever the entry was."""
    with open_output(str(path), follow_links=False) as stream:
        stream.write(data)


def write_site(posts: Iterable[PostLike], folder: Path, *, per_page: int = 100) -> SiteSummary:
    """Write a static site of ``posts`` into ``folder``: one ``<id>.html`` page each, and index pages.

    Index pages ``index.html``, ``page-2.html``, ... list ``per_page`` posts each, in input
    order, with previous/next links; each post page links to its index page. Similar posts
    link to their pages when they are in the site and are plain text otherwise (a post linking
    to a later post has that link added once the later post has been seen). File names are
    made only from post ids matching the id pattern, and every path is checked to resolve
    directly inside ``folder``. Posts are streamed: only ids and titles are kept.

    Raises :class:`InputError` for a post whose id is not a post id or repeats an earlier one,
    :class:`UsageError` for ``per_page`` < 1 and :class:`OutputError` when a file cannot be written.
    """
    if per_page < 1:
        raise UsageError(f"per_page {per_page} is below 1", hint="list at least one post per index page")
    site = _Site(make_folder(folder), per_page, [], {}, {})
    for post in posts:
        _write_post_page(site, as_dict(post))
    _add_forward_links(site)
    pages = _write_index_pages(site)
    return SiteSummary(site.folder, len(site.entries), pages, site.links, site.unlinked, site.bytes)


def _site_id(site: _Site, post: dict[str, Any]) -> str:
    """The post's id, refused unless it is a post id not seen before in this site."""
    pid = post.get("id")
    number = len(site.entries) + 1
    if not isinstance(pid, str) or not POST_ID.fullmatch(pid):
        raise InputError(
            f"post {number}: {pid!r} is not a post id, and page file names are made from ids only",
            hint="give every post an id such as alphanode-000123 ('alphanode-' and six or more digits)",
        )
    if pid in site.positions:
        raise InputError(f"post {number}: id {pid} repeats post {site.positions[pid] + 1}", hint="make ids unique")
    return pid


def _write_post_page(site: _Site, post: dict[str, Any]) -> None:
    """Write the page of the next post and note its id and title for the index."""
    pid = _site_id(site, post)
    position = len(site.entries)
    site.positions[pid] = position
    title = post.get("title")
    site.entries.append((pid, title if isinstance(title, str) else ""))
    similar = post.get("similar_posts")
    ids = [s for s in similar if isinstance(s, str) and POST_ID.fullmatch(s)] if isinstance(similar, list) else []
    later = [s for s in ids if s not in site.positions]
    if later:
        site.forward[pid] = later
    site.links += len(ids) - len(later)
    site.unlinked += (len(similar) if isinstance(similar, list) else 0) - len(ids)
    nav = f'<nav><a href="{index_page_name(position // site.per_page)}">all posts</a></nav>\n'
    page = rendered(lambda data: post_page(data, lang="en", linked=site.positions.__contains__, nav=nav), post)
    site.write(f"{pid}.html", page)


def _add_forward_links(site: _Site) -> None:
    """Link the similar posts that were not yet seen when their page was written, now that all are known."""
    for pid, later in site.forward.items():
        found = [s for s in later if s in site.positions]
        site.links += len(found)
        site.unlinked += len(later) - len(found)
        if found:
            path = site.path(f"{pid}.html")
            site.bytes -= path.stat().st_size
            site.write(path.name, _relink(path.read_text(encoding="utf-8"), found))


def _relink(page: str, ids: list[str]) -> str:
    """The page with the plain-text similar posts ``ids`` turned into links.

    Only the similar-posts section, the last of the page and made from validated ids alone, is
    touched: content is escaped, so nothing before it can hold these tags.
    """
    head, marker, tail = page.rpartition('<section class="similar">')
    for pid in ids:
        tail = tail.replace(f"<li>{pid}</li>", f'<li><a href="{pid}.html">{pid}</a></li>')
    return head + marker + tail


def _write_index_pages(site: _Site) -> int:
    """Write the index pages (at least one); returns how many."""
    count = max(1, -(-len(site.entries) // site.per_page))
    for page in range(count):
        chunk = site.entries[page * site.per_page : (page + 1) * site.per_page]
        first = page * site.per_page + 1
        site.write(index_page_name(page), _index_page(chunk, page, count, (first, len(site.entries))))
    return count


def _index_page(entries: list[tuple[str, str]], page: int, count: int, span: tuple[int, int]) -> str:
    """Index page ``page`` of ``count``; ``span`` is (number of its first post, number of posts)."""
    first, total = span
    items = "".join(f'<li><a href="{pid}.html">{escape(title)}</a></li>\n' for pid, title in entries)
    links = []
    if page > 0:
        links.append(f'<a href="{index_page_name(page - 1)}" rel="prev">previous</a>')
    if page + 1 < count:
        links.append(f'<a href="{index_page_name(page + 1)}" rel="next">next</a>')
    nav = f"<nav>{' '.join(links)}</nav>\n" if links else ""
    shown = f"posts {first:,} to {first + len(entries) - 1:,} of {total:,}" if entries else "no posts"
    body = (
        f"<main>\n<h1>alphanode posts</h1>\n<p>page {page + 1} of {count}: {shown}</p>\n"
        f"<ul>\n{items}</ul>\n{nav}</main>\n"
    )
    return document(f"alphanode posts, page {page + 1} of {count}", "en", body)


_EXTENSIONS: Final = {"text": "txt", "html": "html", "markdown": "md"}
_RENDERERS: Final[dict[str, Callable[[PostLike], str]]] = {
    "text": render_text,
    "html": render_html,
    "markdown": render_markdown,
}


def read_posts(path: str) -> Iterator[dict[str, Any]]:
    """The posts of a corpus file, each checked against the model (an invalid one stops with its line)."""

    with open_input(path) as stream:
        for record in records(stream, make_options()):
            try:
                obj = record.obj if record.data is None else orjson.loads(record.data)
                yield Post.model_validate(obj).model_dump(mode="json")
            except (orjson.JSONDecodeError, ValidationError) as exc:
                where = ""
                if isinstance(exc, ValidationError):
                    first = exc.errors()[0]
                    where = f" at {format_path(error_path(first['loc']))}: {first['msg']}"
                raise InputError(
                    f"{path}:{record.line}: not a valid post{where or ': ' + str(exc)}",
                    hint=f"check it with `synth validate {path}`",
                ) from None


def render_file(path: str, fmt: str, output: str, *, per_page: int = 100) -> str:
    """Render the posts of ``path``: one page to ``output``, a page per post into a folder, or a site."""
    posts = read_posts(path)
    if fmt == "site":
        summary = write_site(posts, Path(output), per_page=per_page)
        pages = f"{plural(summary.posts, 'post page')} and {plural(summary.index_pages, 'index page')}"
        return f"{pages} in {summary.folder}"
    render = _RENDERERS[fmt]
    if output.endswith("/") or Path(output).is_dir():
        return _pages_into(posts, Path(output), render, _EXTENSIONS[fmt])
    first = next(posts, None)
    if first is None or next(posts, None) is not None:
        raise UsageError(f"{path} does not hold exactly one post", hint="pass --output DIR/ to render a page per post")

    with open_output(output) as stream:
        stream.write(render(first).encode())
    return f"1 page in {output}"


def _pages_into(posts: Iterable[dict[str, Any]], folder: Path, render: Callable[[PostLike], str], ext: str) -> str:
    root = make_folder(folder)
    count = 0
    for post in posts:
        entry = root / f"{post['id']}.{ext}"
        target = entry.resolve()
        if target.parent != root:
            raise OutputError(f"{target} is outside {root}", hint="post ids must be alphanode-NNNNNN")
        _replace(entry, render(post).encode("utf-8"))
        count += 1
    return f"{plural(count, 'page')} in {root}"


MAX_PAGE_BYTES: Final = 16 << 20


def parse_file(path: str, fmt: str | None = None) -> dict[str, Any]:
    """Parse a rendered page file (``-`` is stdin); ``fmt`` text or html, guessed from the content when None."""

    with open_input(path) as stream:
        data = stream.read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        raise InputError(f"{path}: larger than {MAX_PAGE_BYTES:,} bytes", hint="pass one page at a time")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: byte {exc.start} is not UTF-8", hint="save the page as UTF-8") from None
    guess = "html" if text.lstrip("\ufeff \t\r\n").startswith("<") else "text"
    return (parse_html if (fmt or guess) == "html" else parse_text)(text, source=path)
