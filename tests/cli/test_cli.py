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
from synth.generation import native
from synth.generation.assemble import batch_json
from synth.schema.export import json_schema

runner = CliRunner()


def _commands() -> dict[str, Any]:
    group: Any = typer.main.get_command(app)
    return dict(group.commands)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"synth {__version__} (engine: native)\n"


def test_version_without_the_native_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "_native", None)
    monkeypatch.setattr(native, "_MISSING", "No module named 'synth._native'")
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"synth {__version__} (engine: python; native not built: No module named 'synth._native')\n"


_BLOCKED = "import sys; sys.modules['synth._native'] = None; sys.argv = ['synth', *sys.argv[1:]]; import synth.cli; synth.cli.main()"


def test_version_of_an_install_without_the_extension() -> None:
    """A whole process where ``synth._native`` cannot be imported (as an install built without Rust)."""
    done = subprocess.run([sys.executable, "-c", _BLOCKED, "--version"], capture_output=True, text=True, check=True)
    reason = "import of synth._native halted; None in sys.modules"
    assert done.stdout == f"synth {__version__} (engine: python; native not built: {reason})\n"


def test_engine_native_without_the_extension_says_how_to_build_it() -> None:
    args = ["generate", "-n", "1", "--engine", "native", "-o", "-"]
    done = subprocess.run([sys.executable, "-c", _BLOCKED, *args], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "synth: error: --engine native needs the compiled generator synth._native, which is not built "
        "(import of synth._native halted; None in sys.modules). To resolve this error, build it "
        "(pip install -e . needs a Rust toolchain: https://rustup.rs; or install a wheel), "
        "or pass --engine python (the same bytes, slower)\n"
    )
    auto = subprocess.run(
        [sys.executable, "-c", _BLOCKED, "generate", "-n", "3", "-q"], capture_output=True, check=True
    )
    assert auto.stdout == b"".join(line + b"\n" for line in batch_json(0, 3))  # auto falls back to python


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
    assert done.stdout == f"synth {__version__} (engine: native)\n"


@pytest.mark.parametrize("name", ["", *sorted(_commands())])
def test_h_is_help_for_every_command(name: str) -> None:
    args = [name] if name else []
    short, long = runner.invoke(app, [*args, "-h"]), runner.invoke(app, [*args, "--help"])
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout
    assert short.stdout.startswith(f"Usage: synth {name}".rstrip() + " ")


def test_truth_without_an_invalid_rate_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    out, truth = tmp_path / "posts.jsonl", tmp_path / "truth.jsonl"
    result = runner.invoke(app, ["generate", "-n", "5", "-o", str(out), "--truth", str(truth)])
    assert (result.exit_code, result.stderr) == (
        2,
        "synth: error: --truth lists the defects of --invalid-rate, which is 0. "
        "To resolve this error, set --invalid-rate above 0\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_the_op_type_is_a_choice_that_names_its_values() -> None:
    result = runner.invoke(app, ["generate", "-n", "2", "-f", "bulk", "--op-type", "update"])
    assert (result.exit_code, result.stderr) == (
        2,
        "Usage: synth generate [OPTIONS]\nTry 'synth generate --help' for help.\n\n"
        "Error: Invalid value for '--op-type': 'update' is not one of 'index', 'create'.\n",
    )
    created = runner.invoke(app, ["generate", "-n", "1", "-f", "bulk", "--op-type", "create", "--max-docs", "0"])
    assert created.stdout.startswith('{"create":{"_index":"alphanode","_id":"alphanode-000000"}}\n')


def test_counts_of_one_are_singular(tmp_path: Path) -> None:
    one = tmp_path / "one.jsonl"
    made = runner.invoke(app, ["generate", "-n", "1", "-o", str(one)])
    assert made.stderr.startswith("1 post, ")
    checked = runner.invoke(app, ["validate", str(one), "--as-of", "2030-01-01"])
    assert checked.stdout == "checked 1 record in 1 file: all valid\n"
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b'{"id": }\n')
    checked = runner.invoke(app, ["validate", str(broken)])
    assert checked.stdout.splitlines()[1] == "checked 1 record in 1 file: 1 error, 0 warnings"
    imported = runner.invoke(app, ["import", str(one), "--db", str(tmp_path / "posts.db"), "--as-of", "2030-01-01"])
    assert imported.stderr.startswith("1 record: 1 inserted, 0 updated, 0 unchanged, 0 rejected, 0 deleted in ")
    bulk = runner.invoke(app, ["generate", "-n", "1", "-f", "bulk", "-o", f"{tmp_path / 'bulk'}/"])
    assert bulk.stderr == "1 document in 1 bulk file for index alphanode\n"
    site = runner.invoke(app, ["render", str(one), "-f", "site", "-o", str(tmp_path / "site")])
    assert site.stderr == f"1 post page and 1 index page in {tmp_path / 'site'}\n"
    track = runner.invoke(app, ["corpus", "rally", "-n", "1", "-o", str(tmp_path / "track")])
    assert track.stderr.startswith("1 post, ")
    twice = runner.invoke(app, ["validate", str(one), str(one), "--as-of", "2030-01-01", "--select", "S"])
    assert twice.stdout == "checked 2 records in 2 files: all valid\n"
