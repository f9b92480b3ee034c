"""Sealed quotes (一次性报价), pure: each eligible intermediary gives one price, nobody sees any
before the end of the window, and then the lowest wins; at equal prices, the earlier quote."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from bidding.market.auction import engine


def sealed_quote_winner(quotes: list[tuple[str, Decimal, int, datetime]]) -> engine.Offer | None:
    """Sealed quotes (bidder, price, seq, received at): the lowest wins, then the earlier one."""
    lowest = min(quotes, key=lambda q: (q[1], q[3], q[2]), default=None)
    return engine.Offer(lowest[0], lowest[1], lowest[2], lowest[3]) if lowest else None
