"""The auction engine's state as JSON, pure: what the shell stores between bids (money as
decimal strings, times as ISO 8601, durations in seconds)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bidding.market.auction.engine import AuctionState, Decrement, Mode, Offer, Rules


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _offer(o: Offer) -> dict[str, Any]:
    return {"bidder": o.bidder, "price": str(o.price), "seq": o.seq, "at": o.at.isoformat() if o.at else None}


def _offer_from(d: dict[str, Any]) -> Offer:
    return Offer(d["bidder"], Decimal(d["price"]), int(d["seq"]), _dt(d["at"]))


def dump(state: AuctionState) -> dict[str, Any]:
    r = state.rules
    return {
        "rules": {
            "mode": r.mode.value,
            "ceiling": str(r.ceiling),
            "floor": _money(r.floor),
            "decrement_amount": _money(r.decrement.amount),
            "decrement_percent": _money(r.decrement.percent),
            "start": r.start.isoformat(),
            "end": r.end.isoformat(),
            "max_end": r.max_end.isoformat() if r.max_end else None,
            "snipe_window": r.snipe_window.total_seconds(),
            "extension": r.extension.total_seconds(),
            "rounds": r.rounds,
            "turn": r.turn.total_seconds(),
            "pause": r.pause.total_seconds(),
        },
        "bidders": list(state.bidders),
        "end": state.end.isoformat(),
        "offers": [_offer(o) for o in state.offers.values()],
        "seq": state.seq,
        "best": _offer(state.best) if state.best else None,
        "orders": [list(order) for order in state.orders],
        "turn_started_at_price": (
            [list(state.turn_started_at_price[0]), str(state.turn_started_at_price[1])]
            if state.turn_started_at_price
            else None
        ),
        "accepted": state.accepted,
    }


def load(d: dict[str, Any]) -> AuctionState:
    r = d["rules"]
    amount, percent = r["decrement_amount"], r["decrement_percent"]
    rules = Rules(
        mode=Mode(r["mode"]),
        ceiling=Decimal(r["ceiling"]),
        decrement=Decrement(Decimal(amount) if amount else None, Decimal(percent) if percent else None),
        start=datetime.fromisoformat(r["start"]),
        end=datetime.fromisoformat(r["end"]),
        floor=Decimal(r["floor"]) if r["floor"] else None,
        max_end=_dt(r["max_end"]),
        snipe_window=timedelta(seconds=r["snipe_window"]),
        extension=timedelta(seconds=r["extension"]),
        rounds=int(r["rounds"]),
        turn=timedelta(seconds=r["turn"]),
        pause=timedelta(seconds=r["pause"]),
    )
    turn = d["turn_started_at_price"]
    return AuctionState(
        rules=rules,
        bidders=tuple(d["bidders"]),
        end=datetime.fromisoformat(d["end"]),
        offers={o["bidder"]: _offer_from(o) for o in d["offers"]},
        seq=int(d["seq"]),
        best=_offer_from(d["best"]) if d["best"] else None,
        orders=tuple(tuple(order) for order in d["orders"]),
        turn_started_at_price=((int(turn[0][0]), int(turn[0][1])), Decimal(turn[1])) if turn else None,
        accepted=int(d["accepted"]),
    )
