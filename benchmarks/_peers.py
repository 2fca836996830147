"""The peers of ``bench_generate.py``: polyfactory, Faker and Mimesis making posts of the Post shape.

Each ``bench_*`` function makes ``n`` posts of the same shape as synth's (every key of
:class:`synth.schema.model.Post`, same nesting), ends each in compact JSON bytes, and returns a
:class:`Result`; the CPU time and load are filled in by the caller.
"""

from __future__ import annotations

import collections
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from faker import Faker
from mimesis import Generic, Locale
from mimesis_posts import mimesis_post
from polyfactory.factories.pydantic_factory import ModelFactory
from pydantic import BaseModel, ValidationError

from synth.schema.model import Post

__all__ = [
    "Result",
    "bench_faker",
    "bench_mimesis",
    "bench_polyfactory_asis",
    "bench_polyfactory_construct",
    "bench_polyfactory_retry",
    "mimesis_post",
    "valid_share",
]

VALIDATE_SAMPLE = 200
STATUSES = ("draft", "reviewed", "expanded", "revised", "archived")
DIFFICULTIES = ("beginner", "intermediate", "advanced", "expert")


@dataclass(frozen=True)
class Result:
    """One contender's run: posts made, total JSON bytes, seconds, share of valid outputs.

    ``cpu`` is the CPU time of this process and its children during the run, ``load`` the 1-minute
    load average at its end, ``others`` the CPUs other processes kept busy meanwhile.
    """

    name: str
    posts: int
    seconds: float
    nbytes: int
    valid: float | None
    note: str = ""
    made: int | None = None  # posts behind nbytes when fewer than ``posts`` (failed attempts)
    others: float | None = None  # CPUs other processes kept busy during the run
    cpu: float | None = None  # CPU seconds of this process and its children during the run
    load: float | None = None  # 1-minute load average at the end of the run

    @property
    def rate(self) -> float:
        return self.posts / self.seconds if self.seconds > 0 else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.nbytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_rate(self) -> float:
        """Posts per CPU second (what the core did, whatever else ran)."""
        return self.posts / self.cpu if self.cpu else 0.0

    @property
    def avg_bytes(self) -> float:
        made = self.posts if self.made is None else self.made
        return self.nbytes / made if made else 0.0


def valid_share(blobs: Sequence[bytes | str]) -> float | None:
    """Share of the first VALIDATE_SAMPLE outputs that the Post model accepts (untimed)."""
    sample = blobs[:VALIDATE_SAMPLE]
    if not sample:
        return None
    ok = 0
    for blob in sample:
        with contextlib.suppress(ValidationError):
            Post.model_validate_json(blob)
            ok += 1
    return ok / len(sample)


def utf8_size(texts: Sequence[str]) -> int:
    return sum(len(text.encode()) for text in texts)


# --- polyfactory -------------------------------------------------------------------------


class PostFactory(ModelFactory[Post]):
    """polyfactory out of the box: fields from the model's types, constraints and patterns."""

    __model__ = Post


RETRY_ATTEMPTS: collections.Counter[str] = collections.Counter()


class RetryingPostFactory(ModelFactory[Post]):
    """PostFactory that rebuilds a (sub-)model until pydantic accepts it, at every level of nesting.

    Nested models get factories derived from this class through ``__base_factory_overrides__``
    (set below), which is local to this class: unlike a factory with ``__is_base_factory__``,
    it does not change the factories polyfactory makes for ``PostFactory``.
    """

    __model__ = Post

    @classmethod
    def build(cls, factory_use_construct: bool = False, **kwargs: Any) -> Any:
        for _ in range(10_000):
            RETRY_ATTEMPTS[cls.__model__.__name__] += 1
            with contextlib.suppress(ValidationError):
                return super().build(factory_use_construct, **kwargs)
        raise RuntimeError(f"no valid {cls.__model__.__name__} in 10,000 attempts")


RetryingPostFactory.__base_factory_overrides__ = {BaseModel: RetryingPostFactory}


def bench_polyfactory_asis(n: int, seed: int) -> Result:
    """``PostFactory.build()`` n times; failed validations count as (failed) attempts."""
    PostFactory.seed_random(seed)
    with contextlib.suppress(ValidationError):
        PostFactory.build()  # warm-up
    out: list[str] = []
    failures: collections.Counter[str] = collections.Counter()
    began = time.perf_counter()
    for _ in range(n):
        try:
            out.append(PostFactory.build().model_dump_json())
        except ValidationError as exc:
            failures[f"{exc.title}.{'.'.join(map(str, exc.errors()[0]['loc']))}"] += 1
    seconds = time.perf_counter() - began
    reasons = ", ".join(f"{where} x{count}" for where, count in failures.most_common())
    note = f"{len(out)}/{n} builds valid; posts = attempts; bytes from the valid ones; failed at: {reasons or '-'}"
    return Result("polyfactory build() as-is", n, seconds, utf8_size(out), len(out) / n, note, len(out))


def bench_polyfactory_construct(n: int, seed: int) -> Result:
    """``PostFactory.build(factory_use_construct=True)``: model_construct, no validation."""
    PostFactory.seed_random(seed)
    PostFactory.build(factory_use_construct=True)  # warm-up
    began = time.perf_counter()
    out = [PostFactory.build(factory_use_construct=True).model_dump_json() for _ in range(n)]
    seconds = time.perf_counter() - began
    note = "model_construct: nothing validated while building; 'valid' checked afterwards"
    return Result("polyfactory build(construct)", n, seconds, utf8_size(out), valid_share(out), note)


def bench_polyfactory_retry(n: int, seed: int) -> Result:
    """Valid posts from polyfactory: every (sub-)model factory retries on ValidationError."""
    RetryingPostFactory.seed_random(seed)
    RetryingPostFactory.build()  # warm-up
    RETRY_ATTEMPTS.clear()
    began = time.perf_counter()
    out = [RetryingPostFactory.build().model_dump_json() for _ in range(n)]
    seconds = time.perf_counter() - began
    builds = ", ".join(f"{model} {RETRY_ATTEMPTS[model] / n:.1f}" for model in ("Meta", "ChecklistSection", "Revision"))
    note = f"builds per valid post, retries included (lists build several per attempt): {builds}"
    return Result("polyfactory build() + retry", n, seconds, utf8_size(out), valid_share(out), note)


# --- Faker --------------------------------------------------------------------------------


def _faker_meta(
    fake: Faker, i: int, images: list[dict[str, str]], checklist: list[str], paragraphs: int
) -> dict[str, Any]:
    stack, area, language = fake.words(3, unique=True)
    problem, scenario = fake.sentence(nb_words=4)[:-1], fake.sentence(nb_words=4)[:-1]
    return {
        "topic": f"{problem} / {stack}",
        "summary": fake.paragraph(nb_sentences=2),
        "ai_outline": {"context": scenario, "problem": problem, "stack": stack, "recommended_action": fake.sentence()},
        "ai_brief": fake.paragraph(nb_sentences=2),
        "stack": [stack, area, language.lower()],
        "tools": list(dict.fromkeys(word.lower() for word in fake.words(fake.random_int(3, 7), unique=True))),
        "code_language": language.lower(),
        "difficulty": fake.random_element(DIFFICULTIES),
        "reading_time": fake.random_int(1, 15),
        "view_count": fake.random_int(0, 10_000_000),
        "score": {key: fake.random_int(0, 100) for key in ("quality", "freshness", "depth", "clarity")},
        "revision": {
            "status": fake.random_element(STATUSES),
            "version": f"{fake.random_int(1, 3)}.{fake.random_int(0, 9)}.{fake.random_int(0, 19)}",
            "last_reviewed": fake.date(),
        },
        "reference": f"anp-ref-{i:06d}-{fake.random_int(0, 9999):04d}",
        "hash": fake.sha256()[:24],
        "flags": {
            "ai_generated_style": fake.pybool(),
            "has_images": bool(images),
            "image_heavy": len(images) >= 3,
            "needs_human_review": fake.pybool(),
        },
        "checklist": checklist,
        "entities": [
            {"name": stack, "type": "stack"},
            {"name": area, "type": "area"},
            {"name": problem, "type": "problem"},
        ],
        "image_sources": [
            {"source": image["source"], "url": fake.image_url(), "caption": image["caption"]} for image in images
        ],
        "payload": {
            "source_id": f"alphanode-{i:06d}",
            "generator": "faker",
            "paragraphs": paragraphs,
            "scenario": scenario,
            "seed": i,
        },
        "notes": list(dict.fromkeys(fake.sentence() for _ in range(fake.random_int(3, 5)))),
    }


def faker_post(fake: Faker, i: int) -> dict[str, Any]:
    """Post ``i`` in the Post shape, one Faker call per field."""
    images = [{"caption": fake.sentence(), "source": fake.domain_name()} for _ in range(fake.random_int(0, 3))]
    checks = [fake.paragraph(nb_sentences=4) for _ in range(fake.random_int(2, 7))]
    finals = [fake.paragraph(nb_sentences=4) for _ in range(fake.random_int(1, 2))]
    checklist = list(dict.fromkeys(fake.sentence(nb_words=4) for _ in range(fake.random_int(3, 8))))
    similar = sorted({fake.random_int(0, 999_999) for _ in range(fake.random_int(0, 5))})
    return {
        "schema_version": 1,
        "id": f"alphanode-{i:06d}",
        "title": fake.sentence(nb_words=10),
        "intro": fake.paragraph(nb_sentences=3),
        "images": images,
        "sections": [
            {"kind": "paragraphs", "heading": "production checks", "paragraphs": checks},
            {"kind": "checklist", "heading": "implementation checklist", "items": checklist},
            {"kind": "paragraphs", "heading": "final notes", "paragraphs": finals},
        ],
        "meta": _faker_meta(fake, i, images, checklist, len(checks) + len(finals)),
        "similar_posts": [f"alphanode-{n:06d}" for n in similar],
    }


def bench_faker(n: int, seed: int) -> Result:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    faker_post(fake, 0)  # warm-up
    began = time.perf_counter()
    out = [orjson.dumps(faker_post(fake, i)) for i in range(n)]
    seconds = time.perf_counter() - began
    return Result("faker + orjson", n, seconds, sum(map(len, out)), valid_share(out))


# --- Mimesis ------------------------------------------------------------------------------


def bench_mimesis(n: int, seed: int) -> Result:
    g = Generic(locale=Locale.EN, seed=seed)
    mimesis_post(g, 0)  # warm-up
    began = time.perf_counter()
    out = [orjson.dumps(mimesis_post(g, i)) for i in range(n)]
    seconds = time.perf_counter() - began
    return Result("mimesis + orjson", n, seconds, sum(map(len, out)), valid_share(out))
