"""Expected answers: exact sets of post ids, written in full up to ``max_ids``, always with a count and a digest.

The digest of a set of ids is order-independent and additive, so a stream can compute it in one
pass and parts can be combined: it is the sum, modulo 2**128, of the 128-bit BLAKE2b hash of each
id (its UTF-8 bytes, ``digest_size=16``, read as a little-endian unsigned integer), written as 32
hex digits. The empty set's digest is 32 zeros. :func:`digest_of` computes it from ids (what a
checker does with the ids an index returned); the scan adds the hashes of a chunk of posts at
once, as eight 16-bit limbs that numpy sums exactly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from synth.errors import InputError

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["EMPTY_DIGEST", "LIMBS", "Answer", "Tally", "digest_of", "id_hash", "id_limbs"]

LIMBS: Final = 8  # 16-bit limbs of a 128-bit hash
_MOD: Final = 1 << 128
EMPTY_DIGEST: Final = "0" * 32


def id_hash(pid: str) -> int:
    """The 128-bit hash of one id (BLAKE2b, 16 bytes, little-endian)."""
    return int.from_bytes(hashlib.blake2b(pid.encode(), digest_size=16).digest(), "little")


def digest_of(ids: Iterable[str]) -> str:
    """The digest of a set of ids: the sum of their hashes modulo 2**128, as 32 hex digits."""
    return f"{sum(id_hash(pid) for pid in set(ids)) % _MOD:032x}"


def id_limbs(pids: Sequence[str]) -> npt.NDArray[np.int64]:
    """The hashes of ``pids`` as a ``(len(pids), 8)`` array of 16-bit limbs, least significant first."""
    raw = b"".join(hashlib.blake2b(pid.encode(), digest_size=16).digest() for pid in pids)
    return np.frombuffer(raw, dtype="<u2").reshape(len(pids), LIMBS).astype(np.int64)


def _from_limbs(sums: npt.NDArray[np.int64]) -> str:
    total = sum(int(value) << (16 * k) for k, value in enumerate(sums.tolist()))
    return f"{total % _MOD:032x}"


@dataclass(frozen=True, slots=True)
class Answer:
    """The expected answer to a query: how many posts, their digest, and their ids when at most ``max_ids``.

    ``ids`` is sorted; ``None`` when the set was larger than the workload's ``max_ids``. ``hash``
    is the content hash (``meta.hash``) of the post an ``id`` query finds.
    """

    count: int
    digest: str
    ids: tuple[str, ...] | None
    hash: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"count": self.count, "digest": self.digest}
        if self.ids is not None:
            out["ids"] = list(self.ids)
        if self.hash is not None:
            out["hash"] = self.hash
        return out

    @classmethod
    def from_dict(cls, value: Any, where: str) -> Answer:
        """An answer read back from a workload file; ``where`` names the line for errors."""
        if not isinstance(value, dict) or not isinstance(value.get("count"), int) or value["count"] < 0:
            raise InputError(f"{where}: the answer has no count", hint="regenerate the workload with `synth queries`")
        digest, ids, hash_ = value.get("digest"), value.get("ids"), value.get("hash")
        if not isinstance(digest, str) or len(digest) != 32:
            raise InputError(f"{where}: the answer has no 32-digit digest", hint="regenerate the workload")
        if ids is not None and (not isinstance(ids, list) or len(ids) != value["count"]):
            raise InputError(f"{where}: the answer lists {_size(ids)} ids for a count of {value['count']}",
                             hint="regenerate the workload")  # fmt: skip
        if ids is not None and not all(isinstance(i, str) for i in ids):
            raise InputError(f"{where}: the answer's ids are not all strings", hint="regenerate the workload")
        if hash_ is not None and not isinstance(hash_, str):
            raise InputError(f"{where}: the answer's hash is not a string", hint="regenerate the workload")
        return cls(value["count"], digest, None if ids is None else tuple(ids), hash_)

    def matches(self, found: Iterable[str]) -> bool:
        """Whether a set of ids is exactly this answer (by the ids, or by count and digest)."""
        got = set(found)
        if self.ids is not None:
            return got == set(self.ids)
        return len(got) == self.count and digest_of(got) == self.digest


def _size(ids: Any) -> int:
    return len(ids) if isinstance(ids, list) else 0


class Tally:
    """Answers being collected in a stream: per query a count, the digest limbs and the post numbers.

    The numbers of a query are kept while there are at most ``max_ids`` of them, then dropped
    (its count and digest go on).
    """

    def __init__(self, size: int, max_ids: int) -> None:
        self.max_ids = max_ids
        self.counts = np.zeros(size, dtype=np.int64)
        self.limbs = np.zeros((size, LIMBS), dtype=np.int64)
        self.numbers: list[list[int] | None] = [[] for _ in range(size)]
        self.hashes: list[str | None] = [None] * size

    def add(self, query: int, rows: npt.NDArray[np.intp], numbers: npt.NDArray[np.int64],
            limbs: npt.NDArray[np.int64]) -> None:  # fmt: skip
        """Add the posts at ``rows`` of a chunk (their numbers and hash limbs) to the answer of ``query``."""
        if not len(rows):
            return
        self.counts[query] += len(rows)
        self.limbs[query] += limbs[rows].sum(axis=0)
        kept = self.numbers[query]
        if kept is not None:
            kept += numbers[rows].tolist()
            if len(kept) > self.max_ids:
                self.numbers[query] = None

    def answer(self, query: int, id_of: Any) -> Answer:
        """The finished answer of ``query``; ``id_of`` turns a post number into its id."""
        kept = self.numbers[query]
        ids = None if kept is None else tuple(sorted(id_of(n) for n in kept))
        return Answer(int(self.counts[query]), _from_limbs(self.limbs[query]), ids, self.hashes[query])
