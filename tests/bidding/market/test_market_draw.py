"""The random draw: reproducible from the revealed seed, bound to its commitment, fair."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bidding.market.draw import commitment, draw, new_seed, verify

pytestmark = pytest.mark.pure  # pure rules: no database, no web; `scripts/test -m pure`

USCCS = st.lists(
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=18, max_size=18), min_size=1, max_size=20, unique=True
)


@given(USCCS)
def test_anyone_can_redo_the_draw_from_the_revealed_seed_in_any_order(candidates: list[str]) -> None:
    seed = new_seed()
    winner = draw(seed, candidates)
    assert winner in candidates
    assert draw(seed, list(reversed(candidates))) == winner  # registration order does not matter
    assert verify(seed, commitment(seed), candidates, winner)
    assert not verify(new_seed(), commitment(seed), candidates, winner)  # another seed fails its commitment


def test_the_draw_is_fair_enough() -> None:
    candidates = ["A" * 18, "B" * 18, "C" * 18, "D" * 18]
    wins = Counter(draw(new_seed(), candidates) for _ in range(4000))
    assert all(800 < wins[c] < 1200 for c in candidates)
