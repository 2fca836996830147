"""Answers: the digest of a set of ids (order-independent, additive), the tally, reading answers back."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from synth.errors import InputError
from synth.workload.answers import EMPTY_DIGEST, Answer, Tally, digest_of, id_limbs

IDS = [f"alphanode-{i:06d}" for i in range(50)]


def _independent(ids: list[str]) -> str:
    total = sum(int.from_bytes(hashlib.blake2b(i.encode(), digest_size=16).digest(), "little") for i in set(ids))
    return format(total % 2**128, "032x")


def test_digest_is_the_sum_of_the_id_hashes_modulo_2_128() -> None:
    assert digest_of(IDS) == _independent(IDS)
    assert digest_of([]) == EMPTY_DIGEST
    assert (
        digest_of(reversed(IDS)) == digest_of(IDS) == digest_of(IDS + IDS[:5])
    )  # a set: order and repeats do not count


def test_digest_is_additive_over_disjoint_parts() -> None:
    a, b = int(digest_of(IDS[:20]), 16), int(digest_of(IDS[20:]), 16)
    assert format((a + b) % 2**128, "032x") == digest_of(IDS)
    assert digest_of(IDS[:-1]) != digest_of(IDS)


def test_the_tally_adds_chunks_into_the_same_digest() -> None:
    tally = Tally(2, max_ids=30)
    numbers = np.arange(50, dtype=np.int64)
    limbs = id_limbs(IDS)
    tally.add(0, np.arange(0, 25), numbers, limbs)
    tally.add(0, np.arange(25, 50), numbers, limbs)
    tally.add(1, np.array([3, 7]), numbers, limbs)
    whole, two = tally.answer(0), tally.answer(1)
    assert whole == Answer(50, digest_of(IDS), None)
    assert two == Answer(2, digest_of([IDS[3], IDS[7]]), (IDS[3], IDS[7]))
    assert two.matches({IDS[7], IDS[3]}) and not two.matches({IDS[3]})
    assert whole.matches(IDS) and not whole.matches(IDS[1:])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"digest": EMPTY_DIGEST}, "no count"),
        ({"count": 1, "digest": "00"}, "32-digit digest"),
        ({"count": 2, "digest": EMPTY_DIGEST, "ids": ["a"]}, "lists 1 ids for a count of 2"),
        ({"count": 1, "digest": EMPTY_DIGEST, "ids": [1]}, "not all post ids"),
        ({"count": 1, "digest": EMPTY_DIGEST, "ids": ["post-1"]}, "not all post ids"),
        ({"count": 1, "digest": EMPTY_DIGEST, "hash": 5}, "hash is not a string"),
        ("x", "no count"),
    ],
)
def test_a_malformed_answer_is_an_input_error_naming_the_line(value: object, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        Answer.from_dict(value, "w.jsonl:7")
    assert info.value.message.startswith("w.jsonl:7: ")


def test_ids_are_held_as_numbers_and_sorted_as_ids() -> None:
    big = ["alphanode-1000000", "alphanode-999999", "alphanode-000007"]
    answer = Answer(3, digest_of(big), big)
    assert answer.ids == tuple(sorted(big)) and answer == Answer(3, digest_of(big), reversed(big))
    assert answer != Answer(3, digest_of(big), None)


def test_answers_round_trip() -> None:
    answer = Answer(1, digest_of(IDS[:1]), (IDS[0],), "a" * 24)
    assert Answer.from_dict(answer.as_dict(), "x") == answer
    assert "ids" not in Answer(5, EMPTY_DIGEST, None).as_dict()
