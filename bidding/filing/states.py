"""The filing lifecycle as one explicit state machine; `move` is the only writer of its status.

draft --submit--> submitted --accept--> accepted (publishes the tender)
                  submitted --return--> returned --submit--> submitted ...
"""

from __future__ import annotations

import enum
from datetime import datetime

from app.core.lifecycle import Due, HasStatus, Lifecycle


class FilingStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    accepted = "accepted"


class Decision(enum.StrEnum):
    accepted = "accepted"  # 备案通过
    returned = "returned"  # 退回补正
    deemed_accepted = "deemed_accepted"  # 逾期视为同意


TRANSITIONS: dict[FilingStatus, frozenset[FilingStatus]] = {
    FilingStatus.draft: frozenset({FilingStatus.submitted}),
    FilingStatus.returned: frozenset({FilingStatus.submitted}),
    FilingStatus.submitted: frozenset({FilingStatus.accepted, FilingStatus.returned}),
    FilingStatus.accepted: frozenset(),
}
LIFECYCLE = Lifecycle("filing", FilingStatus, TRANSITIONS)

EDITABLE = frozenset({FilingStatus.draft, FilingStatus.returned})


def can_move(current: str, target: FilingStatus) -> bool:
    return LIFECYCLE.can_move(current, target)


def move(filing: HasStatus, target: FilingStatus) -> None:
    """The one writer of a filing's status."""
    LIFECYCLE.move(filing, target)


def round_next_event(decided: bool, marked_overdue: bool, due_at: datetime) -> Due | None:
    """An undecided round goes overdue at its deadline (2 working days), once."""
    if decided or marked_overdue:
        return None
    return Due("filing-overdue", due_at)
