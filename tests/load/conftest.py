"""Fixtures of the load tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Default dead-letter files (synth-rejects-*.jsonl for PostgreSQL) land in the test's folder."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def reference_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second database of the same kind as ``db_url`` (search ranks differ between the two kinds)."""
    if not db_url.startswith("postgresql://"):
        yield str(tmp_path / "reference.db")
        return
    import psycopg  # noqa: PLC0415

    schema = f"synth_ref_{uuid.uuid4().hex[:12]}"
    server = db_url.split("?", 1)[0]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}".encode())
    yield f"{server}?options=-csearch_path%3D{schema}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE".encode())
