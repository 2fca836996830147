"""The error tree: one root, exit codes, messages that say what to do next."""

from __future__ import annotations

from synth.errors import InputError, LimitExceededError, SynthError


def test_message_carries_the_hint() -> None:
    error = InputError("cannot read x.jsonl: No such file", hint="check the path")
    assert str(error) == "cannot read x.jsonl: No such file. To resolve this error, check the path"
    assert error.exit_code == 2


def test_message_without_hint() -> None:
    assert str(SynthError("plain")) == "plain"


def test_limit_is_an_input_error() -> None:
    assert issubclass(LimitExceededError, InputError)
