"""Shared test helpers: the sample post fixture and paths."""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = bool(os.environ.get("CI"))
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


def _shared_dir() -> Path:
    for candidate in (SHARED, ROOT / "shared"):
        if candidate.is_dir():
            return candidate
    return SHARED


SHARED = _shared_dir()


def shared_corpus(*parts: str) -> Path:
    """A file or folder of the shared corpora: outside CI its absence skips the test, in CI it fails it."""
    path = SHARED.joinpath("corpora", *parts)
    if not path.exists():
        message = f"shared/corpora/{'/'.join(parts)} is not beside the checkout"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def sample_raw() -> dict[str, Any]:
    return orjson.loads((FIXTURES / "sample-post.json").read_bytes())  # type: ignore[no-any-return]


@pytest.fixture
def sample(sample_raw: dict[str, Any]) -> dict[str, Any]:
    """A fresh deep copy of the hand-written JSON rendering of the sample page."""
    return copy.deepcopy(sample_raw)


POSTGRES_URL = os.environ.get("SYNTH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_answers() -> str | None:
    """None when the test server answers, else why not (and how to start one)."""
    try:
        import psycopg  # noqa: PLC0415
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0]
        return (
            f"no PostgreSQL at {POSTGRES_URL} ({first}); start one with .ci/start-postgres or set SYNTH_TEST_POSTGRES"
        )
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The test server's URL; skips outside CI when no server answers, fails in CI."""
    why = _postgres_answers()
    if why is not None:
        if IN_CI:
            pytest.fail(f"CI needs PostgreSQL: {why}")
        pytest.skip(why)
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped after the test."""
    import psycopg  # noqa: PLC0415

    schema = f"synth_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}".encode())
    sep = "&" if "?" in postgres_server else "?"
    yield f"{postgres_server}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE".encode())


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each importer test runs on SQLite and on the real PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "posts.db")
    return str(request.getfixturevalue("postgres_url"))


def first_then_slow(*values: Any) -> list[Any]:
    """Parameters of which the first runs everywhere and the rest, the same proof again, are marked ``slow``.

    A value that is a tuple stands for several arguments (as in ``parametrize(("a", "b"), ...)``).
    """
    rest = [pytest.param(*(v if isinstance(v, tuple) else (v,)), marks=pytest.mark.slow) for v in values[1:]]
    return [values[0], *rest]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: a process per core and one more, which runs while others wait on PostgreSQL or a child."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores + 1


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run the tests marked slow (CI always does)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` (the big sizes) run in CI and with --run-slow or -m slow; they skip elsewhere."""
    if IN_CI or config.getoption("--run-slow") or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: runs in CI (CI=1), or pass --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
