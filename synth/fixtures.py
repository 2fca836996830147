"""Golden fixtures for test suites: ``synth fixtures`` writes them, a test checks they never drift.

    fixtures/corpora/   small corpora in every format synth writes (a few seeds, sizes, locales)
    fixtures/invalid/   one small file per rule code, its post broken in the documented way,
                        and expected.jsonl: the finding the validator must report for each
    fixtures/golden/    whole posts, pretty-printed (what the generator's golden tests pin)

``fixtures/sample-post.json`` (the sample page as JSON) is written by hand and left alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

import orjson

from synth.corpus import write_corpus
from synth.defects import KINDS, sample
from synth.generator import post_dict

__all__ = ["CORPORA", "GOLDEN", "write_fixtures"]

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


def write_fixtures(folder: Path) -> list[Path]:
    """Write every generated fixture under ``folder``; returns the paths written."""
    for sub in ("corpora", "invalid", "golden"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return _corpora(folder) + _invalid(folder) + _golden(folder)
