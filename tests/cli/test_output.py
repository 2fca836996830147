"""Where output goes wrong: a full disk behind stdout, a closed pipe, an output that is a folder or read-only.

Every case is one line on stderr and a documented exit code: 2 for a write that failed, 141
(quietly) for a pipe closed by its reader, as a shell reports for a command SIGPIPE stopped.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.writer import write_corpus
from synth.pages.text import render_text
from synth.testing.factory import post_dict

runner = CliRunner()
FULL = (
    "synth: error: cannot write to standard output: No space left on device. "
    "To resolve this error, check the free disk space where it goes, or send it elsewhere\n"
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    write_corpus(str(folder / "good.jsonl"), count=50, seed=2)
    write_corpus(str(folder / "one.jsonl"), count=1, seed=2)
    write_corpus(str(folder / "bad.jsonl"), count=3000, seed=2, invalid_rate=0.5)
    (folder / "page.txt").write_text(render_text(post_dict(1, seed=2)), encoding="utf-8")
    done = runner.invoke(app, ["import", str(folder / "good.jsonl"), "--db", str(folder / "posts.db")])
    assert done.exit_code == 0, done.output
    # a workload of the imported posts (every answer passes) and one of 1,000 others (most fail)
    for name, corpus in (("queries.jsonl", [str(folder / "good.jsonl")]), ("others.jsonl", ["-n", "1000"])):
        done = runner.invoke(app, ["queries", *corpus, "--queries", "400", "-q", "-o", str(folder / name)])
        assert done.exit_code == 0, done.output
    return folder


STDOUT_COMMANDS = {
    "generate": ["generate", "-n", "50", "-q"],
    "generate json": ["generate", "-n", "50", "-q", "-f", "json"],
    "generate edition": ["generate", "-n", "50", "-q", "--edition", "2"],
    "generate bulk": ["generate", "-n", "50", "-q", "-f", "bulk", "--max-docs", "0"],
    "generate csv": ["generate", "-n", "50", "-q", "-f", "csv"],
    "generate k6json": ["generate", "-n", "50", "-q", "-f", "k6json"],
    "validate text": ["validate", "{bad.jsonl}"],
    "validate json": ["validate", "--format", "json", "{bad.jsonl}"],
    "validate valid": ["validate", "{good.jsonl}"],
    "rules": ["rules"],
    "schema": ["schema"],
    "search": ["search", "the", "--db", "{posts.db}"],
    "search json": ["search", "the", "--db", "{posts.db}", "--format", "json"],
    "queries": ["queries", "-n", "50", "--queries", "20", "-q"],
    "check-index": ["check-index", "{queries.jsonl}", "--db", "{posts.db}"],
    "render": ["render", "{one.jsonl}"],
    "parse": ["parse", "{page.txt}"],
    "version": ["--version"],
    "help": ["-h"],
    "command help": ["generate", "--help"],
}


def _args(args: list[str], files: Path) -> list[str]:
    return [str(files / a[1:-1]) if a.startswith("{") else a for a in args]


# These write through the same code as another one of the table: CI runs them.
SAME_PATH = {"generate json", "generate edition", "validate json", "validate valid", "search json", "command help"}


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SAME_PATH else n for n in sorted(STDOUT_COMMANDS)]
)
def test_a_full_disk_behind_stdout_is_one_line_and_exit_2(name: str, files: Path) -> None:
    args = _args(STDOUT_COMMANDS[name], files)
    with Path("/dev/full").open("wb") as full:
        command = [sys.executable, "-m", "synth", *args]
        done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert (done.returncode, done.stderr) == (2, FULL)


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "-n", "200000"],
        ["generate", "-n", "200000", "--workers", "2"],
        ["generate", "-n", "20000", "-f", "bulk", "--max-docs", "0"],
        ["generate", "-n", "20000", "-f", "csv"],
        ["generate", "-n", "200000", "--edition", "2"],
        ["validate", "{bad.jsonl}"],
        ["validate", "--format", "json", "{bad.jsonl}"],
        ["validate", "--workers", "2", "{bad.jsonl}"],
        ["queries", "-n", "300", "--queries", "300", "-q"],
        ["check-index", "{others.jsonl}", "--db", "{posts.db}", "--failures", "1000"],
    ],
)
def test_a_closed_pipe_ends_quietly_with_141(args: list[str], files: Path) -> None:
    command = subprocess.Popen(
        [sys.executable, "-m", "synth", *_args(args, files)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert command.stdout is not None and command.stderr is not None
    assert command.stdout.readline()  # ``| head -1``
    command.stdout.close()
    assert command.wait(timeout=60) == 141
    assert command.stderr.read() == b""


FOLDER = "synth: error: cannot write {path}: it is a folder. To resolve this error, name a file, not a folder\n"


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "-n", "3", "-o", "{folder}"],
        ["generate", "-n", "3", "--invalid-rate", "0.5", "-o", "{out}", "--truth", "{folder}"],
        ["validate", "{good.jsonl}", "--sanitize", "-o", "{folder}"],
        ["validate", "{good.jsonl}", "--sanitize", "--rejects", "{folder}"],
        ["schema", "-o", "{folder}"],
        ["parse", "{page.txt}", "-o", "{folder}"],
    ],
)
def test_an_output_that_is_a_folder_is_one_line_and_exit_2(args: list[str], files: Path, tmp_path: Path) -> None:
    args = [a.replace("{folder}", str(tmp_path)).replace("{out}", str(tmp_path / "out.jsonl")) for a in args]
    result = runner.invoke(app, _args(args, files))
    assert (result.exit_code, result.stderr) == (2, FOLDER.format(path=tmp_path))
    assert list(tmp_path.iterdir()) == []  # nothing half-written beside it


@pytest.mark.parametrize("flag", ["-o", "--truth", "--rejects"])
def test_an_output_in_a_read_only_place_is_one_line_and_exit_2(flag: str, files: Path, tmp_path: Path) -> None:
    place = "/proc/synth-output.jsonl"  # no one may create files there, root included
    args = {
        "-o": ["generate", "-n", "3", "-o", place],
        "--truth": ["generate", "-n", "3", "--invalid-rate", "0.5", "-o", str(tmp_path / "x.jsonl"), "--truth", place],
        "--rejects": ["validate", str(files / "bad.jsonl"), "--sanitize", "--rejects", place],
    }[flag]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"synth: error: cannot write {place}: ")
    assert result.stderr.endswith(". To resolve this error, check the folder exists and is writable\n")
    assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # the corpus written before the failure is not left behind


def test_a_generate_that_fails_midway_leaves_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "posts.jsonl"
    target.write_bytes(b"previous\n")
    args = ["generate", "-n", "3000", "-o", str(target), "--invalid-rate", "0.5", "--truth", "/dev/full"]
    result = runner.invoke(app, args)  # the truth file fills up after posts were written
    assert (result.exit_code, result.stderr) == (
        2,
        "synth: error: cannot write /dev/full: No space left on device. "
        "To resolve this error, check the free disk space\n",
    )
    assert target.read_bytes() == b"previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["posts.jsonl"]


def test_sanitize_over_its_own_input_keeps_every_post(files: Path, tmp_path: Path) -> None:
    target = tmp_path / "posts.jsonl"
    target.write_bytes((files / "good.jsonl").read_bytes())
    result = runner.invoke(app, ["validate", str(target), "--sanitize", "-o", str(target), "--as-of", "2030-01-01"])
    assert (result.exit_code, result.stdout) == (0, "checked 50 records in 1 file: all valid\n")
    assert target.read_bytes() == (files / "good.jsonl").read_bytes()
