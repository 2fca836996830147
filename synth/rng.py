"""Counter-based random streams: every field of every post draws from its own stream.

A stream is named by (corpus seed, post index, field name). Its bits are BLAKE2b blocks of
that name and a block counter, so

* post *i* is a pure function of (seed, i): no state is carried from one post to the next,
  which makes posts regenerable alone and the output independent of workers, shards and
  batch sizes;
* adding a field later (a new stream name) changes no other field;
* there is no global RNG, no floating point and nothing platform-dependent: draws are
  integer arithmetic on hash output.

Draws use ``divmod`` on a 512-bit integer and refill when fewer than 64 spare bits remain,
so the modulo bias of any draw is below 2**-64. Several draws are taken at once as the digits
of one mixed-radix number (:meth:`Stream.draw`), which keeps the per-post cost low.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import blake2b
from math import prod
from typing import Final, TypeVar

__all__ = ["Stream", "post_key"]

T = TypeVar("T")

_PERSON: Final = b"synth.post.v1"
_BLOCK_BITS: Final = 512
_SPARE_BITS: Final = 64


def post_key(seed: int, index: int) -> bytes:
    """The 32-byte key from which every stream of post ``index`` of corpus ``seed`` derives."""
    return blake2b(b"%d:%d" % (seed, index), digest_size=32, person=_PERSON).digest()


class Stream:
    """The random draws of one field of one post."""

    __slots__ = ("_block", "_left", "_name", "_post", "_x")

    def __init__(self, post: bytes, name: bytes) -> None:
        self._post = post
        self._name = name
        self._block = 0
        self._x = int.from_bytes(blake2b(name, key=post, digest_size=64).digest(), "little")
        self._left = _BLOCK_BITS

    def _refill(self) -> None:
        self._block += 1
        data = blake2b(b"%s#%d" % (self._name, self._block), key=self._post, digest_size=64).digest()
        self._x = int.from_bytes(data, "little")
        self._left = _BLOCK_BITS

    def below(self, n: int) -> int:
        """A uniform integer in ``range(n)``."""
        cost = n.bit_length()
        if self._left - cost < _SPARE_BITS:
            if cost > _BLOCK_BITS - _SPARE_BITS:
                raise ValueError(f"a single draw is limited to {_BLOCK_BITS - _SPARE_BITS} bits")
            self._refill()
        self._left -= cost
        self._x, r = divmod(self._x, n)
        return r

    def draw(self, *sizes: int) -> list[int]:
        """One uniform integer in ``range(size)`` for each size, from a single mixed-radix draw."""
        r = self.below(prod(sizes))
        out = []
        for size in sizes:
            r, d = divmod(r, size)
            out.append(d)
        return out

    def between(self, low: int, high: int) -> int:
        """A uniform integer in ``[low, high]`` (both ends included)."""
        return low + self.below(high - low + 1)

    def pick(self, items: Sequence[T]) -> T:
        """One item of ``items``, uniformly."""
        return items[self.below(len(items))]

    def chance(self, per_mille: int) -> bool:
        """True with probability ``per_mille`` / 1000."""
        return self.below(1000) < per_mille

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        """``k`` distinct items of ``items`` in the order drawn (partial Fisher-Yates)."""
        n = len(items)
        if k > n:
            raise ValueError(f"cannot sample {k} distinct items from {n}")
        if k == 0:
            return []
        swaps = self.draw(*range(n, n - k, -1))
        moved: dict[int, int] = {}
        out = []
        for i, offset in enumerate(swaps):
            j = i + offset
            out.append(items[moved.get(j, j)])
            moved[j] = moved.get(i, i)
        return out

    def table(self, table: Sequence[T], k: int) -> list[T]:
        """``k`` draws from a lookup table of length 2**16 (with repetition).

        Tables encode a distribution by repeating each value in proportion to its weight;
        this is how the Zipf word draws stay cheap and float-free.
        """
        out: list[T] = []
        while k:
            if self._left - 16 < _SPARE_BITS:
                self._refill()
            take = min(k, (self._left - _SPARE_BITS) // 16)
            x = self._x
            out += [table[(x >> s) & 0xFFFF] for s in range(0, 16 * take, 16)]
            self._x = x >> (16 * take)
            self._left -= 16 * take
            k -= take
        return out
