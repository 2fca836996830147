"""The static site: pages named from ids only, paths kept inside the folder, no broken internal link."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import orjson
import pytest

from synth.errors import InputError, OutputError, UsageError
from synth.generation.assemble import batch_dicts, post_dict
from synth.pages.html import parse_html
from synth.pages.site import render_file
from synth.render import index_page_name, render_html, write_site


class _Links(HTMLParser):
    """Every href and src of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "href":
                self.hrefs.append(value or "")
            elif name == "src":
                self.srcs.append(value or "")


def _links(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def _stream(count: int, *, seed: int = 0) -> Iterator[dict[str, Any]]:
    for first in range(0, count, 500):
        yield from batch_dicts(first, min(500, count - first), seed=seed)


def _post(index: int, similar: list[str]) -> dict[str, Any]:
    return {**post_dict(index, seed=2), "similar_posts": similar}


SITE = 1000  # ten index pages, and every similar-post link inside the site


def test_a_site_has_no_broken_link_and_nothing_outside_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    similar = sum(len(p["similar_posts"]) for p in _stream(SITE))
    summary = write_site(_stream(SITE), folder)
    pages = SITE // 100
    assert (summary.posts, summary.index_pages, summary.links, summary.unlinked) == (SITE, pages, similar, 0)
    assert list(tmp_path.iterdir()) == [folder]
    paths = list(folder.iterdir())
    assert all(path.is_file() and not path.is_symlink() for path in paths)
    names = {path.name for path in paths}
    assert names == {f"alphanode-{i:06d}.html" for i in range(SITE)} | {index_page_name(i) for i in range(pages)}
    assert summary.bytes == sum(path.stat().st_size for path in paths)
    broken = []
    for path in paths:
        links = _links(path)
        broken += [(path.name, href) for href in links.hrefs if href not in names]
        assert all(src.startswith("https://picsum.photos/") for src in links.srcs)
    assert broken == []


def test_index_pages_reach_every_post_in_order_with_prev_and_next(tmp_path: Path) -> None:
    summary = write_site(_stream(7), tmp_path, per_page=3)
    assert summary.index_pages == 3
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("alphanode")) == [
        "index.html",
        "page-2.html",
        "page-3.html",
    ]
    seen, page, navs = [], "index.html", []
    while page:
        hrefs = _links(tmp_path / page).hrefs
        seen += [h for h in hrefs if h.startswith("alphanode-")]
        navs.append([h for h in hrefs if not h.startswith("alphanode-")])
        page = hrefs[-1] if "next" in (tmp_path / page).read_text() else ""
    assert seen == [f"alphanode-{i:06d}.html" for i in range(7)]
    assert navs == [["page-2.html"], ["index.html", "page-3.html"], ["page-2.html"]]
    assert _links(tmp_path / "alphanode-000004.html").hrefs[-1] == "page-2.html"  # its index page


def test_an_empty_site_has_one_index_page(tmp_path: Path) -> None:
    summary = write_site([], tmp_path)
    assert (summary.posts, summary.index_pages) == (0, 1)
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]
    assert "no posts" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_similar_posts_outside_the_site_are_plain_text_and_later_ones_are_linked(tmp_path: Path) -> None:
    posts = [
        _post(1, ["alphanode-000002", "alphanode-000999", "alphanode-000001"]),
        _post(2, ["alphanode-000001", "not-an-id"]),
    ]
    summary = write_site(iter(posts), tmp_path)
    assert (summary.links, summary.unlinked) == (3, 2)
    first = _links(tmp_path / "alphanode-000001.html").hrefs
    assert first == ["alphanode-000002.html", "alphanode-000001.html", "index.html"]
    assert _links(tmp_path / "alphanode-000002.html").hrefs == ["alphanode-000001.html", "index.html"]
    for post in posts:  # the site's pages read back as the posts, navigation and plain-text links included
        assert parse_html((tmp_path / f"{post['id']}.html").read_text(encoding="utf-8")) == post
    assert summary.bytes == sum(p.stat().st_size for p in tmp_path.iterdir())


def test_post_pages_are_the_standalone_page_plus_navigation(tmp_path: Path) -> None:
    post = _post(3, [])
    write_site([post], tmp_path)
    page = (tmp_path / "alphanode-000003.html").read_text(encoding="utf-8")
    assert page == render_html(post).replace(
        "</article>\n", '</article>\n<nav><a href="index.html">all posts</a></nav>\n'
    )


def test_posts_are_streamed_one_page_at_a_time(tmp_path: Path) -> None:
    def posts() -> Iterator[dict[str, Any]]:
        for i in range(5):
            if i:  # the previous post's page is written before the next post is asked for
                assert (tmp_path / f"alphanode-{i - 1:06d}.html").is_file()
            yield post_dict(i, seed=4)

    assert write_site(posts(), tmp_path).posts == 5


@pytest.mark.parametrize(
    "bad_id",
    [
        "../evil",
        "../../../../tmp/evil",
        "/etc/passwd",
        "alphanode-12",
        "alphanode-000001/../../evil",
        "alphanode-000001\n",
        "alphanode-\u0661\u0662\u0663\u0664\u0665\u0666",  # Arabic-Indic digits: \\d but not ASCII
        "ALPHANODE-000001",
        "",
        None,
        1,
    ],
)
def test_a_bad_id_is_refused_and_nothing_is_written_for_it(tmp_path: Path, bad_id: Any) -> None:
    folder = tmp_path / "site"
    posts = [post_dict(0, seed=1), {**post_dict(1, seed=1), "id": bad_id}]
    with pytest.raises(InputError) as info:
        write_site(posts, folder)
    assert info.value.message == (f"post 2: {bad_id!r} is not a post id, and page file names are made from ids only")
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
    assert [p.name for p in folder.iterdir()] == ["alphanode-000000.html"]


def test_a_repeated_id_is_refused(tmp_path: Path) -> None:
    post = post_dict(0, seed=1)
    with pytest.raises(InputError, match="post 2: id alphanode-000000 repeats post 1"):
        write_site([post, copy.deepcopy(post)], tmp_path)


def test_a_symlink_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.html"
    outside.write_text("keep me", encoding="utf-8")
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "alphanode-000000.html").symlink_to(outside)
    with pytest.raises(OutputError, match="outside"):
        write_site([post_dict(0, seed=1)], folder)
    assert outside.read_text(encoding="utf-8") == "keep me"


def test_per_page_must_be_positive_and_the_folder_writable(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="per_page 0 is below 1"):
        write_site([], tmp_path, per_page=0)
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot create the folder"):
        write_site([], blocker / "site")


def test_a_hard_link_in_the_folder_is_replaced_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "precious.html"
    outside.write_text("keep me", encoding="utf-8")
    folder = tmp_path / "site"
    folder.mkdir()
    for name in ("alphanode-000000.html", "index.html"):  # a post page and an index page
        os.link(outside, folder / name)
    posts = [post_dict(0, seed=1), post_dict(1, seed=1)]
    write_site(posts, folder)
    assert outside.read_text(encoding="utf-8") == "keep me"
    assert outside.stat().st_nlink == 1
    assert parse_html((folder / "alphanode-000000.html").read_text(encoding="utf-8"))["id"] == "alphanode-000000"
    assert sorted(p.name for p in folder.iterdir()) == ["alphanode-000000.html", "alphanode-000001.html", "index.html"]


def test_a_symlink_inside_the_folder_is_replaced_not_written_through(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    notes = folder / "notes.html"
    notes.write_text("my notes", encoding="utf-8")
    (folder / "alphanode-000000.html").symlink_to(notes)
    write_site([post_dict(0, seed=1)], folder)
    assert notes.read_text(encoding="utf-8") == "my notes"
    page = folder / "alphanode-000000.html"
    assert not page.is_symlink() and parse_html(page.read_text(encoding="utf-8"))["id"] == "alphanode-000000"


def test_a_page_per_post_replaces_hard_links_too(tmp_path: Path) -> None:
    outside = tmp_path / "precious.md"
    outside.write_text("keep me", encoding="utf-8")
    folder = tmp_path / "pages"
    folder.mkdir()
    os.link(outside, folder / "alphanode-000000.md")
    source = tmp_path / "posts.jsonl"
    source.write_bytes(orjson.dumps(post_dict(0, seed=1)) + b"\n")
    assert render_file(str(source), "markdown", f"{folder}/") == f"1 page in {folder}"
    assert outside.read_text(encoding="utf-8") == "keep me"
    assert (folder / "alphanode-000000.md").read_text(encoding="utf-8").startswith("# ")


def test_a_failed_site_leaves_no_temporary_file(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    with pytest.raises(InputError):
        write_site([post_dict(0, seed=1), {**post_dict(1, seed=1), "title": "\ud800"}], folder)
    assert [p.name for p in folder.iterdir()] == ["alphanode-000000.html"]
