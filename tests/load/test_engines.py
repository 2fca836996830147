"""No row and no finding depends on ``--engine``: the native row source (the native check gives an
accepted line's rows, and COPY text for PostgreSQL) and the Python one load the same database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.generation.writer import write_corpus
from synth.load import rowsource
from synth.load.importer import ImportOptions, import_paths, import_validation
from synth.load.rows import COLUMNS
from synth.validate.native import available
from tests.conftest import first_then_slow
from tests.load.common import CHILDREN, query

pytestmark = pytest.mark.skipif(not available(), reason="the compiled checker is not built")
runner = CliRunner()


def _engine(engine: str, **kw: Any) -> ImportOptions:
    return ImportOptions(validation=import_validation(as_of="2030-01-01", engine=engine), **kw)


def _stored(db: str) -> list[Any]:
    """Every stored value as the database gives it back, timestamps aside: posts, children, rejects."""
    rows: list[Any] = query(db, f"SELECT {', '.join(COLUMNS)}, line_digest FROM posts ORDER BY id")
    for table in CHILDREN:
        rows += query(db, f"SELECT * FROM {table} ORDER BY post_id, position")
    rows += query(db, 'SELECT record, line, "offset", raw, findings FROM synth_rejects ORDER BY record')
    return rows


class _Explained:
    """Counts the records the Python path checks."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen = 0
        real = rowsource.check

        def counted(record: Any, opts: Any) -> Any:
            self.seen += 1
            return real(record, opts)

        monkeypatch.setattr(rowsource, "check", counted)


@pytest.mark.parametrize("seed", first_then_slow(1, 7))
def test_the_labelled_invalid_corpus_loads_alike_with_either_engine(
    db_url: str, reference_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    source = tmp_path / "labelled.jsonl"
    truth = tmp_path / "truth.jsonl"
    write_corpus(str(source), count=800, seed=seed, invalid_rate=0.1, truth=str(truth))
    explained = _Explained(monkeypatch)
    native = import_paths(
        [str(source)], db_url, options=_engine("native", batch=150), rejects=str(tmp_path / "native.jsonl")
    )
    checked_natively = explained.seen
    python = import_paths(
        [str(source)], reference_url, options=_engine("python", batch=150), rejects=str(tmp_path / "python.jsonl")
    )
    assert native.counts == python.counts and native.counts.rejected > 0
    assert checked_natively == native.counts.rejected  # the native side took every accepted line
    assert explained.seen - checked_natively == python.counts.records  # Python checked each line
    assert _stored(db_url) == _stored(reference_url)
    assert (tmp_path / "native.jsonl").read_bytes() == (tmp_path / "python.jsonl").read_bytes()
    again = import_paths([str(source)], db_url, options=_engine("python", batch=150))
    assert again.counts.unchanged == native.counts.inserted + native.counts.updated + native.counts.unchanged


@pytest.mark.slow
def test_an_edition_synced_with_either_engine_ends_alike(db_url: str, reference_url: str, tmp_path: Path) -> None:
    from synth.generation.edition import edition_lines  # noqa: PLC0415

    first, second = tmp_path / "e1.jsonl", tmp_path / "e2.jsonl"
    write_corpus(str(first), count=400, seed=3)
    second.write_bytes(b"".join(line + b"\n" for line in edition_lines(400, 2, seed=3)))
    for db, engine in ((db_url, "native"), (reference_url, "python")):
        import_paths([str(first)], db, options=_engine(engine))
        synced = import_paths([str(second)], db, options=_engine(engine, sync=True))
        assert synced.counts.updated > 0 and synced.deleted > 0
    assert _stored(db_url) == _stored(reference_url)


def test_the_cli_takes_the_engine(tmp_path: Path) -> None:
    source = tmp_path / "p.jsonl"
    write_corpus(str(source), count=50, seed=2, invalid_rate=0.2)
    outputs = []
    for engine in ("native", "python", "auto"):
        db = tmp_path / f"{engine}.db"
        result = runner.invoke(
            app, ["import", str(source), "--db", str(db), "--as-of", "2030-01-01", "--engine", engine,
                  "--rejects", str(tmp_path / f"{engine}.rejects.jsonl")],
        )  # fmt: skip
        assert result.exit_code == 1, result.output  # some records are rejected
        outputs.append((_stored(str(db)), (tmp_path / f"{engine}.rejects.jsonl").read_bytes()))
    assert outputs[0] == outputs[1] == outputs[2]
