"""The README documents what exists: every rule code, every command, the two commands."""

from __future__ import annotations

import re

from synth.cli import app
from synth.rules import RULES
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_rule_code_is_documented() -> None:
    for code, rule in RULES.items():
        assert f"| {code} | {rule.name} | {rule.summary} |" in README, code


def test_every_command_is_documented() -> None:
    for command in app.registered_commands:
        assert f"synth {command.name or command.callback.__name__}" in README  # type: ignore[union-attr]


def test_the_test_command_is_the_one_ci_runs() -> None:
    assert "$ python -m pytest" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^python -m pytest$", ci, re.MULTILINE)
