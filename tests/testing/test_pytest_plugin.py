"""The pytest plugin, as a fresh project that only installed synth sees it."""

from __future__ import annotations

import pytest

from synth.errors import GenerationError
from synth.testing.factory import build_post

pytest_plugins = ["pytester"]

FIXTURES = (
    "synth_seed",
    "synth_post",
    "synth_posts",
    "synth_factory",
    "synth_corpus",
    "synth_corpus_file",
    "synth_queries",
    "synth_sqlite",
    "synth_sqlite_db",
)


def test_fixtures_are_listed_with_docstrings(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    text = result.stdout.str()
    for name in FIXTURES:
        assert name in text
    assert "A factory of valid posts with overrides" in text
    assert "A SQLite database holding 100 imported posts" in text


def test_a_test_using_the_fixtures_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import sqlite3

        def test_data(synth_post, synth_posts, synth_factory, synth_corpus, synth_sqlite_db):
            assert synth_post.id == "alphanode-000000"
            assert [p.id for p in synth_posts][-1] == "alphanode-000009"
            rails = synth_factory(3, stack="rails apps", images=0)
            assert all(p.meta.topic.endswith(" / rails apps") and not p.meta.flags.has_images for p in rails)
            assert synth_corpus(20, fmt="jsonl.gz").name.endswith(".jsonl.gz")
            with sqlite3.connect(synth_sqlite_db) as db:
                assert db.execute("select count(*) from posts").fetchone() == (100,)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def _first_title(pytester: pytest.Pytester, *args: str) -> str:
    pytester.makepyfile(
        """
        def test_title(synth_post):
            print("TITLE=" + synth_post.title)
        """
    )
    result = pytester.runpytest("-s", *args)
    result.assert_outcomes(passed=1)
    return next(line for line in result.stdout.lines if "TITLE=" in line).split("TITLE=", 1)[1]


def test_the_query_workload_fixture_checks_the_fixture_database(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import sqlite3
        import synth

        def test_index(synth_queries, synth_sqlite_db):
            assert len(synth_queries) == 100
            assert {q.kind for q in synth_queries} >= {"term", "phrase", "filter", "id", "absent"}
            assert synth.check_index(str(synth_sqlite_db), synth_queries).ok
            with sqlite3.connect(synth_sqlite_db) as db:
                db.execute("DELETE FROM post_links")
            report = synth.check_index(str(synth_sqlite_db), synth_queries)
            assert not report.ok and report.kinds["similar"].recall < 1
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_seed_changes_the_data_reproducibly(pytester: pytest.Pytester) -> None:
    default = _first_title(pytester)
    seven = _first_title(pytester, "--synth-seed", "7")
    assert seven != default
    assert _first_title(pytester, "--synth-seed", "7") == seven
    pytester.makeini("[pytest]\nsynth_seed = 7\n")
    assert _first_title(pytester) == seven


def test_the_report_header_names_the_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest("--synth-seed", "42")
    result.stdout.fnmatch_lines(["synth *: seed 42 (replay with --synth-seed 42)"])


def test_the_seed_fixture_can_be_overridden(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("import pytest\n\n@pytest.fixture(scope='session')\ndef synth_seed():\n    return 3\n")
    pytester.makepyfile(
        """
        from synth import generate_post

        def test_pinned(synth_post):
            assert synth_post == generate_post(0, seed=3)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_factory_overrides_keep_invariants() -> None:
    post = build_post(
        5,
        seed=2,
        problem="fixing flaky tests",
        stack="rails apps",
        scenario="for a demo",
        images=4,
        checklist=["pin versions", "run twice"],
        paragraphs=["one.", "two.", "three."],
    )
    meta = post["meta"]
    assert meta["topic"] == "fixing flaky tests / rails apps"
    assert "fixing flaky tests" in post["title"] and "rails apps" in post["intro"] and "for a demo" in post["intro"]
    assert meta["flags"]["image_heavy"] and len(meta["image_sources"]) == 4
    assert meta["payload"]["paragraphs"] == 3 + len(post["sections"][2]["paragraphs"])
    assert post["sections"][1]["items"] == meta["checklist"] == ["pin versions", "run twice"]


def test_factory_refuses_what_cannot_be_consistent() -> None:
    with pytest.raises(GenerationError, match=r"the overrides \['title'\] break C017 at \$\.title"):
        build_post(1, title="Nothing about it")
    with pytest.raises(GenerationError, match="cannot override colour"):
        build_post(1, colour="red")
