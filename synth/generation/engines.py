"""The two engines behind one set of calls: the compiled generator and the Python reference.

Everything that makes posts (``synth generate``, :func:`synth.generate`, ``write_corpus``, parts,
Dask tasks, editions, the labelled invalid corpus, the feeds, the pytest plugin) asks this module
for them, naming an ``engine``:

* ``"python"``: the reference implementation, :mod:`synth.generation.plan` and
  :mod:`synth.generation.assemble` (readable; the specification of the bytes);
* ``"native"``: the compiled generator, :mod:`synth.generation.native` (``synth._native``,
  Rust), tested byte for byte against the reference; asking for it when it is not built is a
  :class:`~synth.errors.UsageError` that says how to build it;
* ``"auto"`` (the default): native when it is built, else python.

The output is the same whatever the engine: only the speed differs. The reference is imported
only when the python engine runs, so the native path starts without numpy.

    >>> from synth.generation import engines
    >>> engines.batch_json(0, 3, engine="python") == engines.batch_json(0, 3, engine="auto")
    True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, get_args

import orjson

from synth.errors import UsageError
from synth.generation import native
from synth.generation.request import BATCH, check_count, check_request
from synth.schema.constants import ZERO_HASH

if TYPE_CHECKING:
    from synth.schema.model import Post

__all__ = [
    "ENGINES",
    "Engine",
    "Resolved",
    "batch_dicts",
    "batch_json",
    "chunk_bytes",
    "describe",
    "generate",
    "generate_post",
    "images",
    "resolve",
]

Engine: TypeAlias = Literal["auto", "native", "python"]
Resolved: TypeAlias = Literal["native", "python"]
ENGINES: Final[tuple[str, ...]] = get_args(Engine)


def resolve(engine: str = "auto") -> Resolved:
    """The engine that runs for ``engine``: ``auto`` is native when it is built, else python."""
    if engine == "python":
        return "python"
    if engine not in ENGINES:
        raise UsageError(
            f"engine {engine!r} is not auto, native or python",
            hint="pass engine auto (native when built), native or python",
            parameter="engine",
        )
    if native.available():
        return "native"
    if engine == "native":
        raise UsageError(
            f"engine native needs the compiled generator synth._native, which is not built ({native.missing()})",
            hint=f"build it ({native.BUILD_HINT}), or pass engine python (the same bytes, slower)",
            parameter="engine",
        )
    return "python"


def describe() -> str:
    """Which engine ``auto`` runs here, and why not native when it is not (for ``synth --version``)."""
    if native.available():
        return "native"
    return f"python; native not built: {native.missing()}"


def batch_json(
    first: int,
    count: int,
    *,
    seed: int = 0,
    locale: str = "en_US",
    streams: Mapping[str, int] | None = None,
    engine: Engine = "auto",
) -> list[bytes]:
    """Posts ``first .. first + count - 1`` as compact JSON, one ``bytes`` each (no newline).

    ``streams`` maps the generator's stream names to other ids (:mod:`synth.generation.streams`).
    """
    check_count(count)
    if resolve(engine) == "native":
        return native.batch_json(first, count, seed=seed, locale=locale, streams=streams)
    from synth.generation import assemble  # noqa: PLC0415 - numpy stays out of the native path

    return assemble.batch_json(first, count, seed=seed, locale=locale, streams=streams)


def batch_dicts(
    first: int,
    count: int,
    *,
    seed: int = 0,
    locale: str = "en_US",
    streams: Mapping[str, int] | None = None,
    engine: Engine = "auto",
) -> list[dict[str, Any]]:
    """Posts as dicts in schema key order with the hash zeroed, equal to the reference's ``batch_dicts``.

    The native engine's are its bytes decoded (``orjson.loads``) with ``meta.hash`` reset.
    """
    check_count(count)
    if resolve(engine) == "python":
        from synth.generation import assemble  # noqa: PLC0415

        return assemble.batch_dicts(first, count, seed=seed, locale=locale, streams=streams)
    posts = [orjson.loads(data) for data in native.batch_json(first, count, seed=seed, locale=locale, streams=streams)]
    for post in posts:
        post["meta"]["hash"] = ZERO_HASH
    return posts


def chunk_bytes(first: int, last: int, seed: int = 0, locale: str = "en_US", engine: Engine = "auto") -> bytes:
    """Posts ``first`` .. ``last - 1`` as JSON lines, each ending in a newline, in one buffer."""
    if resolve(engine) == "native":
        return native.chunk_bytes(first, last, seed, locale)
    check_request(range(first, last), seed, locale)
    lines = []
    for low in range(first, last, BATCH):
        lines += batch_json(low, min(BATCH, last - low), seed=seed, locale=locale, engine="python")
    return b"".join(line + b"\n" for line in lines)


def images(
    index: int,
    *,
    seed: int = 0,
    locale: str = "en_US",
    streams: Mapping[str, int] | None = None,
    engine: Engine = "auto",
) -> int:
    """The planned number of images of post ``index`` (without making the post)."""
    if resolve(engine) == "native":
        return native.images(index, seed=seed, locale=locale, streams=streams)
    from synth.generation.plan import loaded, plan_batch  # noqa: PLC0415

    check_request(range(index, index + 1), seed, locale)
    return plan_batch(seed, index, 1, loaded(locale), streams)[0].images


def generate_post(index: int, *, seed: int = 0, locale: str = "en_US", engine: Engine = "auto") -> Post:
    """Post ``index`` (0-based) of corpus ``seed``, alone: equal to that line of a generated file."""
    from synth.schema.model import Post  # noqa: PLC0415 - pydantic stays out of the generator's start-up

    return Post.model_validate_json(batch_json(index, 1, seed=seed, locale=locale, engine=engine)[0])


def generate(
    count: int, *, seed: int = 0, start: int = 0, locale: str = "en_US", engine: Engine = "auto"
) -> Iterator[Post]:
    """Posts ``start .. start + count - 1`` of corpus ``seed``, in order, as models."""
    from synth.schema.model import Post  # noqa: PLC0415

    check_count(count, start)
    check_request(range(start, start + count), seed, locale)
    which = resolve(engine)
    for first in range(start, start + count, BATCH):
        for data in batch_json(first, min(BATCH, start + count - first), seed=seed, locale=locale, engine=which):
            yield Post.model_validate_json(data)
