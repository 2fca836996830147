"""Fixtures of the load tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Default dead-letter files (synth-rejects-*.jsonl for PostgreSQL) land in the test's folder."""
    monkeypatch.chdir(tmp_path)
