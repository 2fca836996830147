"""--sync keeps every id of its input, gathered as the import reads it (synth.load.syncing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

import synth.load.importer
from synth.errors import ImportAbortedError
from synth.generation.assemble import batch_json, post_dict
from synth.load.importer import import_paths
from synth.load.syncing import source_ids
from synth.validate.records import RAW_KEPT
from tests.load.common import broken, options, query, write_lines


class _Passes:
    """Counts the second passes over the input (the paths :func:`source_ids` is asked to read)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[list[str]] = []

        def counted(paths: Any, validation: Any) -> set[str]:
            self.paths.append(list(paths))
            return source_ids(paths, validation)

        monkeypatch.setattr(synth.load.importer, "source_ids", counted)


def _stored(db: str) -> set[str]:
    return {pid for (pid,) in query(db, "SELECT id FROM posts")}


def test_a_sync_reads_its_input_once_and_a_rejected_post_keeps_its_stored_version(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = batch_json(0, 12, seed=6)
    import_paths([str(write_lines(tmp_path / "all.jsonl", lines))], db_url, options=options())
    post = post_dict(3, seed=6)
    post["title"], post["notes"] = "", "n" * RAW_KEPT  # rejected, and longer than a reject keeps
    bad = orjson.dumps(post)
    passes = _Passes(monkeypatch)
    kept = [*lines[:3], bad, *lines[4:10]]  # 10 and 11 are gone from the input
    done = import_paths([str(write_lines(tmp_path / "next.jsonl", kept))], db_url, options=options(sync=True))
    assert (done.deleted, done.counts.rejected) == (2, 1)
    assert passes.paths == [[]]
    assert _stored(db_url) == {f"alphanode-{k:06d}" for k in range(10)}  # 3 kept though rejected


def test_a_source_resumed_from_a_checkpoint_is_read_again_for_its_ids(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = batch_json(0, 30, seed=6)
    import_paths([str(write_lines(tmp_path / "all.jsonl", lines))], db_url, options=options())
    source = write_lines(tmp_path / "next.jsonl", [*lines[:20], broken(20, seed=6), *lines[21:29]])
    with pytest.raises(ImportAbortedError):
        import_paths([str(source)], db_url, options=options(sync=True, batch=10, max_errors=1))
    passes = _Passes(monkeypatch)
    done = import_paths([str(source)], db_url, options=options(sync=True, batch=10))
    assert done.resumed_from == {str(source): 21}  # the batch of the reject was committed
    assert passes.paths == [[str(source)]]
    assert done.deleted == 1 and len(_stored(db_url)) == 29  # only alphanode-000029 is gone


def test_a_long_reject_whose_id_cannot_be_told_sends_its_source_to_a_second_pass(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = batch_json(0, 5, seed=6)
    import_paths([str(write_lines(tmp_path / "all.jsonl", lines))], db_url, options=options())
    garbled = b"{" + b"x" * (RAW_KEPT + 10)  # no JSON, so no id; longer than rejects keep
    source = write_lines(tmp_path / "next.jsonl", [*lines[:4], garbled])
    passes = _Passes(monkeypatch)
    done = import_paths([str(source)], db_url, options=options(sync=True))
    assert passes.paths == [[str(source)]]
    assert (done.deleted, done.counts.rejected) == (1, 1)
    assert _stored(db_url) == {f"alphanode-{k:06d}" for k in range(4)}
