"""The public API: a small, sorted ``__all__`` whose names all exist."""

from __future__ import annotations

import synth


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then the rest: the order ruff's RUF022 keeps."""
    if name.isupper():
        return (0, name)
    if name[0].isupper():
        return (1, name)
    return (2, name)


def test_all_is_sorted_and_complete() -> None:
    assert synth.__all__ == sorted(synth.__all__, key=_isort_key)
    for name in synth.__all__:
        assert hasattr(synth, name), name


def test_public_names() -> None:
    assert set(synth.__all__) == {
        "SCHEMA_VERSION",
        "Finding",
        "GenerationError",
        "InputError",
        "OutputError",
        "Post",
        "Summary",
        "SynthError",
        "UsageError",
        "__version__",
        "content_hash",
        "generate",
        "generate_post",
        "json_schema",
        "validate_file",
        "validate_post",
        "write_corpus",
    }


def test_every_error_is_a_synth_error() -> None:
    for name in ("GenerationError", "InputError", "OutputError", "UsageError"):
        assert issubclass(getattr(synth, name), synth.SynthError)
