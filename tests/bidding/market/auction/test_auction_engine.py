"""The price-bidding engine, property-tested: the best price never rises; every accepted bid
respects the decrement, the floor and the window; nothing is accepted after the close; the
anti-sniping extension; the rounds' turn order; ties by the earlier receipt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bidding.market.auction.engine import (
    Accepted,
    Decrement,
    Mode,
    Rejected,
    Rules,
    current_turn,
    is_closed,
    labels,
    open_auction,
    place_bid,
    ranking,
    round_order,
    winner,
)

pytestmark = pytest.mark.pure  # pure rules: no database, no web; `scripts/test -m pure`

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BIDDERS = ["A-org", "B-org", "C-org", "D-org"]

prices = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("120000.00"), places=2)
# Seconds from the start; half of them in the closing minutes, where extensions chain.
moments = st.integers(min_value=-60, max_value=40 * 60) | st.integers(min_value=17 * 60, max_value=31 * 60)
decrements = st.one_of(
    st.builds(Decrement, amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500.00"), places=2)),
    st.builds(Decrement, percent=st.decimals(min_value=Decimal("0.1"), max_value=Decimal("5"), places=1)),
)
attempts = st.lists(st.tuples(st.sampled_from([*BIDDERS, "stranger"]), prices, moments), max_size=60)


def continuous_rules(decrement: Decrement, floor: Decimal | None) -> Rules:
    return Rules(
        Mode.continuous,
        Decimal("100000.00"),
        decrement,
        START,
        START + timedelta(minutes=20),
        floor=floor,
        max_end=START + timedelta(minutes=30),
    )


CHAIN_OF_LATE_BIDS = [
    ("A-org", Decimal("99000.00"), 19 * 60),
    ("B-org", Decimal("98000.00"), 23 * 60),
    ("C-org", Decimal("97000.00"), 27 * 60),
    ("D-org", Decimal("96000.00"), 29 * 60 + 30),
]


@settings(max_examples=300, deadline=None)
@given(
    decrements,
    st.one_of(st.none(), st.decimals(min_value=Decimal("1.00"), max_value=Decimal("90000.00"), places=2)),
    attempts,
)
@example(Decrement(amount=Decimal("100.00")), None, CHAIN_OF_LATE_BIDS)  # extensions reach the maximum end
def test_continuous_auctions_keep_every_rule(
    decrement: Decrement, floor: Decimal | None, tries: list[tuple[str, Decimal, int]]
) -> None:
    state = open_auction(continuous_rules(decrement, floor), BIDDERS)
    best = state.rules.ceiling
    for bidder, price, second in sorted(tries, key=lambda t: t[2]):  # server time only moves forward
        now = START + timedelta(seconds=second)
        before = state
        outcome = place_bid(state, bidder, price, now)
        if isinstance(outcome, Rejected):
            continue
        state, event = outcome
        assert isinstance(event, Accepted)
        reference = before.best.price if before.best else before.rules.ceiling
        assert price <= reference - decrement.step(reference)  # the decrement
        assert floor is None or price >= floor  # the floor
        assert START <= now < before.end  # the window
        assert price < best  # the best price never rises
        best = price
        if now >= before.end - before.rules.snipe_window:  # the anti-sniping extension
            assert state.end == max(before.end, min(now + before.rules.extension, before.rules.max_end))
        else:
            assert state.end == before.end
        assert state.end <= state.rules.max_end
    after_close = place_bid(state, BIDDERS[0], Decimal("1.00"), state.end)
    assert isinstance(after_close, Rejected) and after_close.code == "closed"
    assert winner(state, state.end) == state.best
    assert winner(state, state.end - timedelta(microseconds=1)) is None


def test_a_late_bid_extends_the_end_but_never_past_the_maximum() -> None:
    state = open_auction(continuous_rules(Decrement(amount=Decimal("100.00")), None), BIDDERS)
    outcome = place_bid(state, "A-org", Decimal("99000.00"), START + timedelta(minutes=18, seconds=30))
    assert not isinstance(outcome, Rejected)
    state, event = outcome
    assert event.extended and state.end == START + timedelta(minutes=23, seconds=30)
    state, event = place_bid(state, "B-org", Decimal("98000.00"), START + timedelta(minutes=23))  # type: ignore[misc]
    assert event.extended and state.end == START + timedelta(minutes=28)
    state, event = place_bid(state, "C-org", Decimal("97500.00"), START + timedelta(minutes=27))  # type: ignore[misc]
    assert state.end == START + timedelta(minutes=30)  # capped at the maximum end
    refused = place_bid(state, "D-org", Decimal("97000.00"), START + timedelta(minutes=30))
    assert isinstance(refused, Rejected) and refused.code == "closed"


def test_rejections_say_what_to_do() -> None:
    state = open_auction(continuous_rules(Decrement(percent=Decimal("1")), Decimal("50000.00")), BIDDERS)
    cases = [
        ("A-org", Decimal("99500.00"), 60, "not_low_enough", "bid at most 99000.00"),
        ("A-org", Decimal("40000.00"), 60, "below_floor", "50000.00"),
        ("A-org", Decimal("99000.001"), 60, "bad_price", "2 decimal places"),
        ("stranger", Decimal("90000.00"), 60, "not_registered", "registered"),
        ("A-org", Decimal("90000.00"), -1, "not_started", "opens at"),
    ]
    for bidder, price, second, code, words in cases:
        outcome = place_bid(state, bidder, price, START + timedelta(seconds=second))
        assert isinstance(outcome, Rejected) and outcome.code == code and words in outcome.reason


def rounds_rules() -> Rules:
    return Rules(
        Mode.rounds,
        Decimal("100000.00"),
        Decrement(amount=Decimal("500.00")),
        START,
        START,
        turn=timedelta(minutes=1),
        pause=timedelta(seconds=30),
        rounds=3,
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(prices, st.integers(min_value=0, max_value=3 * 270 - 1)), max_size=40))
def test_rounds_give_turns_in_descending_price_with_the_leader_last(bids: list[tuple[Decimal, int]]) -> None:
    state = open_auction(rounds_rules(), BIDDERS)
    for price, second in sorted(bids, key=lambda b: b[1]):
        now = START + timedelta(seconds=second)
        state, turn = current_turn(state, now)
        order_now = state.orders[-1] if state.orders else None
        for bidder in BIDDERS:
            outcome = place_bid(state, bidder, price, now)
            if turn is None or bidder != turn.bidder:
                assert isinstance(outcome, Rejected) and outcome.code in {"no_turn", "not_your_turn"}
            elif not isinstance(outcome, Rejected):
                state = outcome[0]
        if order_now is not None:
            assert state.orders[-1] == order_now  # an order never changes once its round has begun
    state, _turn = current_turn(state, state.end - timedelta(seconds=1))
    assert len(state.orders) == 3
    for order in state.orders:
        assert sorted(order) == sorted(BIDDERS)
    # The last round's order was computed from the prices standing when it began.
    final_order = round_order(state.offers)
    assert final_order[-1] == ranking(state)[0].bidder  # the leader goes last


def test_a_round_turn_takes_the_last_valid_bid_and_ties_rank_by_receipt() -> None:
    state = open_auction(rounds_rules(), BIDDERS)
    state, turn = current_turn(state, START)
    assert turn is not None and turn.bidder == "D-org"  # all at the ceiling: the latest registered first
    state, _ = place_bid(state, "D-org", Decimal("99000.00"), START + timedelta(seconds=10))  # type: ignore[misc]
    state, _ = place_bid(state, "D-org", Decimal("99400.00"), START + timedelta(seconds=20))  # type: ignore[misc]
    assert state.offers["D-org"].price == Decimal("99400.00")  # the last valid bid of the turn counts
    too_high = place_bid(state, "D-org", Decimal("99600.00"), START + timedelta(seconds=30))
    assert isinstance(too_high, Rejected) and "at most 99500.00" in too_high.reason
    state, turn = current_turn(state, START + timedelta(minutes=1, seconds=5))
    assert turn is not None and turn.bidder == "C-org"
    state, _ = place_bid(state, "C-org", Decimal("99400.00"), START + timedelta(minutes=1, seconds=6))  # type: ignore[misc]
    assert [o.bidder for o in ranking(state)[:2]] == ["D-org", "C-org"]  # same price: the earlier receipt first
    second_round = START + 4 * timedelta(minutes=1) + timedelta(seconds=30)
    state, turn = current_turn(state, second_round)
    assert state.orders[1] == ("B-org", "A-org", "C-org", "D-org")  # the leader, D, goes last
    state, turn = current_turn(state, START + timedelta(minutes=4, seconds=10))
    assert turn is None  # the pause between rounds


def test_rounds_close_on_schedule_and_the_lowest_wins() -> None:
    state = open_auction(rounds_rules(), BIDDERS)
    assert state.end == START + 3 * (4 * timedelta(minutes=1) + timedelta(seconds=30))
    assert winner(state, state.end) is None  # nobody went below the ceiling
    state, _ = place_bid(state, "D-org", Decimal("80000.00"), START)  # type: ignore[misc]
    assert is_closed(state, state.end) and winner(state, state.end).bidder == "D-org"  # type: ignore[union-attr]


@pytest.mark.parametrize(("count", "last"), [(3, "C"), (26, "Z"), (28, "AB")])
def test_bidders_are_shown_as_letters(count: int, last: str) -> None:
    names = labels(tuple(f"org{i}" for i in range(count)))
    assert names["org0"] == "A" and names[f"org{count - 1}"] == last


@pytest.mark.parametrize("price", ["1e30", "-1e30", "NaN", "Infinity", "0", "-0.01", "1.001"])
def test_a_price_out_of_any_range_is_rejected_not_raised(price: str) -> None:
    state = open_auction(continuous_rules(Decrement(amount=Decimal("100.00")), None), BIDDERS)
    outcome = place_bid(state, "A-org", Decimal(price), START + timedelta(minutes=1))
    assert getattr(outcome, "code", None) == "bad_price"
