"""Every numeric option of every command is bounded: out-of-range values are one clear usage error, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

import synth.cli.common
from synth.cli import app
from synth.generation.writer import write_corpus

runner = CliRunner()

# What each command needs besides the option under test (nothing runs: the option is refused first).
REQUIRED: dict[str, list[str]] = {
    "corpus": ["rally", "-o", "track"],
    "validate": ["posts.jsonl"],
    "import": ["posts.jsonl"],
    "search": ["word"],
    "parse": ["page.txt"],
    "check-index": ["queries.jsonl"],
}


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should an option be taken, what the command writes (synth.db...) lands in the test's folder."""
    monkeypatch.chdir(tmp_path)


def _numeric(param: Any) -> bool:
    """Whether a click parameter takes an int or a float, by its click type's name (pyproject.toml holds
    typer below 0.29, which kept the annotation instead)."""
    kind = getattr(getattr(param, "type", None), "name", "")
    numeric = (
        "integer",
        "int",
        "float",
        "integer range",
        "int range",
        "float range",
    )  # click's, typer's vendored click
    return param.param_type_name == "option" and kind in numeric


def numeric_options() -> list[tuple[str, str]]:
    group: Any = typer.main.get_command(app)
    found = []
    for name, command in sorted(group.commands.items()):
        for param in command.params:
            if _numeric(param):
                found.append((name, next(opt for opt in param.opts if opt.startswith("--"))))
    return found


def test_the_numeric_options_are_found() -> None:
    found = numeric_options()
    for expected in [("generate", "--count"), ("generate", "--workers"), ("import", "--batch"), ("search", "--limit")]:
        assert expected in found
    assert len(found) >= 23  # every one this suite knew of when it was written


@pytest.mark.parametrize("value", [str(2**63), "-1"])
@pytest.mark.parametrize(("command", "flag"), numeric_options())
def test_every_numeric_option_refuses_2_63_and_minus_1(command: str, flag: str, value: str) -> None:
    result = runner.invoke(app, [command, *REQUIRED.get(command, []), flag, value])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a usage error, not a traceback
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: Invalid value for '{flag}'"), result.stderr
    assert " is not in the range " in last  # click's own message, the value as parsed (2**63 as a float for a float)


def test_the_usage_error_of_a_huge_worker_count_is_exact() -> None:
    result = runner.invoke(app, ["generate", "--workers", str(10**30)])
    assert result.exit_code == 2
    assert result.stderr == (
        "Usage: synth generate [OPTIONS]\n"
        "Try 'synth generate --help' for help.\n\n"
        "Error: Invalid value for '--workers' / '-w': 1000000000000000000000000000000 is not in the range 0<=x<=1024.\n"
    )


@pytest.mark.parametrize("command", ["generate", "validate", "import"])
def test_workers_above_the_core_count_are_capped_with_a_warning(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(synth.cli.common, "core_count", lambda: 2)
    posts = tmp_path / "posts.jsonl"
    write_corpus(str(posts), count=600, seed=1)
    args = {
        "generate": ["generate", "-n", "600", "-s", "1", "-q", "-o", str(tmp_path / "out.jsonl")],
        "validate": ["validate", str(posts), "--as-of", "2030-01-01"],
        "import": ["import", str(posts), "--db", str(tmp_path / "posts.db")],
    }[command]
    result = runner.invoke(app, [*args, "--workers", "1000"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == "synth: warning: --workers 1000 is more than the 2 cores here; using 2"
    if command == "generate":
        assert (tmp_path / "out.jsonl").read_bytes() == posts.read_bytes()
