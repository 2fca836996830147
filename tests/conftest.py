"""Shared test helpers: the sample post fixture and paths."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


def _shared_dir() -> Path:
    for candidate in (SHARED, ROOT / "shared"):
        if candidate.is_dir():
            return candidate
    return SHARED


SHARED = _shared_dir()


@pytest.fixture(scope="session")
def sample_raw() -> dict[str, Any]:
    return orjson.loads((FIXTURES / "sample-post.json").read_bytes())  # type: ignore[no-any-return]


@pytest.fixture
def sample(sample_raw: dict[str, Any]) -> dict[str, Any]:
    """A fresh deep copy of the hand-written JSON rendering of the sample page."""
    return copy.deepcopy(sample_raw)
