"""The tender lifecycle as one explicit state machine: every handler and job asks it.

published --opening time, ≥ 3 bids--> opening --all bids read out--> opened
published --opening time, < 3 bids--> failed (流标: re-tender, implementing regulations art. 44)
The evaluation issues add the states after `opened`.
"""

from __future__ import annotations

import enum


class TenderStatus(enum.StrEnum):
    published = "published"
    opening = "opening"
    opened = "opened"
    failed = "failed"


TRANSITIONS: dict[TenderStatus, frozenset[TenderStatus]] = {
    TenderStatus.published: frozenset({TenderStatus.opening, TenderStatus.failed}),
    TenderStatus.opening: frozenset({TenderStatus.opened}),
    TenderStatus.opened: frozenset(),
    TenderStatus.failed: frozenset(),
}

MIN_BIDS_TO_OPEN = 3

# Once published, a tender's every step is public (开标公开进行); later non-public states stay out.
PUBLIC_STATUSES = frozenset(TenderStatus)


def can_move(current: str, target: TenderStatus) -> bool:
    return target in TRANSITIONS[TenderStatus(current)]
