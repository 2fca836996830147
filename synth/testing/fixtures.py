"""Golden fixtures for test suites: ``synth fixtures`` writes them, a test checks they never drift.

    fixtures/corpora/   small corpora in every format synth writes (a few seeds, sizes, locales)
    fixtures/invalid/   one small file per rule code, its post broken in the documented way,
                        and expected.jsonl: the finding the validator must report for each
    fixtures/golden/    whole posts, pretty-printed (what the generator's golden tests pin); the
                        truth file of a labelled invalid corpus; digests.json: the sha256 of that
                        corpus and of two editions (what changes when their streams change)

``fixtures/sample-post.json`` (the sample page as JSON) is written by hand and left alone.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Final

import orjson

from synth.generation.assemble import post_dict
from synth.generation.defects import KINDS, sample
from synth.generation.writer import write_corpus
from synth.io import make_folder

__all__ = ["CORPORA", "GOLDEN", "PINNED", "PINNED_EDITIONS", "PINNED_RATE", "write_fixtures"]

# (seed, count, locale, format)
CORPORA: Final = (
    (0, 100, "en_US", "jsonl"),
    (0, 100, "en_US", "json"),
    (0, 100, "en_US", "jsonl.gz"),
    (0, 100, "en_US", "jsonl.zst"),
    (1, 10, "en_US", "jsonl"),
    (0, 10, "ja_JP", "jsonl"),
    (0, 10, "ar_AA", "jsonl"),
    (0, 10, "de_DE", "jsonl"),
)
# The labelled invalid corpus and the editions whose bytes are pinned: (seed, count), rate and editions.
PINNED: Final = (0, 2000)
PINNED_RATE: Final = 0.05
PINNED_EDITIONS: Final = (2, 3)
# (seed, index, locale)
GOLDEN: Final = ((0, 0, "en_US"), (0, 8320, "en_US"), (7, 123456, "en_US"), (0, 999999, "ja_JP"), (3, 42, "ar_AA"))


def _corpora(folder: Path) -> list[Path]:
    written = []
    for seed, count, locale, fmt in CORPORA:
        path = folder / "corpora" / f"seed{seed}-n{count}-{locale}.{fmt}"
        write_corpus(str(path), count=count, seed=seed, locale=locale, fmt="json" if fmt == "json" else "jsonl")
        written.append(path)
    return written


def _invalid(folder: Path) -> list[Path]:
    target = folder / "invalid"
    written, expected = [], []
    for defect in KINDS:
        data, line = sample(defect)
        path = target / f"{defect.code}-{defect.kind}.jsonl"
        path.write_bytes(data)
        written.append(path)
        expected.append({"file": path.name, "line": line, "code": defect.code, "kind": defect.kind})
    index = target / "expected.jsonl"
    index.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in expected))
    return [*written, index]


def _golden(folder: Path) -> list[Path]:
    written = []
    for seed, index, locale in GOLDEN:
        path = folder / "golden" / f"post-seed{seed}-index{index:06d}-{locale}.json"
        text = json.dumps(post_dict(index, seed=seed, locale=locale), indent=2, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    return written


def _pinned(folder: Path) -> list[Path]:
    """The truth file of the pinned invalid corpus, and the digests of that corpus and of the editions."""
    seed, count = PINNED
    truth = folder / "golden" / f"invalid-seed{seed}-n{count}-rate{PINNED_RATE}.truth.jsonl"
    broken = io.BytesIO()
    write_corpus(broken, count=count, seed=seed, invalid_rate=PINNED_RATE, truth=str(truth))
    digests = {f"invalid-seed{seed}-n{count}-rate{PINNED_RATE}": hashlib.sha256(broken.getvalue()).hexdigest()}
    for edition in PINNED_EDITIONS:
        stream = io.BytesIO()
        write_corpus(stream, count=count, seed=seed, edition=edition)
        digests[f"edition{edition}-seed{seed}-n{count}"] = hashlib.sha256(stream.getvalue()).hexdigest()
    path = folder / "golden" / "digests.json"
    path.write_bytes(orjson.dumps(digests, option=orjson.OPT_INDENT_2) + b"\n")
    return [truth, path]


def write_fixtures(folder: Path) -> list[Path]:
    """Write every generated fixture under ``folder``; returns the paths written."""
    for sub in ("corpora", "invalid", "golden"):
        make_folder(folder / sub)
    return _corpora(folder) + _invalid(folder) + _golden(folder) + _pinned(folder)
