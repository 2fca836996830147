"""Type stub of the compiled core (native/, Rust + PyO3).

The generator is adapted by synth.generation.native, the checker by synth.validate.native.
"""

from collections.abc import Iterable
from typing import Any, Final

STREAMS: Final[int]

class Engine:
    """The compiled generator of one locale, built from ``synth.generation.native.engine_data``."""

    def __init__(self, data: dict[str, Any]) -> None: ...
    def lines(self, seed: int, first: int, count: int, streams: Iterable[int] | None = None) -> bytes: ...
    def posts(self, seed: int, first: int, count: int, streams: Iterable[int] | None = None) -> list[bytes]: ...
    def images(self, seed: int, index: int, streams: Iterable[int] | None = None) -> int: ...

DEFER_PARSE: Final[int]
DEFER_SCHEMA: Final[int]
DEFER_UNDECIDED: Final[int]

class Accepted:
    """A line the checker accepted: a valid post, free of every selected finding."""

    @property
    def id(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def content(self) -> bytes | None: ...
    @property
    def similar(self) -> list[str]: ...
    @property
    def failed(self) -> int: ...
    @property
    def row(self) -> tuple[Any, ...] | None: ...
    @property
    def tools(self) -> list[tuple[str, int, str]] | None: ...
    @property
    def entities(self) -> list[tuple[str, int, str, str]] | None: ...
    @property
    def links(self) -> list[tuple[str, int, str]] | None: ...
    @property
    def copy(self) -> tuple[bytes, bytes, bytes, bytes] | None: ...

class Checker:
    """The native check, built from ``synth.schema.spec.spec_json()``; see synth.validate.native."""

    def __init__(self, spec: bytes, columns: list[str] = ...) -> None: ...
    def check_lines(
        self,
        lines: list[bytes],
        *,
        as_of: str,
        select: int,
        content: bool = False,
        rows: bool = False,
        copy: bool = False,
    ) -> list[Accepted | int]: ...

def line_digests(key: bytes, lines: list[bytes]) -> list[str]:
    """``synth.load.rowsource.line_digest`` of each line, without the GIL."""
