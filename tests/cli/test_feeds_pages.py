"""The commands over render/parse and the load-test feeds: exact bytes, exact messages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.assemble import batch_json
from tests.conftest import SHARED

runner = CliRunner()
SAMPLE = SHARED / "seed" / "alphanode-008320.txt"


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared/seed is not beside the checkout")
def test_parse_then_render_gives_the_sample_page_back(tmp_path: Path) -> None:
    parsed = runner.invoke(app, ["parse", str(SAMPLE), "-o", str(tmp_path / "post.json")])
    assert parsed.exit_code == 0, parsed.output
    checked = runner.invoke(app, ["validate", str(tmp_path / "post.json"), "--ignore", "C014", "--as-of", "2030-01-01"])
    assert checked.exit_code == 0, checked.output
    rendered = runner.invoke(app, ["render", str(tmp_path / "post.json")])
    assert rendered.exit_code == 0
    assert rendered.stdout_bytes == SAMPLE.read_bytes()


def test_render_a_site_and_pages(tmp_path: Path) -> None:
    source = tmp_path / "c.jsonl"
    source.write_bytes(b"\n".join(batch_json(0, 250)) + b"\n")
    site = runner.invoke(app, ["render", str(source), "-f", "site", "-o", str(tmp_path / "site"), "--per-page", "100"])
    assert site.exit_code == 0
    assert site.stderr == f"250 post pages and 3 index pages in {tmp_path / 'site'}\n"
    pages = runner.invoke(app, ["render", str(source), "-f", "markdown", "-o", f"{tmp_path / 'md'}/"])
    assert pages.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "md").iterdir())[:2] == ["alphanode-000000.md", "alphanode-000001.md"]


def test_render_errors(tmp_path: Path) -> None:
    source = tmp_path / "c.jsonl"
    source.write_bytes(b"\n".join(batch_json(0, 2)) + b"\n")
    many = runner.invoke(app, ["render", str(source)])
    assert many.exit_code == 2
    assert many.stderr == (
        f"synth: error: {source} does not hold exactly one post. "
        "To resolve this error, pass --output DIR/ to render a page per post\n"
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "x"}\n')
    invalid = runner.invoke(app, ["render", str(bad)])
    assert invalid.exit_code == 2
    assert invalid.stderr.startswith(f"synth: error: {bad}:1: not a valid post at $.schema_version: Field required.")


def test_parse_error_names_the_line(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("a title\n\nan intro\n", encoding="utf-8")
    result = runner.invoke(app, ["parse", str(page)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"synth: error: {page}:")
    assert "Traceback" not in result.output


def test_bulk_files(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "-n", "250", "-f", "bulk", "--max-docs", "100", "-o", f"{tmp_path}/bulk/"])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "bulk").iterdir())
    assert [f.name for f in files] == ["alphanode-00000.ndjson", "alphanode-00001.ndjson", "alphanode-00002.ndjson"]
    lines = b"".join(f.read_bytes() for f in files).splitlines()
    actions, docs = lines[0::2], lines[1::2]
    assert [orjson.loads(a) for a in actions] == [
        {"index": {"_index": "alphanode", "_id": f"alphanode-{i:06d}"}} for i in range(250)
    ]
    assert docs == batch_json(0, 250)


def test_csv_and_k6_json(tmp_path: Path) -> None:
    assert runner.invoke(app, ["generate", "-n", "20", "-f", "csv", "-o", str(tmp_path / "p.csv"), "-q"]).exit_code == 0
    assert (
        runner.invoke(app, ["generate", "-n", "20", "-f", "k6json", "-o", str(tmp_path / "p.json"), "-q"]).exit_code
        == 0
    )
    with (tmp_path / "p.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    objects = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in rows] == [o["id"] for o in objects] == [f"alphanode-{i:06d}" for i in range(20)]


def test_rally_corpus_command(tmp_path: Path) -> None:
    result = runner.invoke(app, ["corpus", "rally", "-n", "300", "-o", str(tmp_path / "track")])
    assert result.exit_code == 0, result.output
    track = json.loads((tmp_path / "track" / "track.json").read_text(encoding="utf-8"))
    assert track["corpora"][0]["documents"][0]["document-count"] == 300
