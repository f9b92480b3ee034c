"""The price-bidding (竞价) engine of the intermediary supermarket (中介超市), pure.

A reverse auction: prices only go down, the lowest wins. `place_bid(state, bidder, price, now)`
returns the new state and what happened, or a `Rejected` with a reason a bidder can act on;
it never reads a clock and never touches a database: the shell passes the server's `now`,
persists the result under a row lock and publishes the event.

Two modes:
- continuous: the opening price is the ceiling (最高限价); each bid must be at most the current
  best minus the minimum decrement (an amount or a percentage of the best) and at least the
  floor; a bid accepted in the last T minutes extends the end to now + E minutes, up to a
  maximum end (anti-sniping).
- rounds (as Prozorro runs its auctions): each bidder's sealed initial offer (the ceiling if it
  gave none) is its price before round 1; N rounds; in each round every bidder has one turn, in
  order of descending current price, so the leader goes last, the order recomputed every round;
  in its turn a bidder may lower its own price by at least the minimum step (or keep it, by not
  bidding); the last valid bid of the turn counts.
Ties rank by the earlier server receipt. Bidders show as A, B, C … in registration order.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal

CENT = Decimal("0.01")


class Mode(enum.StrEnum):
    continuous = "continuous"
    rounds = "rounds"


@dataclass(frozen=True)
class Decrement:
    """The minimum step down: a fixed amount, or a percentage of the price it is taken from."""

    amount: Decimal | None = None
    percent: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.amount is None) == (self.percent is None):
            raise ValueError("give the decrement as an amount or as a percentage, not both")
        if (self.amount or self.percent or Decimal(0)) <= 0:
            raise ValueError("the decrement must be positive")

    def step(self, reference: Decimal) -> Decimal:
        if self.amount is not None:
            return self.amount
        assert self.percent is not None
        return max(CENT, (reference * self.percent / 100).quantize(CENT, rounding=ROUND_CEILING))


@dataclass(frozen=True)
class Rules:
    mode: Mode
    ceiling: Decimal
    decrement: Decrement
    start: datetime
    end: datetime  # continuous: the scheduled end (rounds: the schedule decides, see open_auction)
    floor: Decimal | None = None
    max_end: datetime | None = None  # continuous: extensions never go past it
    snipe_window: timedelta = timedelta(minutes=2)
    extension: timedelta = timedelta(minutes=5)
    rounds: int = 3
    turn: timedelta = timedelta(minutes=2)
    pause: timedelta = timedelta(minutes=1)

    def round_length(self, bidders: int) -> timedelta:
        return bidders * self.turn + self.pause


@dataclass(frozen=True)
class Offer:
    bidder: str
    price: Decimal
    seq: int  # server receipt order; smaller is earlier
    at: datetime | None


@dataclass(frozen=True)
class Turn:
    round: int  # 0-based
    index: int  # position in the round's order
    bidder: str
    ends_at: datetime


@dataclass(frozen=True)
class AuctionState:
    rules: Rules
    bidders: tuple[str, ...]  # registration order
    end: datetime
    offers: Mapping[str, Offer]  # each bidder's standing offer
    seq: int  # last receipt number used
    best: Offer | None = None  # continuous: the best accepted bid
    orders: tuple[tuple[str, ...], ...] = ()  # rounds: the order of each round, fixed when it begins
    turn_started_at_price: tuple[tuple[int, int], Decimal] | None = None  # rounds: (round, index) → price then
    accepted: int = 0


@dataclass(frozen=True)
class Accepted:
    offer: Offer
    end: datetime
    extended: bool = False


@dataclass(frozen=True)
class Rejected:
    code: str
    reason: str
    reason_zh: str  # the same, in Chinese, for the room's page


def open_auction(rules: Rules, bidders: list[str], initial_offers: Mapping[str, Decimal] | None = None) -> AuctionState:
    """Every registered bidder stands at its sealed initial offer (rounds, as in Prozorro: given
    while registering, revealed when the auction starts) or else at the ceiling; round 1 is
    ordered by those offers; registration order breaks ties."""
    if len(set(bidders)) != len(bidders) or not bidders:
        raise ValueError("an auction needs distinct bidders")
    initial = initial_offers or {}
    offers = {b: Offer(b, initial.get(b, rules.ceiling), i - len(bidders), None) for i, b in enumerate(bidders)}
    end = rules.end if rules.mode is Mode.continuous else rules.start + rules.rounds * rules.round_length(len(bidders))
    return AuctionState(rules, tuple(bidders), end, offers, seq=0)


def labels(bidders: tuple[str, ...]) -> dict[str, str]:
    """A, B, … Z, AA, AB, … in registration order: what other bidders see until the close."""

    def label(i: int) -> str:
        return label(i // 26 - 1) + chr(65 + i % 26) if i >= 26 else chr(65 + i)

    return {bidder: label(i) for i, bidder in enumerate(bidders)}


def ranking(state: AuctionState) -> list[Offer]:
    """Standing offers, best first: lowest price, then the earlier receipt."""
    return sorted(state.offers.values(), key=lambda o: (o.price, o.seq))


def is_closed(state: AuctionState, now: datetime) -> bool:
    return now >= state.end


def winner(state: AuctionState, now: datetime) -> Offer | None:
    """The winning offer once closed: the best bid (continuous) or the lowest price (rounds);
    None while open, or when nobody went below the ceiling."""
    if not is_closed(state, now):
        return None
    if state.rules.mode is Mode.continuous:
        return state.best
    best = ranking(state)[0]
    return best if best.price < state.rules.ceiling else None


MAX_PRICE = Decimal(10) ** 15  # beyond any price; keeps quantize() inside Decimal's precision


def _money_problem(rules: Rules, price: Decimal) -> Rejected | None:
    if not price.is_finite() or not 0 < price < MAX_PRICE or price != price.quantize(CENT):
        return Rejected(
            "bad_price",
            "a price is a positive amount in yuan with at most 2 decimal places",
            "报价须为正数，以元为单位，最多两位小数",
        )
    if rules.floor is not None and price < rules.floor:
        return Rejected(
            "below_floor", f"the floor price is {rules.floor}; bid at least that", f"最低限价为 {rules.floor} 元"
        )
    return None


def place_bid(
    state: AuctionState, bidder: str, price: Decimal, now: datetime
) -> tuple[AuctionState, Accepted] | Rejected:
    if bidder not in state.offers:
        return Rejected(
            "not_registered", "only registered, eligible intermediaries may bid", "只有报名并符合条件的中介机构可以报价"
        )
    if now < state.rules.start:
        return Rejected(
            "not_started",
            f"bidding opens at {state.rules.start.isoformat()}",
            f"竞价于 {state.rules.start.isoformat()} 开始",
        )
    if now >= state.end:
        return Rejected(
            "closed", f"bidding closed at {state.end.isoformat()}", f"竞价已于 {state.end.isoformat()} 结束"
        )
    problem = _money_problem(state.rules, price)
    if problem:
        return problem
    if state.rules.mode is Mode.continuous:
        return _continuous(state, bidder, price, now)
    return _rounds(state, bidder, price, now)


def highest_acceptable(state: AuctionState, bidder: str, now: datetime) -> Decimal | None:
    """The highest price `bidder` may bid at `now` (what the bid form shows): in the continuous
    mode the best bid (or the ceiling) less the minimum decrement; in rounds, during the bidder's
    own turn, its price at the turn's start less the step (None outside its turn)."""
    if state.rules.mode is Mode.continuous:
        reference = state.best.price if state.best else state.rules.ceiling
    else:
        state, turn = current_turn(state, now)
        if turn is None or turn.bidder != bidder:
            return None
        started = state.turn_started_at_price
        key = (turn.round, turn.index)
        reference = started[1] if started is not None and started[0] == key else state.offers[bidder].price
    return reference - state.rules.decrement.step(reference)


def _continuous(
    state: AuctionState, bidder: str, price: Decimal, now: datetime
) -> tuple[AuctionState, Accepted] | Rejected:
    rules = state.rules
    reference = state.best.price if state.best else rules.ceiling
    limit = reference - rules.decrement.step(reference)
    if price > limit:
        what = "the best bid" if state.best else "the ceiling price"
        return Rejected(
            "not_low_enough",
            f"bid at most {limit}: {what} {reference} minus the minimum decrement",
            f"报价不得高于 {limit} 元（{reference} 元减去最低降价幅度）",
        )
    offer = Offer(bidder, price, state.seq + 1, now)
    end, extended = state.end, False
    if now >= state.end - rules.snipe_window:
        cap = rules.max_end or now + rules.extension
        proposed = min(now + rules.extension, cap)
        if proposed > end:
            end, extended = proposed, True
    new_state = replace(
        state, offers={**state.offers, bidder: offer}, best=offer, seq=offer.seq, end=end, accepted=state.accepted + 1
    )
    return new_state, Accepted(offer, end, extended)


def round_order(offers: Mapping[str, Offer]) -> tuple[str, ...]:
    """Descending current price, so the leader bids last; between equal prices, the later
    receipt goes first (the earlier one ranks better, so it goes later)."""
    return tuple(o.bidder for o in sorted(offers.values(), key=lambda o: (o.price, o.seq), reverse=True))


def current_turn(state: AuctionState, now: datetime) -> tuple[AuctionState, Turn | None]:
    """The turn running at `now` (None in a pause or outside the auction), fixing the order of
    every round that has begun by then."""
    rules = state.rules
    if now < rules.start or now >= state.end:
        return state, None
    length = rules.round_length(len(state.bidders))
    elapsed = now - rules.start
    number = elapsed // length
    orders = state.orders
    while len(orders) <= number:
        orders = (*orders, round_order(state.offers))
    state = replace(state, orders=orders)
    index = (elapsed - number * length) // rules.turn
    if index >= len(state.bidders):
        return state, None
    ends_at = rules.start + number * length + (index + 1) * rules.turn
    return state, Turn(number, index, orders[number][index], ends_at)


def _rounds(
    state: AuctionState, bidder: str, price: Decimal, now: datetime
) -> tuple[AuctionState, Accepted] | Rejected:
    state, turn = current_turn(state, now)
    if turn is None:
        return Rejected("no_turn", "no turn is running now (a pause between rounds)", "当前为轮次间隔，暂不能报价")
    if turn.bidder != bidder:
        return Rejected(
            "not_your_turn",
            f"it is another bidder's turn until {turn.ends_at.isoformat()}",
            f"{turn.ends_at.isoformat()} 前是其他竞价人的轮次",
        )
    key = (turn.round, turn.index)
    if state.turn_started_at_price is None or state.turn_started_at_price[0] != key:
        state = replace(state, turn_started_at_price=(key, state.offers[bidder].price))
    assert state.turn_started_at_price is not None
    before = state.turn_started_at_price[1]
    limit = before - state.rules.decrement.step(before)
    if price > limit:
        return Rejected(
            "not_low_enough",
            f"lower your price {before} by at least the minimum step: bid at most {limit}",
            f"报价须比您的上一报价 {before} 元至少低一个最低降价幅度：不得高于 {limit} 元",
        )
    offer = Offer(bidder, price, state.seq + 1, now)
    new_state = replace(state, offers={**state.offers, bidder: offer}, seq=offer.seq, accepted=state.accepted + 1)
    return new_state, Accepted(offer, state.end)
