"""The tender lifecycle as one explicit state machine; `move` is the only writer of its status.

published --opening time, ≥ 3 bids--> opening --all bids read out--> opened
published --opening time, < 3 bids--> failed (流标: re-tender, implementing regulations art. 44)
opened --the committee starts (评标)--> evaluation --every member signed the report--> evaluated
evaluated --the credit check leaves 1–3 clean bids (联合惩戒)--> candidates
evaluated | candidates --no clean bid (at the check or a supervisor's re-run)--> failed
The award issue adds the states after `candidates`.
"""

from __future__ import annotations

import enum
from datetime import datetime

from app.core.lifecycle import Due, HasStatus, Lifecycle


class TenderStatus(enum.StrEnum):
    published = "published"
    opening = "opening"
    opened = "opened"
    evaluation = "evaluation"
    evaluated = "evaluated"
    candidates = "candidates"  # the candidate winners, credit-checked (联合惩戒)
    failed = "failed"


TRANSITIONS: dict[TenderStatus, frozenset[TenderStatus]] = {
    TenderStatus.published: frozenset({TenderStatus.opening, TenderStatus.failed}),
    TenderStatus.opening: frozenset({TenderStatus.opened}),
    TenderStatus.opened: frozenset({TenderStatus.evaluation}),
    TenderStatus.evaluation: frozenset({TenderStatus.evaluated}),
    TenderStatus.evaluated: frozenset({TenderStatus.candidates, TenderStatus.failed}),  # no clean candidate
    TenderStatus.candidates: frozenset({TenderStatus.failed}),  # a supervisor's re-run of the credit check
    TenderStatus.failed: frozenset(),
}
LIFECYCLE = Lifecycle("tender", TenderStatus, TRANSITIONS)

MIN_BIDS_TO_OPEN = 3

# Once published, a tender's every step is public (开标公开进行); later non-public states stay out.
PUBLIC_STATUSES = frozenset(TenderStatus)

# The committee's names are confidential until the candidates are published (Tendering Law
# art. 37); the award issue adds the publicity state that lifts it.
COMMITTEE_PUBLIC_STATUSES: frozenset[TenderStatus] = frozenset()


def can_move(current: str, target: TenderStatus) -> bool:
    return LIFECYCLE.can_move(current, target)


def move(tender: HasStatus, target: TenderStatus) -> None:
    """The one writer of a tender's status."""
    LIFECYCLE.move(tender, target)


def next_event(status: str, opening_time: datetime) -> Due | None:
    """A published tender's opening session starts at its opening time (开标)."""
    if status == TenderStatus.published:
        return Due("opening-start", opening_time)
    return None
