"""A service request's lifecycle in the intermediary supermarket; `move` is the only writer of
its status.

registering --registration closes, enough eligible--> bidding (auction, sealed quotes)
registering --registration closes, a random draw-->   awarded
registering --the owner names one (direct)-->         awarded
registering --too few eligible registrants-->         failed (流标; may be posted again)
bidding     --the close, a valid lowest price-->      awarded
bidding     --the close, no valid price-->            failed
"""

from __future__ import annotations

import enum
from datetime import datetime

from app.core.lifecycle import Due, HasStatus, Lifecycle


class RequestStatus(enum.StrEnum):
    registering = "registering"
    bidding = "bidding"
    awarded = "awarded"
    failed = "failed"  # 流标: too few eligible registrants, or no bid below the ceiling


TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.registering: frozenset({RequestStatus.bidding, RequestStatus.awarded, RequestStatus.failed}),
    RequestStatus.bidding: frozenset({RequestStatus.awarded, RequestStatus.failed}),
    RequestStatus.awarded: frozenset(),
    RequestStatus.failed: frozenset(),
}
LIFECYCLE = Lifecycle("service request", RequestStatus, TRANSITIONS)


def move(request: HasStatus, target: RequestStatus) -> None:
    """The one writer of a service request's status."""
    LIFECYCLE.move(request, target)


def next_event(
    status: str, chosen_directly: bool, registration_closes: datetime, ends_at: datetime | None
) -> Due | None:
    """Registration closing opens the selection (not for a direct choice: the owner acts); a
    selection under way closes at its current end (an auction's end moves with late bids)."""
    if status == RequestStatus.registering and not chosen_directly:
        return Due("auction-open", registration_closes)
    if status == RequestStatus.bidding and ends_at is not None:
        return Due("auction-close", ends_at)
    return None
