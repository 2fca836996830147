"""The README shows what is true: its terminal session runs from a clone as shown, its code runs,
and its test command is the one CI runs. (The reference it links to is checked by test_docs.py.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import conftest
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SESSION_HEADING = "## A terminal session"
# What a clone ships that the session may read; each is copied into the session's folder.
SHIPPED = ("fixtures", "schemas", "examples", "docs")
# Timings vary from run to run; everything else a command prints must be as shown.
_TIMING = re.compile(r"in \d+(?:\.\d+)? s \([\d,]+ (posts|records)/s\)")
_SECONDS = re.compile(r" in \d+(?:\.\d+)? s$")  # a summary that ends with its time alone
_STAGE = re.compile(r"\b(read|validate|write|index) \d+\.\d\d s")  # the import's "time: ..." line
_FINDING = re.compile(r"^\S+:\d+:\d+: [A-Z]\d{3} ")
# synth's exit status when a reader closes the pipe early (128 + SIGPIPE), as a shell shows it.
EXIT_CLOSED_PIPE = 141


@dataclass
class Step:
    command: str
    shown: list[str]

    @property
    def expected_status(self) -> int:
        """The exit status the shown output implies: 2 for an error, 1 for validate findings, else 0."""
        if any(line.startswith("synth: error:") for line in self.shown):
            return 2
        first = self.command.split("|", 1)[0].strip()
        if first.startswith("synth validate") and any(_FINDING.match(line) for line in self.shown):
            return 1
        return 0

    @property
    def allowed_statuses(self) -> set[int]:
        """The expected status, and 141 too for a command piped into ``head``: under ``pipefail``
        synth exits 141 when ``head`` closes the pipe before synth has written everything, which
        depends on timing."""
        return {self.expected_status} | ({EXIT_CLOSED_PIPE} if re.search(r"\|\s*head\b", self.command) else set())


def code_blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def session_text(readme: str) -> str:
    """The README's session: the section under its heading, up to the next heading of that level."""
    start = readme.index(SESSION_HEADING) + len(SESSION_HEADING)
    end = readme.find("\n## ", start)
    return readme[start : end if end != -1 else None]


def session_steps(text: str) -> list[Step]:
    """Every ``$ `` command of the section's console blocks, with the output shown under it."""
    steps: list[Step] = []
    for block in code_blocks(text, "console"):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append(Step(line[2:], []))
            elif steps:
                steps[-1].shown.append(line)
            else:
                raise AssertionError(f"output before the first command of a console block: {line!r}")
    return steps


def normalised(lines: list[str]) -> list[str]:
    return [
        _STAGE.sub(r"\1 <s> s", _SECONDS.sub(" in <s> s", _TIMING.sub(r"in <s> s (<n> \1/s)", line.rstrip())))
        for line in lines
    ]


def clone_like(folder: Path) -> Path:
    """A folder holding only what a clone ships that the session may read, as the cwd of the session."""
    for name in SHIPPED:
        shutil.copytree(ROOT / name, folder / name)
    return folder


def session_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # the venv's synth
    env.pop("SYNTH_TEST_POSTGRES", None)
    return env


STEPS = session_steps(session_text(README))


def test_the_session_is_found_and_covers_the_main_jobs() -> None:
    commands = [step.command for step in STEPS]
    assert len(commands) >= 6, commands
    assert commands[0].startswith("synth generate ")
    for needed in ("synth validate ", "--invalid-rate", "| head -3", "synth import ", "synth search "):
        assert any(needed in command for command in commands), needed
    assert any(step.expected_status == 2 for step in STEPS), "the session shows no error message"
    assert any(step.expected_status == 1 for step in STEPS), "the session shows no validation finding"


def test_the_session_runs_from_a_clone_as_shown(tmp_path: Path) -> None:
    folder = clone_like(tmp_path)
    env = session_env()
    for step in STEPS:
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", step.command],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            check=False,
        )
        printed = done.stdout.splitlines()
        assert done.returncode in step.allowed_statuses, f"$ {step.command}\nexit {done.returncode}\n{done.stdout}"
        assert normalised(printed) == normalised(step.shown), f"$ {step.command} printed:\n{done.stdout}"


def test_a_session_step_out_of_order_fails(tmp_path: Path) -> None:
    """The session test can fail: a step that reads a file no earlier step made exits non-zero."""
    validate = next(step for step in STEPS if step.command.startswith("synth validate broken.jsonl"))
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", validate.command],
        cwd=clone_like(tmp_path),
        env=session_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode not in validate.allowed_statuses


def test_session_parsing() -> None:
    text = "intro\n```console\n$ synth validate a.jsonl | head -1\na.jsonl:1:0: P001 $: bad\n$ synth generate --locale xx\nsynth: error: no\n$ true\n```\n"
    steps = session_steps(text)
    assert [(s.command, s.expected_status) for s in steps] == [
        ("synth validate a.jsonl | head -1", 1),
        ("synth generate --locale xx", 2),
        ("true", 0),
    ]
    assert [s.allowed_statuses for s in steps] == [{1, EXIT_CLOSED_PIPE}, {2}, {0}]
    assert normalised(["1,000 posts, 4.5 MB in 0.20 s (5,106 posts/s)"]) == normalised(
        ["1,000 posts, 4.5 MB in 1.75 s (571 posts/s)"]
    )
    assert normalised(["1 record: 1 inserted in 0.06 s (16 records/s)"]) == normalised(
        ["1 record: 1 inserted in 0.35 s (2,884 records/s)"]
    )
    assert normalised(["1,000 posts, 4.5 MB in 0.20 s"]) != normalised(["1,001 posts, 4.5 MB in 0.20 s"])


def test_the_library_example_runs(tmp_path: Path) -> None:
    library = README[README.index("## Library") :]
    example = code_blocks(library, "python")[0]
    assert len(example.strip().splitlines()) <= 12, "the library example should stay about 10 lines"
    script = tmp_path / "example.py"
    script.write_text(example, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "posts.jsonl.gz").is_file()


def test_the_pytest_plugin_example_passes(tmp_path: Path) -> None:
    plugin = README[README.index("## The pytest plugin") :]
    (tmp_path / "test_example.py").write_text(code_blocks(plugin, "python")[0], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b2 passed\b", done.stdout), done.stdout


def test_the_two_commands_a_new_user_runs_are_up_front() -> None:
    before_session = README[: README.index(SESSION_HEADING)]
    assert re.search(r"^\$ synth generate ", before_session, re.MULTILINE)
    assert re.search(r"^\$ python -m pytest ", before_session, re.MULTILINE)


def test_the_test_command_is_the_one_ci_runs() -> None:
    assert "$ python -m pytest" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^python -m pytest$", ci, re.MULTILINE)


def test_postgres_tests_skip_with_the_reason_the_readme_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ".ci/start-postgres" in README and "SYNTH_TEST_POSTGRES" in README and "--run-slow" in README
    assert (ROOT / ".ci" / "start-postgres").is_file()
    pytest.importorskip("psycopg")
    monkeypatch.setattr(conftest, "POSTGRES_URL", "postgresql://nobody@127.0.0.1:9/none")
    why = conftest._postgres_answers()
    assert why is not None and ".ci/start-postgres" in why and "SYNTH_TEST_POSTGRES" in why
