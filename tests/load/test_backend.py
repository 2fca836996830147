"""No password in any message (issue 13, point 21): URLs, driver texts, summaries, file names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.assemble import batch_json
from synth.load.backend import address, redacted, scrubbed
from synth.load.rejects import default_rejects
from tests.conftest import POSTGRES_URL
from tests.load.common import mixed, write_lines

runner = CliRunner()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://user:s3cret@db.example:5432/test", "postgresql://user:***@db.example:5432/test"),
        ("postgresql://user@127.0.0.1/test", "postgresql://user@127.0.0.1/test"),
        ("postgresql://user@h/db?password=s3cret", "postgresql://user@h/db?password=***"),
        (
            "postgresql://user@h/db?sslmode=require&password=s3cret",
            "postgresql://user@h/db?sslmode=require&password=***",
        ),
        ("postgresql://user@h/db?pass%77ord=s3cret&x=1", "postgresql://user@h/db?pass%77ord=***&x=1"),
        ("postgresql://user@h/db?PASSWORD=s3cret", "postgresql://user@h/db?PASSWORD=***"),
        ("postgresql://user@h/db?sslpassword=s3cret", "postgresql://user@h/db?sslpassword=***"),
        ("postgresql://test:test@test:5432/test?password=test", "postgresql://***:***@***:5432/***?password=***"),
        ("postgresql://u:5432@h:5432/db5432", "postgresql://u:***@h:***/db***"),
        ("postgresql://u@h/db?password=h&x=h", "postgresql://u@***/db?password=***&x=***"),
        ("postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:a@b@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:s3cret@[::1:5432/test", "postgresql://u:***@[::1:5432/test"),
        ("postgresql://u:s3cret@h/db#frag", "postgresql://u:***@h/db#frag"),
        ("postgresql://:s3cret@h/db", "postgresql://:***@h/db"),
    ],
)
def test_redacted_hides_every_password_form(url: str, shown: str) -> None:
    assert redacted(url) == shown


def test_scrubbed_removes_every_spelling_of_the_passwords() -> None:
    url = "postgresql://u:s3%25cret@h/db?password=pa+ss&pass%77ord=third"
    text = 'bad "s3%25cret" / "s3%cret" / "pa+ss" / "pa ss" / "third" in postgresql://u:s3%25cret@h/db'
    assert scrubbed(text, url) == 'bad "***" / "***" / "***" / "***" / "***" in postgresql://u:***@h/db'


def test_address_never_holds_the_password() -> None:
    at = address("postgresql://u:s3cret@db.example:6543/shop?options=-c%20search_path%3Dtenant&password=x")
    assert (at.host, at.port, at.database, at.search_path) == ("db.example", "6543", "shop", "tenant")
    assert "s3cret" not in default_rejects("postgresql://u:s3cret@db.example:6543/shop?password=s3cret")


BAD_URLS = [
    "postgresql://u:s3cret@127.0.0.1:1/test",
    "postgresql://u@127.0.0.1:1/test?password=s3cret",
    "postgresql://u@127.0.0.1:1/test?sslmode=prefer&password=s3cret",
    "postgresql://u@127.0.0.1:1/test?pass%77ord=s3cret",
    "postgresql://u:s3%cret@127.0.0.1:5432/test",  # psycopg echoes the bad token
    "postgresql://u:s3cret@[::1:5432/test",  # psycopg echoes the whole URL
    "postgresql://u:s3cret@nohost.invalid/test?password=s3cret",
    "postgresql://u:s3cret@127.0.0.1:99999/s3cret",
]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("command", ["import", "search"])
def test_failed_connections_never_show_the_password(tmp_path: Path, url: str, command: str) -> None:
    pytest.importorskip("psycopg")
    source = write_lines(tmp_path / "p.jsonl", batch_json(0, 1))
    args = ["import", str(source), "--db", url] if command == "import" else ["search", "word", "--db", url]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.startswith("synth: error: postgresql://")
    assert "s3cret" not in result.output and "s3%cret" not in result.output
    assert "Traceback" not in result.output


def test_the_json_summary_and_the_rejects_file_name_hold_no_password(postgres_url: str, tmp_path: Path) -> None:
    """The test server trusts every local user, so a password in the URL is ignored but still there."""
    url = postgres_url.replace("postgresql://postgres@", "postgresql://postgres:s3cret@") + "&password=s3cret"
    assert "s3cret" in url and url != POSTGRES_URL
    source = write_lines(tmp_path / "m.jsonl", mixed(3, bad={1}))
    result = runner.invoke(app, ["import", str(source), "--db", url, "--log-format", "json", "--as-of", "2030-01-01"])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stderr)
    assert summary["rejected"] == 1 and summary["rejects_file"].startswith("synth-rejects-127.0.0.1-5432-test-")
    assert "s3cret" not in result.output
    assert not any("s3cret" in p.name for p in tmp_path.iterdir())
