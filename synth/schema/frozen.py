"""The native check's spec as exported: ``synth/schema/native-spec.json``, so that a check starts without pydantic.

:func:`synth.schema.spec.spec_json` derives the spec from pydantic's core schema, which means
importing pydantic and building the model: 0.15-0.2 s before the first line of a ``synth import``
or ``synth validate`` is checked, on the path every other stage waits on. The file holds that spec
and the digest of the schema package's sources (:func:`sources_digest`) it was exported from.
:func:`spec_text` reads it when the digest is the current sources'; when they differ (the model or
the walk changed and the file was not exported again), it derives the spec as before, so a stale file
costs time, never a wrong verdict. ``tests/schema/test_frozen.py`` fails while the file is stale;
``python -m synth.schema.frozen`` writes it again.

This module imports neither pydantic nor the model (the other schema modules, only to derive).
"""

from __future__ import annotations

import hashlib
import sys
from importlib import resources
from pathlib import Path
from typing import Final

import orjson

__all__ = ["SPEC_FILE", "exported", "package_sources", "sources_digest", "spec_text"]

SPEC_FILE: Final = Path(__file__).with_name("native-spec.json")


def package_sources(package: str) -> bytes:
    """The Python sources of ``package`` (not its subpackages) as one string to digest: each file's name
    and bytes, in name order."""
    files = sorted((f for f in resources.files(package).iterdir() if f.name.endswith(".py")), key=lambda f: f.name)
    return b"".join(file.name.encode() + b"\0" + file.read_bytes() + b"\0" for file in files)


def sources_digest() -> str:
    """SHA-256 of the schema package's Python sources: what the spec is a function of (the model, its
    constants and the walk)."""
    return hashlib.sha256(package_sources(__package__)).hexdigest()


def exported() -> bytes:
    """The file's bytes for the current sources: their digest and the derived spec, indented for review."""
    from synth.schema.spec import native_spec  # noqa: PLC0415 - pydantic only to derive

    document = {"sources": sources_digest(), "spec": native_spec()}
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def _stored() -> bytes | None:
    """The stored spec as the checker's JSON when the file was exported from the current sources."""
    try:
        document = orjson.loads(SPEC_FILE.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(document, dict) or document.get("sources") != sources_digest() or "spec" not in document:
        return None
    return orjson.dumps(document["spec"])


def spec_text() -> bytes:
    """The spec the native checker is built from: the exported file's when current, else derived."""
    stored = _stored()
    if stored is not None:
        return stored
    from synth.schema.spec import spec_json  # noqa: PLC0415 - pydantic's core schema only when needed

    return spec_json()


def main() -> int:
    """Write :data:`SPEC_FILE` from the current sources (``python -m synth.schema.frozen``)."""
    SPEC_FILE.write_bytes(exported())
    sys.stderr.write(f"wrote {SPEC_FILE}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
