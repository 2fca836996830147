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
import re
from array import array
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from synth.errors import InputError
from synth.generation.assemble import post_id

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


_ID: Final = re.compile(r"alphanode-(?:[0-9]{6}|[1-9][0-9]{6,})")


class Answer:
    """The expected answer to a query: how many posts, their digest, and their ids when at most ``max_ids``.

    ``ids`` is sorted; ``None`` when the set was larger than the workload's ``max_ids``. ``hash``
    is the content hash (``meta.hash``) of the post an ``id`` query finds. The ids are held as
    post numbers (eight bytes each) and spelled out when asked for.
    """

    __slots__ = ("_numbers", "count", "digest", "hash")

    def __init__(self, count: int, digest: str, ids: Iterable[str] | None = None, hash: str | None = None, *,
                 numbers: array[int] | None = None) -> None:  # fmt: skip
        self.count, self.digest, self.hash = count, digest, hash
        if ids is not None:
            numbers = array("q", sorted(int(pid[10:]) for pid in ids))
        self._numbers = numbers

    @property
    def ids(self) -> tuple[str, ...] | None:
        return None if self._numbers is None else tuple(sorted(post_id(n) for n in self._numbers))

    def _key(self) -> tuple[Any, ...]:
        return self.count, self.digest, None if self._numbers is None else sorted(self._numbers), self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Answer) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.count, self.digest, self.hash))

    def __repr__(self) -> str:
        return f"Answer(count={self.count}, digest={self.digest!r}, ids={self.ids!r}, hash={self.hash!r})"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"count": self.count, "digest": self.digest}
        if self._numbers is not None:
            out["ids"] = list(self.ids or ())
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
        if ids is not None and not all(isinstance(i, str) and _ID.fullmatch(i) for i in ids):
            raise InputError(f"{where}: the answer's ids are not all post ids", hint="regenerate the workload")
        if hash_ is not None and not isinstance(hash_, str):
            raise InputError(f"{where}: the answer's hash is not a string", hint="regenerate the workload")
        return cls(value["count"], digest, ids, hash_)

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
        self.numbers: list[array[int] | None] = [array("q") for _ in range(size)]
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
            if len(kept) + len(rows) > self.max_ids:
                self.numbers[query] = None
            else:
                kept.frombytes(numbers[rows].tobytes())

    def add_words(self, queries: npt.NDArray[np.intp], words: npt.NDArray[np.intp], present: npt.NDArray[np.bool_],
                  numbers: npt.NDArray[np.int64], limbs: npt.NDArray[np.int64]) -> None:  # fmt: skip
        """Add a chunk to one-word queries at once: query ``queries[k]`` is the posts where ``present[words[k]]``."""
        size, n = present.shape
        flat = np.flatnonzero(present)  # in row order: the posts of each word, together
        rows, cols = flat // n, flat % n
        counts = np.bincount(rows, minlength=size)
        picked = limbs[cols].astype(np.float64)
        sums = np.stack([np.bincount(rows, weights=picked[:, k], minlength=size) for k in range(LIMBS)], axis=1)
        starts = np.cumsum(counts) - counts
        np.add.at(self.counts, queries, counts[words])
        np.add.at(self.limbs, queries, sums[words].astype(np.int64))  # exact: a chunk's sums stay below 2**53
        for q, w in zip(queries.tolist(), words.tolist(), strict=True):
            kept = self.numbers[q]
            if kept is None or not counts[w]:
                continue
            if len(kept) + counts[w] > self.max_ids:
                self.numbers[q] = None
            else:
                kept.frombytes(numbers[cols[starts[w] : starts[w] + counts[w]]].tobytes())

    def merge(self, query: int, count: int, total: int, numbers: bytes | None, hash_: str | None) -> None:
        """Add another tally's answer of ``query``: its count, hash sum, numbers (int64 bytes, None
        when it had more than ``max_ids``) and found post hash."""
        self.counts[query] += count
        self.limbs[query] += [(total >> (16 * k)) & 0xFFFF for k in range(LIMBS)]
        kept = self.numbers[query]
        if kept is not None:
            if numbers is None or len(kept) + len(numbers) // 8 > self.max_ids:
                self.numbers[query] = None
            else:
                kept.extend(np.frombuffer(numbers, dtype="<i8").tolist())
        if hash_ is not None:
            self.hashes[query] = hash_

    def answer(self, query: int) -> Answer:
        """The finished answer of ``query``."""
        kept = self.numbers[query]
        numbers = None if kept is None else array("q", sorted(kept))
        return Answer(
            int(self.counts[query]), _from_limbs(self.limbs[query]), None, self.hashes[query], numbers=numbers
        )
