"""Who sees what of an auction, pure: until the close, bidders are shown as letters (A, B, C…)
to everyone but the supervisors; a live auction is followed by its owner, its bidders and the
supervisors, and its result is public once it closes."""

from __future__ import annotations

from collections.abc import Mapping


def may_follow(closed: bool, officer: bool, owner: bool, bidder: bool) -> bool:
    return closed or officer or owner or bidder


def shown_name(bidder: str, labels: Mapping[str, str], closed: bool, officer: bool) -> str:
    """The bidder's USCC once closed or for an officer; its letter otherwise."""
    return bidder if closed or officer else labels[bidder]
