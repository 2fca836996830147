"""The error tree: one root, exit codes, messages that say what to do next."""

from __future__ import annotations

from synth import errors
from synth.errors import InputError, SynthError


def test_message_carries_the_hint() -> None:
    error = InputError("cannot read x.jsonl: No such file", hint="check the path")
    assert str(error) == "cannot read x.jsonl: No such file. To resolve this error, check the path"
    assert error.exit_code == 2


def test_message_without_hint() -> None:
    assert str(SynthError("plain")) == "plain"


def test_every_error_class_is_under_the_root() -> None:
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), SynthError)
