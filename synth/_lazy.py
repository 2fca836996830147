"""Lazy re-exports for package ``__init__`` modules: a name is imported from its home on first use.

A package lists its public names and the module each lives in; importing the package imports
none of them, so ``synth generate`` starts without pydantic and ``import synth.load`` without a
database driver.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy"]


def lazy(package: str, homes: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, whose names live in the modules ``homes`` maps them to."""

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook's name
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(homes[name]), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted(getattr(sys.modules[package], "__all__", homes))

    return __getattr__, __dir__
