"""Build the shipped vocabulary data with Faker: ``python -m synth.generation.vocab.build``.

Faker builds vocabulary once, here; the generator never calls it. The output files in
``synth/generation/vocab/data/`` are committed, so generated posts do not depend on the installed Faker
(the files record the Faker version that built them, and a test rebuilds them and compares).

* ``words-<locale>.json``: the locale's words, most frequent first, with a Zipf lookup table
  (how many of the 65,536 table slots each rank gets), the word separator and sentence end.
* ``distributions.json``: integer quantile tables for the heavy-tailed numbers (view counts),
  so no floating-point maths runs at generation time.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any, Final

import faker

__all__ = ["LOCALES", "build_all", "distributions", "locale_words"]

DATA: Final = Path(__file__).parent / "data"
TABLE_SIZE: Final = 1 << 16
ZIPF_EXPONENT: Final = 1.05
ZIPF_SHIFT: Final = 2.7
PROPER_NOUNS: Final = 2500

# locale -> (word separator, sentence terminator)
LOCALES: Final[dict[str, tuple[str, str]]] = {
    "en_US": (" ", "."),
    "de_DE": (" ", "."),
    "fr_FR": (" ", "."),
    "ar_AA": (" ", "."),
    "ja_JP": ("", "。"),
    "zh_CN": ("", "。"),
}


def _proper_nouns(fake: Any, count: int) -> list[str]:
    """Tokens of names, cities, companies and jobs: the long tail of a site's vocabulary."""
    makers = (fake.last_name, fake.first_name, fake.city, fake.company, fake.job)
    seen: dict[str, None] = {}
    for i in range(count * 20):
        for token in makers[i % len(makers)]().replace(",", " ").split():
            cleaned = token.strip(".()-'\"")
            if len(cleaned) > 1 and not cleaned.isdigit():
                seen.setdefault(cleaned, None)
        if len(seen) >= count:
            break
    return list(seen)[:count]


def _zipf_counts(n: int) -> list[int]:
    """Slots of a 2**16 lookup table per rank, proportional to 1 / (rank + shift) ** exponent."""
    weights = [1.0 / (rank + ZIPF_SHIFT) ** ZIPF_EXPONENT for rank in range(1, n + 1)]
    total = sum(weights)
    counts = [max(1, int(TABLE_SIZE * w / total)) for w in weights]
    counts[0] += TABLE_SIZE - sum(counts)
    return counts


def locale_words(locale: str) -> dict[str, Any]:
    """The word data of one locale, ready to dump as JSON."""
    separator, terminator = LOCALES[locale]
    fake = faker.Faker(locale)
    fake.seed_instance(20261129)
    common = list(dict.fromkeys(w for w in fake.get_words_list() if " " not in w))
    if locale == "en_US":
        common = [w.lower() for w in common]
    random.Random(1).shuffle(common)  # noqa: S311 - build-time ordering, not security
    rare = [w for w in _proper_nouns(fake, PROPER_NOUNS) if w not in set(common)]
    words = common + rare
    return {
        "locale": locale,
        "faker_version": faker.VERSION,
        "separator": separator,
        "terminator": terminator,
        "words": words,
        "zipf": _zipf_counts(len(words)),
    }


def _quantiles(inverse_cdf: Any, size: int) -> list[int]:
    return [int(inverse_cdf((i + 0.5) / size)) for i in range(size)]


def distributions() -> dict[str, Any]:
    """Integer quantile tables (1,024 entries) of the heavy-tailed numbers."""

    # View counts: log-normal body (median ~12k) with a Pareto tail: a few posts get millions.
    def views(p: float) -> float:
        body = math.exp(math.log(12_000) + 1.6 * _probit(p))
        return min(body, 250_000_000.0)

    return {"view_count": _quantiles(views, 1024)}


def _probit(p: float) -> float:
    """Inverse of the standard normal CDF (Acklam's approximation; build time only)."""
    a = (
        -3.969683028665376e01,
        2.209460984245205e02,
        -2.759285104469687e02,
        1.383577518672690e02,
        -3.066479806614716e01,
        2.506628277459239e00,
    )
    b = (
        -5.447609879822406e01,
        1.615858368580409e02,
        -1.556989798598866e02,
        6.680131188771972e01,
        -1.328068155288572e01,
    )
    c = (
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e00,
        -2.549732539343734e00,
        4.374664141464968e00,
        2.938163982698783e00,
    )
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    if p < 0.02425:
        q = math.sqrt(-2 * math.log(p))
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
        )
    if p > 1 - 0.02425:
        return -_probit(1 - p)
    q = p - 0.5
    r = q * q
    return (
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    )


def build_all(folder: Path = DATA) -> list[Path]:
    """Write every data file this module builds; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for locale in LOCALES:
        written.append(_dump(folder / f"words-{locale}.json", locale_words(locale)))
    written.append(_dump(folder / "distributions.json", distributions()))
    return written


def _dump(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    for written_path in build_all():
        print(written_path)  # noqa: T201
