"""Counter-based random draws: draw *j* of stream *s* of post *i* is a hash of (seed, i, s, j).

Nothing is carried from one post to the next, so

* post *i* is a pure function of (seed, i): regenerable alone, and the output does not depend
  on workers, shards or batch sizes;
* every field group draws from its own stream, so adding a stream (a new field) or raising a
  stream's budget of draws changes no existing value;
* there is no global RNG, no floating point and nothing platform-dependent: a draw is 64-bit
  unsigned integer arithmetic (wrapping multiplication, shifts, xor), the SplitMix64 finalizer
  applied twice, of which the top 32 bits are kept.

The draws of a whole batch of posts are computed at once with numpy; the planner then
reduces each 32-bit draw ``u`` to ``range(n)`` as ``u * n >> 32`` (bias below ``n / 2**32``,
:mod:`synth.generation.plan`) and samples with :func:`distinct` (Floyd's algorithm: exactly
*k* draws). Stream ids come from the registry, :mod:`synth.generation.streams`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeAlias

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["MASK64", "distinct", "draws", "seed_key"]

MASK64: Final = (1 << 64) - 1
_M1: Final = np.uint64(0xBF58476D1CE4E5B9)
_M2: Final = np.uint64(0x94D049BB133111EB)
_GOLDEN: Final = np.uint64(0x9E3779B97F4A7C15)
_STREAM_MUL: Final = np.uint64(0xD6E8FEB86659FD93)
_SHIFT_30: Final = np.uint64(30)
_SHIFT_27: Final = np.uint64(27)
_SHIFT_31: Final = np.uint64(31)
_SHIFT_32: Final = np.uint64(32)

U64: TypeAlias = "npt.NDArray[np.uint64]"


def _mix_int(z: int) -> int:
    """The SplitMix64 finalizer on a Python int (for the per-corpus seed key)."""
    z &= MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def seed_key(seed: int) -> int:
    """A 64-bit key for corpus ``seed`` (0 <= seed < 2**64)."""
    return _mix_int(_mix_int(seed) ^ 0x5EED5EED5EED5EED)


def _mix(z: U64) -> U64:
    """The SplitMix64 finalizer, in place on a uint64 array (wrapping arithmetic)."""
    z ^= z >> _SHIFT_30
    z *= _M1
    z ^= z >> _SHIFT_27
    z *= _M2
    z ^= z >> _SHIFT_31
    return z


def draws(key: int, first: int, count: int, stream: int, n: int) -> U64:
    """Draws ``0 .. n - 1`` of ``stream`` for posts ``first .. first + count - 1``.

    A ``(count, n)`` array of uniform 32-bit integers (as uint64): one row per post.
    """
    posts = np.arange(first, first + count, dtype=np.uint64)
    base = _mix(posts * _GOLDEN ^ np.uint64(key))
    counters = (np.uint64(stream) << _SHIFT_32 | np.arange(n, dtype=np.uint64)) * _STREAM_MUL
    z = _mix(base[:, None] ^ counters[None, :])
    z += _GOLDEN
    return _mix(z) >> _SHIFT_32


def distinct(us: list[int], n: int, k: int) -> list[int]:
    """``k`` distinct integers of ``range(n)`` from ``k`` draws (Floyd's algorithm).

    Every k-subset is equally likely; the list is in the order the members were chosen.
    """
    if k > n:
        raise ValueError(f"cannot choose {k} distinct values from {n}")
    chosen: dict[int, None] = {}
    for step, j in enumerate(range(n - k, n)):
        t = us[step] * (j + 1) >> 32
        chosen[j if t in chosen else t] = None
    return list(chosen)
