"""The filing lifecycle as one explicit state machine: every handler and job asks it.

draft --submit--> submitted --accept--> accepted (publishes the tender)
                  submitted --return--> returned --submit--> submitted ...
"""

from __future__ import annotations

import enum


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

EDITABLE = frozenset({FilingStatus.draft, FilingStatus.returned})


def can_move(current: str, target: FilingStatus) -> bool:
    return target in TRANSITIONS[FilingStatus(current)]
