"""Type stub of the compiled generator (native/, Rust + PyO3); see synth.generation.native."""

from collections.abc import Iterable
from typing import Any, Final

STREAMS: Final[int]

class Engine:
    """The compiled generator of one locale, built from ``synth.generation.native.engine_data``."""

    def __init__(self, data: dict[str, Any]) -> None: ...
    def lines(self, seed: int, first: int, count: int, streams: Iterable[int] | None = None) -> bytes: ...
    def posts(self, seed: int, first: int, count: int, streams: Iterable[int] | None = None) -> list[bytes]: ...
    def images(self, seed: int, index: int, streams: Iterable[int] | None = None) -> int: ...
