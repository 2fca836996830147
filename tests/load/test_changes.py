"""What a changed post rewrites (synth.load.changes), and a sync that writes only that."""

from __future__ import annotations

from pathlib import Path

import orjson

from synth.generation.assemble import post_dict
from synth.generation.edition import edition_lines
from synth.load.changes import CHILDREN, rewrites, text_of
from synth.load.importer import import_paths
from synth.load.rows import PostRows, post_rows
from synth.load.search import search
from tests.load.common import digest, options, query, write_lines


def _rows(post: dict[str, object]) -> PostRows:
    return post_rows(post, orjson.dumps(post))


def _stored(rows: PostRows) -> tuple[dict[str, list[object]], dict[str, dict[str, list[list[object]]]]]:
    """What the backends read back for ``rows``: its text, and its child rows without post_id, last first."""
    children = {
        table: {rows.id: [list(r[1:]) for r in reversed(getattr(rows, attr))]} for table, (attr, _) in CHILDREN.items()
    }
    return {rows.id: text_of(rows)}, children


def test_a_post_equal_to_what_is_stored_rewrites_nothing_whatever_the_stored_order() -> None:
    rows = _rows(post_dict(3, seed=1))
    done = rewrites([rows], *_stored(rows))
    assert done.text == [] and all(done.children[table] == [] for table in CHILDREN)


def test_each_difference_rewrites_only_its_part() -> None:
    post = post_dict(3, seed=1)
    texts, children = _stored(_rows(post))
    post["meta"]["tools"] = [*post["meta"]["tools"][1:], post["meta"]["tools"][0]]  # same tools, other positions
    post["intro"] += " More."
    changed = _rows(post)
    done = rewrites([changed], texts, children)
    assert done.text == [changed]
    assert {table: len(posts) for table, posts in done.children.items()} == {
        "post_tools": 1, "post_entities": 0, "post_links": 0,
    }  # fmt: skip


def test_what_is_not_stored_or_not_plainly_equal_is_rewritten() -> None:
    rows = _rows(post_dict(3, seed=1))
    texts, children = _stored(rows)
    fewer = {table: {rows.id: stored[rows.id][:-1]} for table, stored in children.items()}
    assert all(rewrites([rows], {}, fewer).children[t] == [rows] for t in CHILDREN if getattr(rows, CHILDREN[t][0]))
    assert rewrites([rows], {}, children).text == [rows]
    as_text = {table: {rows.id: [[str(v) for v in r] for r in stored[rows.id]]} for table, stored in children.items()}
    assert rewrites([rows], texts, as_text).children["post_tools"] == [rows]  # position '0' is not 0


def test_a_sync_to_the_next_editions_equals_a_fresh_import_of_the_last(
    db_url: str, reference_url: str, tmp_path: Path
) -> None:
    """Editions drop links (child rows only) and revise bodies (text, same tools): rows and search answers
    after the syncs are those of a fresh import of the last edition."""
    editions = [write_lines(tmp_path / f"e{e}.jsonl", list(edition_lines(300, e, seed=5))) for e in (1, 2, 3)]
    for edition in editions:
        import_paths([str(edition)], db_url, options=options(sync=True, batch=70))
    import_paths([str(editions[-1])], reference_url, options=options())
    assert digest(db_url) == digest(reference_url)
    words = {w for (title,) in query(reference_url, "SELECT title FROM posts") for w in title.split()[:2]}
    for word in sorted(words)[:40]:
        assert search(db_url, word, limit=50) == search(reference_url, word, limit=50), word
