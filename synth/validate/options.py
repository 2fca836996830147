"""Validation options: the selected rules, the bounds on what is read, the as-of date."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from synth.errors import UsageError
from synth.validate.rules import Check, Selection, today

__all__ = ["ENGINES", "MAX_DEPTH", "MAX_DOCUMENT_BYTES", "MAX_LINE_BYTES", "Options", "make_options"]

MAX_LINE_BYTES: Final = 1 << 20
MAX_DEPTH: Final = 64
MAX_DOCUMENT_BYTES: Final = 4 << 20  # a whole-file object parses to up to ~32 times its size
ENGINES: Final = ("auto", "native", "python")


@dataclass(frozen=True, slots=True)
class Options:
    """Validation settings; the defaults suit posts of any realistic size."""

    selection: Selection = field(default_factory=Selection)
    max_line_bytes: int = MAX_LINE_BYTES
    max_depth: int = MAX_DEPTH
    max_document_bytes: int = MAX_DOCUMENT_BYTES
    as_of: str = field(default_factory=today)
    sanitize: bool = False
    keep_posts: bool = False
    engine: str = "auto"  # auto | native | python: whether lines are checked natively first (synth.validate.native)
    checks: list[tuple[str, Check]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", self.selection.checks())


def make_options(
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    max_depth: int = MAX_DEPTH,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
    as_of: str | None = None,
    sanitize: bool = False,
    engine: str = "auto",
) -> Options:
    """Options from user input, refusing unknown codes, malformed dates and unknown engines."""
    selection = Selection(select, ignore)
    unknown = selection.unknown()
    if unknown:
        raise UsageError(f"unknown rule code {', '.join(unknown)}", hint="run `synth rules` to list the codes")
    if as_of is not None:
        try:
            as_of = _dt.date.fromisoformat(as_of).isoformat()
        except ValueError:
            raise UsageError(
                f"as_of {as_of!r} is not a date", hint="write it as YYYY-MM-DD", parameter="as_of"
            ) from None
    if engine not in ENGINES:
        raise UsageError(
            f"engine {engine!r} is not one of {', '.join(ENGINES)}",
            hint="pass auto, native or python",
            parameter="engine",
        )
    return Options(
        selection=selection,
        max_line_bytes=max_line_bytes,
        max_depth=max_depth,
        max_document_bytes=max_document_bytes,
        as_of=as_of or today(),
        sanitize=sanitize,
        engine=engine,
    )
