"""The pytest plugin (entry point ``pytest11``): installing synth is enough to use it.

Fixtures: ``synth_seed``, ``synth_post``, ``synth_posts``, ``synth_factory``, ``synth_corpus``,
``synth_corpus_file``, ``synth_queries``, ``synth_sqlite`` and ``synth_sqlite_db``. The seed comes from
``--synth-seed``, else the ``synth_seed`` ini setting, else 0; override the ``synth_seed``
fixture for a module or class of its own. The report header prints it, so a failure can be
replayed with the same data.

This module imports nothing heavy at collection time: synth loads when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from synth.generation.corpus import Format
    from synth.generation.engines import Engine
    from synth.schema.model import Post
    from synth.workload.workload import Workload

__all__ = [
    "pytest_addoption",
    "pytest_report_header",
    "synth_corpus",
    "synth_corpus_file",
    "synth_factory",
    "synth_post",
    "synth_posts",
    "synth_queries",
    "synth_seed",
    "synth_sqlite",
    "synth_sqlite_db",
]

FORMATS = ("jsonl", "json", "jsonl.gz", "jsonl.zst")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("synth", "synth test data")
    group.addoption("--synth-seed", type=int, default=None, help="Seed of the posts synth's fixtures make.")
    parser.addini("synth_seed", "Seed of the posts synth's fixtures make (default 0).", default="0")


def _configured_seed(config: pytest.Config) -> int:
    option = config.getoption("--synth-seed", default=None)
    if option is not None:
        return int(option)
    return int(str(config.getini("synth_seed") or "0"))


def pytest_report_header(config: pytest.Config) -> str:
    from synth._version import __version__  # noqa: PLC0415

    seed = _configured_seed(config)
    return f"synth {__version__}: seed {seed} (replay with --synth-seed {seed})"


@pytest.fixture(scope="session")
def synth_seed(pytestconfig: pytest.Config) -> int:
    """The seed of synth's fixtures: --synth-seed, else the synth_seed ini setting, else 0. Override to pin one."""
    return _configured_seed(pytestconfig)


@pytest.fixture
def synth_post(synth_seed: int) -> Post:
    """One valid post (index 0 of the seed's corpus) as a synth.Post model."""
    from synth.generation.engines import generate_post  # noqa: PLC0415

    return generate_post(0, seed=synth_seed)


@pytest.fixture
def synth_posts(synth_seed: int) -> list[Post]:
    """Ten valid posts (indices 0-9 of the seed's corpus) as synth.Post models."""
    from synth.generation.engines import generate  # noqa: PLC0415

    return list(generate(10, seed=synth_seed))


class PostFactory:
    """Call it for posts: ``factory(3, stack="rails apps")``; ``factory.one(images=0)`` for one."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __call__(
        self, count: int = 1, *, start: int = 0, seed: int | None = None, locale: str = "en_US", **overrides: Any
    ) -> list[Post]:
        from synth.schema.model import Post  # noqa: PLC0415
        from synth.testing.factory import build_post  # noqa: PLC0415

        use = self.seed if seed is None else seed
        return [
            Post.model_validate(build_post(i, seed=use, locale=locale, **overrides))
            for i in range(start, start + count)
        ]

    def one(self, index: int = 0, **overrides: Any) -> Post:
        return self(1, start=index, **overrides)[0]


@pytest.fixture
def synth_factory(synth_seed: int) -> PostFactory:
    """A factory of valid posts with overrides (problem, stack, images, checklist, view_count...) kept consistent."""
    return PostFactory(synth_seed)


CorpusMaker = Callable[..., Path]


@pytest.fixture
def synth_corpus(tmp_path: Path, synth_seed: int) -> CorpusMaker:
    """Make a corpus file in tmp_path: ``synth_corpus(count=100, fmt="jsonl.gz", invalid_rate=0.0)`` -> its path.

    ``engine`` (auto, native or python) chooses the generator; the file is the same with each.
    """
    from synth.generation.writer import write_corpus  # noqa: PLC0415

    def make(
        count: int = 100,
        *,
        fmt: str = "jsonl",
        seed: int | None = None,
        invalid_rate: float = 0.0,
        locale: str = "en_US",
        engine: Engine = "auto",
    ) -> Path:
        if fmt not in FORMATS:
            raise ValueError(f"fmt must be one of {', '.join(FORMATS)}")
        use = synth_seed if seed is None else seed
        path = tmp_path / f"synth-seed{use}-n{count}.{fmt}"
        kind: Format = "json" if fmt == "json" else "jsonl"
        write_corpus(
            str(path),
            count=count,
            seed=use,
            fmt=kind,
            invalid_rate=invalid_rate,
            locale=locale,
            engine=engine,
        )
        return path

    return make


@pytest.fixture
def synth_corpus_file(synth_corpus: CorpusMaker) -> Path:
    """A JSON Lines file of 100 valid posts in tmp_path."""
    return synth_corpus(100)


@pytest.fixture
def synth_queries(synth_corpus_file: Path) -> Workload:
    """100 queries with their exact answers over ``synth_corpus_file`` (every kind; see docs/queries.md).

    Check an index built from that file with ``synth.check_index(db, synth_queries)``.
    """
    from synth.workload.workload import queries  # noqa: PLC0415

    return queries(str(synth_corpus_file), size=100)


@pytest.fixture
def synth_sqlite(tmp_path: Path, synth_corpus: CorpusMaker) -> CorpusMaker:
    """Make an imported SQLite database: ``synth_sqlite(count=100)`` -> its path (tables as ``synth import`` makes)."""
    from synth.load.importer import import_paths  # noqa: PLC0415

    def make(count: int = 100, *, seed: int | None = None) -> Path:
        source = synth_corpus(count, seed=seed)
        db = tmp_path / f"{source.stem}.db"
        import_paths([str(source)], str(db))
        return db

    return make


@pytest.fixture
def synth_sqlite_db(synth_sqlite: CorpusMaker) -> Path:
    """A SQLite database holding 100 imported posts (tables posts, post_tools, ..., posts_fts)."""
    return synth_sqlite(100)
