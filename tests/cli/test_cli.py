"""The CLI frame: help for every command, version, schema output, errors as messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
import typer.main
from typer.testing import CliRunner

from synth import __version__
from synth.cli import app
from synth.schema.export import json_schema

runner = CliRunner()


def _commands() -> dict[str, Any]:
    group: Any = typer.main.get_command(app)
    return dict(group.commands)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"synth {__version__}\n"


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage: synth" in result.output


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_help_text(name: str) -> None:
    command = _commands()[name]
    assert command.help and len(command.help.strip()) > 20, name
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert param.help, f"{name} --{param.name} has no help"
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert f"Usage: synth {name}" in result.output


def test_schema_prints_the_exported_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert orjson.loads(result.stdout) == json_schema()


def test_schema_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    result = runner.invoke(app, ["schema", "--output", str(target)])
    assert result.exit_code == 0
    assert orjson.loads(target.read_bytes()) == json_schema()


def test_unwritable_output_is_a_message_not_a_traceback() -> None:
    result = runner.invoke(app, ["schema", "--output", "/nonexistent-dir/s.json"])
    assert result.exit_code == 2
    assert result.stderr == (
        "synth: error: cannot write /nonexistent-dir/s.json: No such file or directory. "
        "To resolve this error, check the folder exists and is writable\n"
    )
    assert "Traceback" not in result.output


def test_module_entry_point_runs() -> None:
    done = subprocess.run([sys.executable, "-m", "synth", "--version"], capture_output=True, text=True, check=True)
    assert done.stdout == f"synth {__version__}\n"
