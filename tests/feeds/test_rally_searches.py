"""Search operations of a Rally track or OSB workload, from a query workload with known hit counts.

With ``SYNTH_TEST_ESRALLY`` or ``SYNTH_TEST_OSB`` naming the tool's executable (installed in a
venv of its own), the track is also loaded by the tool itself (``info --track-path``/``--workload-path``).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.feeds.rally import QUERIES, write_rally_corpus
from synth.workload.workload import read_workload

runner = CliRunner()


@pytest.fixture(scope="module", params=["rally", "osb"])
def track(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp(request.param) / "t"
    write_rally_corpus(str(folder), count=400, seed=2, start=3, flavour=request.param, queries=60)
    return request.param, folder


def _spec(flavour: str, folder: Path) -> dict[str, Any]:
    return json.loads((folder / ("track.json" if flavour == "rally" else "workload.json")).read_text())  # type: ignore[no-any-return]


def test_every_ascii_query_becomes_a_search_asserting_its_hit_count(track: tuple[str, Path]) -> None:
    flavour, folder = track
    spec = _spec(flavour, folder)
    workload = read_workload(str(folder / QUERIES))
    assert len(workload) == 60
    operations = {op["name"]: op for op in spec["operations"]}
    assert set(operations) == {f"{q.id}-{q.kind}" for q in workload}  # en_US: every word is ASCII
    for q in workload:
        op = operations[f"{q.id}-{q.kind}"]
        assert op["operation-type"] == "search" and op["index"] == "alphanode" and op["detailed-results"] is True
        assert op["body"] == q.es_query()
        assert op["assertions"] == [{"property": "hits", "condition": "==", "value": q.answer.count}]


def test_the_schedule_refreshes_then_searches_by_weight(track: tuple[str, Path]) -> None:
    flavour, folder = track
    schedule = _spec(flavour, folder)["schedule"]
    names = [t.get("name") or t["operation"] for t in schedule]
    assert names[:5] == ["delete-index", "create-index", "check-cluster-health", "index-append", "refresh"]
    searches = schedule[5:]
    assert len(searches) == 60
    ranks = {q.id: q.rank for q in read_workload(str(folder / QUERIES))}
    by_rank = sorted(searches, key=lambda t: ranks[t["operation"].split("-")[0]])
    assert by_rank[0]["iterations"] >= by_rank[-1]["iterations"] >= 1
    assert by_rank[0]["iterations"] > by_rank[30]["iterations"]


def test_the_workload_is_that_of_the_track_s_documents(track: tuple[str, Path]) -> None:
    _, folder = track
    from synth.workload.workload import queries  # noqa: PLC0415

    again = queries(str(folder / "documents.json"), size=60)
    assert list(again) == list(read_workload(str(folder / QUERIES)))


def test_corpus_command_takes_queries(tmp_path: Path) -> None:
    result = runner.invoke(app, ["corpus", "rally", "-o", str(tmp_path / "t"), "-n", "200", "--queries", "16", "-q"])
    assert result.exit_code == 0, result.output
    assert len(json.loads((tmp_path / "t" / "track.json").read_text())["operations"]) == 16


@pytest.mark.parametrize(("variable", "flavour", "flag"), [("SYNTH_TEST_ESRALLY", "rally", "--track-path"),
                                                            ("SYNTH_TEST_OSB", "osb", "--workload-path")])  # fmt: skip
def test_the_tool_itself_loads_the_track(variable: str, flavour: str, flag: str, tmp_path: Path) -> None:
    tool = os.environ.get(variable)
    if not tool:
        pytest.skip(f"set {variable} to the tool's executable to check the track with it")
    folder = tmp_path / "t"
    write_rally_corpus(str(folder), count=200, flavour=flavour, queries=30)  # type: ignore[arg-type]
    done = subprocess.run(
        [tool, "info", f"{flag}={folder}", "--offline"], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0 and "SUCCESS" in done.stdout, done.stdout + done.stderr
    assert "q000030-" in done.stdout
