"""The ids ``--sync`` keeps: every post id of the input, valid or not (a rejected record with an id
keeps the stored post of that id; only ids absent from the input are deleted).

The importer gathers them from the outcomes as it goes (:func:`outcome_ids`), so a sync reads its
input once. A source it cannot vouch for is read again at the end (:func:`source_ids`): one resumed
from a checkpoint (its first records were not read this run), or one with a rejected record whose
bytes were dropped before its id could be told (a line longer than rejects keep).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

import orjson

from synth.io import open_input
from synth.load.rowsource import Outcome
from synth.validate.options import Options
from synth.validate.records import Record, records

__all__ = ["outcome_ids", "record_id", "source_ids"]


def record_id(record: Record) -> str | None:
    """The ``id`` of a record's JSON object, if it is one and has a string id."""
    obj = record.obj
    if record.data is not None:
        with contextlib.suppress(orjson.JSONDecodeError):
            obj = orjson.loads(record.data)
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        return str(obj["id"])
    return None


def outcome_ids(outcomes: Iterable[Outcome], into: set[str]) -> bool:
    """Add the post ids of ``outcomes`` to ``into``; False when a rejected record's id could not be told."""
    complete = True
    for outcome in outcomes:
        if outcome.rows is not None:
            into.add(outcome.rows.id)
        elif outcome.known is not None:
            into.add(outcome.known[0])
        elif outcome.reject is not None:
            record, result = outcome.reject
            found = result.post_id or record_id(record)
            if found is not None:
                into.add(found)
            elif record.data is None and record.obj is None and record.raw is not None:
                complete = False  # slimmed before its id was told: its bytes are gone
    return complete


def source_ids(paths: Iterable[str], options: Options) -> set[str]:
    """Every post id of the input read again (a second pass over ``paths``)."""
    ids: set[str] = set()
    for path in paths:
        with open_input(path) as stream:
            for record in records(stream, options):
                found = record_id(record)
                if found is not None:
                    ids.add(found)
    return ids
