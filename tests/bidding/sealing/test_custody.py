"""Custody of the opening key: k-of-n shares rebuild it; bad shares are refused with a reason."""

from __future__ import annotations

from itertools import combinations

import pytest

from bidding.sealing.custody import CustodyError, check_share, combine, read_share, split
from bidding.sealing.keys import OpeningPrivateKey, OpeningSuite

pytestmark = pytest.mark.pure  # pure rules: no database, no web; `scripts/test -m pure`


@pytest.mark.parametrize("suite", list(OpeningSuite))
def test_any_two_of_three_shares_rebuild_the_key_and_one_does_not(suite: OpeningSuite) -> None:
    key = OpeningPrivateKey.generate(suite)
    shares = split(key, 2, 3)
    assert len(shares) == 3 and all(len(share.split()) >= 20 for share in shares)
    for pair in combinations(shares, 2):
        assert combine(list(pair), key.public_key()) == key
    with pytest.raises(CustodyError) as refused:
        combine(shares[:1], key.public_key())
    assert refused.value.code == "not_combinable"


def test_a_corrupted_a_foreign_and_a_duplicate_share_are_refused() -> None:
    key, other = OpeningPrivateKey.generate(), OpeningPrivateKey.generate()
    shares, foreign = split(key), split(other)
    set_id = read_share(shares[0]).set_id
    words = shares[1].split()
    words[4] = "academic" if words[4] != "academic" else "acid"
    cases = {
        "corrupted": (" ".join(words), []),
        "wrong_set": (foreign[0], []),
        "duplicate": (shares[0], [read_share(shares[0]).index]),
    }
    for code, (mnemonic, counted) in cases.items():
        with pytest.raises(CustodyError) as refused:
            check_share(mnemonic, set_id, counted)
        assert refused.value.code == code
    assert check_share(shares[2], set_id, [0]).index == read_share(shares[2]).index


def test_shares_of_another_key_do_not_pass_for_this_tenders_key() -> None:
    key, other = OpeningPrivateKey.generate(), OpeningPrivateKey.generate()
    with pytest.raises(CustodyError) as refused:
        combine(split(other)[:2], key.public_key())
    assert refused.value.code == "wrong_key"
