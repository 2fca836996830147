"""The error tree: one root, exit codes, messages that say what to do next, the tree as drawn."""

from __future__ import annotations

import re

from synth import errors
from synth.errors import InputError, SynthError


def test_message_carries_the_hint() -> None:
    error = InputError("cannot read x.jsonl: No such file", hint="check the path")
    assert str(error) == "cannot read x.jsonl: No such file. To resolve this error, check the path"
    assert error.exit_code == 2


def test_message_without_hint() -> None:
    assert str(SynthError("plain")) == "plain"


def _drawn_tree() -> dict[str, str]:
    """Class name -> parent name, read from the tree drawn in the module docstring."""
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        match = re.match(r"^(\s*)(?:[│ ]*[├└]── )?(\w+Error)\b", line)
        if not match or "Error" not in match.group(2):
            continue
        depth = len(line) - len(line.lstrip(" │├└─"))
        name = match.group(2)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[name] = stack[-1][1]
        stack.append((depth, name))
    return parents


def test_the_drawn_tree_is_the_class_tree() -> None:
    drawn = _drawn_tree()
    real = {name: getattr(errors, name).__base__.__name__ for name in errors.__all__ if name != "SynthError"}
    assert drawn == real


def test_exit_codes() -> None:
    codes = {name: getattr(errors, name).exit_code for name in errors.__all__}
    assert codes.pop("ImportAbortedError") == 1
    assert set(codes.values()) == {2}
