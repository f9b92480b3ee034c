"""A sealed bid's lifecycle; `move` is the only writer of its status.

submitted --the bidder submits again--> replaced
submitted --the bidder withdraws-->     withdrawn
A bidder has at most one submitted bid per tender (a partial unique index); only it is opened.
"""

from __future__ import annotations

import enum

from app.core.lifecycle import HasStatus, Lifecycle


class BidStatus(enum.StrEnum):
    submitted = "submitted"  # the bidder's current bid
    replaced = "replaced"
    withdrawn = "withdrawn"


TRANSITIONS: dict[BidStatus, frozenset[BidStatus]] = {
    BidStatus.submitted: frozenset({BidStatus.replaced, BidStatus.withdrawn}),
    BidStatus.replaced: frozenset(),
    BidStatus.withdrawn: frozenset(),
}
LIFECYCLE = Lifecycle("bid", BidStatus, TRANSITIONS)


def move(bid: HasStatus, target: BidStatus) -> None:
    """The one writer of a bid's status."""
    LIFECYCLE.move(bid, target)
