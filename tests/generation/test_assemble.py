"""The synthesizer: shape fidelity, every consistency rule of the sample, determinism."""

from __future__ import annotations

import hashlib
import re
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from synth import generate, generate_post
from synth.errors import GenerationError
from synth.generation.assemble import GENERATOR, batch_dicts, batch_json, post_dict, post_json
from synth.generation.plan import EPOCH
from synth.generation.vocab import LOCALES, topics
from synth.schema.hash import content_hash
from synth.schema.model import Post
from tests.conftest import FIXTURES

N = 3000


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in batch_json(0, N, seed=42)]


def _section(post: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [s for s in post["sections"] if s["kind"] == kind]


def test_every_post_validates_against_the_model(corpus: list[dict[str, Any]]) -> None:
    for post in corpus:
        assert Post.model_validate(post).model_dump(mode="json") == post


def test_key_order_is_the_schema_order(corpus: list[dict[str, Any]]) -> None:
    for post in corpus[:200]:
        assert Post.model_validate(post).model_dump_json().encode() == orjson.dumps(post)


def test_topic_is_problem_slash_stack(corpus: list[dict[str, Any]]) -> None:
    for post in corpus:
        outline = post["meta"]["ai_outline"]
        assert post["meta"]["topic"] == f"{outline['problem']} / {outline['stack']}"


def test_outline_context_is_the_payload_scenario(corpus: list[dict[str, Any]]) -> None:
    for post in corpus:
        assert post["meta"]["ai_outline"]["context"] == post["meta"]["payload"]["scenario"]


def test_checklist_is_the_checklist_section(corpus: list[dict[str, Any]]) -> None:
    for post in corpus:
        (section,) = _section(post, "checklist")
        assert post["meta"]["checklist"] == section["items"]
        assert section["heading"] == "implementation checklist"


def test_payload_paragraphs_count_the_body_paragraphs(corpus: list[dict[str, Any]]) -> None:
    for post in corpus:
        count = sum(len(s["paragraphs"]) for s in _section(post, "paragraphs"))
        assert post["meta"]["payload"]["paragraphs"] == count


def test_flags_agree_with_the_images(corpus: list[dict[str, Any]]) -> None:
    for post in corpus:
        flags, sources = post["meta"]["flags"], post["meta"]["image_sources"]
        assert flags["has_images"] == bool(sources)
        assert flags["image_heavy"] == (len(sources) >= 3)
        assert [(i["caption"], i["source"]) for i in post["images"]] == [(s["caption"], s["source"]) for s in sources]


def test_the_post_number_names_the_post_everywhere(corpus: list[dict[str, Any]]) -> None:
    for index, post in enumerate(corpus):
        number = f"{index:06d}"
        meta = post["meta"]
        assert post["id"] == f"alphanode-{number}" == meta["payload"]["source_id"]
        assert meta["payload"]["seed"] == index
        assert re.fullmatch(rf"anp-ref-{number}-\d{{4}}", meta["reference"])
        for n, source in enumerate(meta["image_sources"], start=1):
            suffix = "" if n == 1 else f"-{n}"
            assert source["url"] == f"https://picsum.photos/seed/anp-{number}{suffix}/1200/630"


def test_image_captions_name_problem_and_stack(corpus: list[dict[str, Any]]) -> None:
    for post in corpus:
        outline = post["meta"]["ai_outline"]
        for n, image in enumerate(post["images"], start=1):
            assert image["caption"] == f"{outline['problem']} with {outline['stack']} visual reference {n}"


def test_stack_list_and_entities(corpus: list[dict[str, Any]]) -> None:
    for post in corpus:
        meta = post["meta"]
        stack, area, language = meta["stack"]
        assert stack == meta["ai_outline"]["stack"]
        assert language == meta["code_language"]
        assert {"name": stack, "type": "stack"} in meta["entities"]
        assert {"name": area, "type": "area"} in meta["entities"]
        assert {"name": meta["ai_outline"]["problem"], "type": "problem"} in meta["entities"]


def test_title_and_intro_name_problem_stack_and_scenario(corpus: list[dict[str, Any]]) -> None:
    for post in corpus:
        outline = post["meta"]["ai_outline"]
        assert outline["problem"] in post["title"] and outline["stack"] in post["title"]
        for part in (outline["problem"], outline["stack"], outline["context"]):
            assert part in post["intro"]
        assert post["title"][0].isupper()


def test_hash_is_the_documented_digest(corpus: list[dict[str, Any]]) -> None:
    for post in corpus:
        assert post["meta"]["hash"] == content_hash(post)


def test_similar_posts_are_earlier_posts_of_the_corpus(corpus: list[dict[str, Any]]) -> None:
    ids = [p["id"] for p in corpus]
    for index, post in enumerate(corpus):
        for similar in post["similar_posts"]:
            assert similar in ids[:index]
    assert corpus[0]["similar_posts"] == []
    assert sum(bool(p["similar_posts"]) for p in corpus) > N / 2


def test_dates_are_before_the_fixed_epoch(corpus: list[dict[str, Any]]) -> None:
    dates = [p["meta"]["revision"]["last_reviewed"] for p in corpus]
    assert max(dates) <= EPOCH.isoformat()
    assert min(dates) >= "2017-01-01"


def test_generator_and_notes(corpus: list[dict[str, Any]]) -> None:
    standing = list(topics().notes[:3])
    for post in corpus:
        assert post["meta"]["payload"]["generator"] == GENERATOR
        assert post["meta"]["notes"][:3] == standing


def test_view_counts_are_heavy_tailed(corpus: list[dict[str, Any]]) -> None:
    views = sorted(p["meta"]["view_count"] for p in corpus)
    median = statistics.median(views)
    assert 5_000 < median < 30_000
    assert views[-1] > 50 * median
    assert views[int(0.99 * N)] > 10 * median


def test_image_count_distribution(corpus: list[dict[str, Any]]) -> None:
    counts = Counter(len(p["images"]) for p in corpus)
    assert set(counts) <= {0, 1, 2, 3, 4, 5}
    assert 0.35 * N < counts[1] < 0.55 * N
    assert 0.08 * N < counts[0] < 0.22 * N


def test_free_text_vocabulary_is_zipf_like(corpus: list[dict[str, Any]]) -> None:
    words = Counter(
        w for p in corpus for s in _section(p, "paragraphs") for para in s["paragraphs"] for w in para.split()
    )
    ranked = [n for _, n in words.most_common()]
    assert len(ranked) > 2000
    # Frequency falls roughly as 1/rank: rank 10 vs rank 100 differ by close to tenfold.
    assert 4 < ranked[9] / ranked[99] < 25


def test_pools_make_distinct_titles_and_bodies(corpus: list[dict[str, Any]]) -> None:
    titles = {p["title"] for p in corpus}
    bodies = {orjson.dumps(p["sections"]) for p in corpus}
    assert len(titles) > 0.99 * N
    assert len(bodies) == N


@pytest.mark.parametrize(
    ("locale", "pattern"),
    [
        ("ja_JP", r"[\u3040-\u30ff\u4e00-\u9fff]"),
        ("zh_CN", r"[\u4e00-\u9fff]"),
        ("ar_AA", r"[\u0600-\u06ff]"),
        ("de_DE", r"[äöüßÄÖÜ]"),
        ("fr_FR", r"[éèàçêù]"),
    ],
)
def test_locales_carry_their_script(locale: str, pattern: str) -> None:
    text = " ".join(
        para
        for post in batch_dicts(0, 50, locale=locale)
        for s in _section(post, "paragraphs")
        for para in s["paragraphs"]
    )
    assert re.search(pattern, text)
    for post in batch_dicts(0, 50, locale=locale):
        Post.model_validate(post)


def test_locale_changes_only_free_text() -> None:
    en, ja = post_dict(5, locale="en_US"), post_dict(5, locale="ja_JP")
    assert en["title"] == ja["title"] and en["meta"]["view_count"] == ja["meta"]["view_count"]
    assert en["sections"] != ja["sections"]


def test_unknown_locale_is_a_clear_error() -> None:
    with pytest.raises(GenerationError, match="unknown locale 'xx_XX'.*use one of " + ", ".join(LOCALES)):
        post_json(0, locale="xx_XX")


@pytest.mark.parametrize(("index", "seed"), [(-1, 0), (0, -1), (10**12, 0), (0, 2**63)])
def test_out_of_range_arguments(index: int, seed: int) -> None:
    with pytest.raises(GenerationError, match="out of range"):
        post_json(index, seed=seed)


def test_post_alone_equals_the_post_in_a_batch() -> None:
    batch = batch_json(990, 20, seed=3)
    for offset in (0, 7, 19):
        assert post_json(990 + offset, seed=3) == batch[offset]


@pytest.mark.parametrize("index", [0, 1, 999, 123_456, 999_999, 5_000_000, 10**11])
def test_generate_post_equals_the_line_of_a_generated_range(index: int) -> None:
    start = max(0, index - 3)
    lines = batch_json(start, 7, seed=11)
    assert generate_post(index, seed=11).model_dump_json().encode() == lines[index - start]


def test_generate_yields_models_in_order() -> None:
    posts = list(generate(1003, seed=5, start=10))
    assert [p.id for p in posts] == [f"alphanode-{i:06d}" for i in range(10, 1013)]
    assert posts[600].model_dump_json().encode() == post_json(610, seed=5)


def test_generate_refuses_a_negative_count() -> None:
    with pytest.raises(GenerationError, match="negative"):
        list(generate(-1))


def test_seeds_differ() -> None:
    assert post_json(0, seed=0) != post_json(0, seed=1)


GOLDEN_POSTS = sorted((FIXTURES / "golden").glob("post-seed*-index*-*.json"))


@pytest.mark.parametrize("path", GOLDEN_POSTS, ids=[p.stem for p in GOLDEN_POSTS])
def test_golden_post_fixtures(path: Path) -> None:
    """Whole posts pinned in fixtures/golden/: a failure means generated output changed.

    Regenerate one with ``synth generate --count 1 --start I --seed S --locale L`` (pretty-printed).
    """
    match = re.fullmatch(r"post-seed(\d+)-index(\d+)-(\w+)", path.stem)
    assert match
    seed, index, locale = int(match[1]), int(match[2]), match[3]
    assert orjson.loads(path.read_bytes()) == post_dict(index, seed=seed, locale=locale)


def test_there_are_golden_posts() -> None:
    assert len(GOLDEN_POSTS) >= 5


# sha256 of `synth generate --count 1000 --seed 0`: a change means generated output changed,
# which only a new synth version may do (see the README's determinism promise).
GOLDEN_SHA256_1000 = "be40b31dabbb53d8dd91d331a28147d3b3e994b485d585379d21788fc4050e8c"


def test_golden_digest_of_a_thousand_posts() -> None:
    data = b"".join(line + b"\n" for line in batch_json(0, 1000, seed=0))
    assert hashlib.sha256(data).hexdigest() == GOLDEN_SHA256_1000


def test_golden_digest_through_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "synth", "generate", "--count", "1000", "--seed", "0", "--quiet"],
        capture_output=True,
        check=True,
    )
    assert hashlib.sha256(done.stdout).hexdigest() == GOLDEN_SHA256_1000


def test_generated_posts_validate_against_model_and_json_schema() -> None:
    schema = orjson.loads((FIXTURES.parent / "schemas" / "post.v1.schema.json").read_bytes())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for line in batch_json(20_000, 500, seed=1):
        post = orjson.loads(line)
        Post.model_validate(post)
        errors = list(validator.iter_errors(post))
        assert not errors, (post["id"], errors[0].message)
