"""The award's lifecycles and deadlines, pure: an objection or complaint, an award to one
candidate, a cancellation request; and the days the law gives each step.

objection | complaint: open --answered (dismissed, upheld: re-evaluation or a candidate disqualified)--> answered
award:        notified --the contract recorded--> contracted;  notified --declined or refused to sign--> declined
cancellation: requested --a supervisor confirms--> confirmed | --a supervisor rejects--> rejected
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from app.core.lifecycle import HasStatus, Lifecycle

PUBLISH_WITHIN = timedelta(days=3)  # implementing regulations art. 54: within 3 days of the report
DEFAULT_PUBLICITY_DAYS = 3  # art. 54: at least 3 days
ANSWER_WITHIN = timedelta(days=3)  # art. 54: the tenderee answers an objection within 3 days
COMPLAIN_WITHIN = timedelta(days=10)  # art. 60: a complaint within 10 days of knowing
DECIDE_COMPLAINT_WITHIN = timedelta(days=30)  # art. 61: 30 working days; counted here as calendar days
SIGN_WITHIN = timedelta(days=30)  # Tendering Law art. 46: the contract within 30 days of the notice
REFUND_BOND_WITHIN = timedelta(days=5)  # art. 57: bid bonds back within 5 days of the contract


class ObjectionStatus(enum.StrEnum):
    open = "open"
    answered = "answered"


class Outcome(enum.StrEnum):
    dismissed = "dismissed"
    reevaluation = "reevaluation"  # upheld: the same committee re-evaluates
    disqualification = "disqualification"  # upheld: a candidate is disqualified


OBJECTION = Lifecycle(
    "objection",
    ObjectionStatus,
    {ObjectionStatus.open: frozenset({ObjectionStatus.answered}), ObjectionStatus.answered: frozenset()},
)


class AwardStatus(enum.StrEnum):
    notified = "notified"
    contracted = "contracted"
    declined = "declined"


AWARD = Lifecycle(
    "award",
    AwardStatus,
    {
        AwardStatus.notified: frozenset({AwardStatus.contracted, AwardStatus.declined}),
        AwardStatus.contracted: frozenset(),
        AwardStatus.declined: frozenset(),
    },
)


class CancellationStatus(enum.StrEnum):
    requested = "requested"
    confirmed = "confirmed"
    rejected = "rejected"


CANCELLATION = Lifecycle(
    "cancellation",
    CancellationStatus,
    {
        CancellationStatus.requested: frozenset({CancellationStatus.confirmed, CancellationStatus.rejected}),
        CancellationStatus.confirmed: frozenset(),
        CancellationStatus.rejected: frozenset(),
    },
)


def move_objection(objection: HasStatus, target: ObjectionStatus) -> None:
    OBJECTION.move(objection, target)


def move_award(award: HasStatus, target: AwardStatus) -> None:
    AWARD.move(award, target)


def move_cancellation(cancellation: HasStatus, target: CancellationStatus) -> None:
    CANCELLATION.move(cancellation, target)


def publicity_end(started_at: datetime, days: int) -> datetime:
    """The end of a publicity of `days` calendar days (at least 3) from its start."""
    return started_at + timedelta(days=max(days, DEFAULT_PUBLICITY_DAYS))


def bond_refund_due(signed_on: date) -> date:
    return signed_on + REFUND_BOND_WITHIN


def next_candidate(candidates: list[dict[str, object]], tried: set[str]) -> dict[str, object] | None:
    """The first candidate in rank order not yet awarded (declined or refused to sign)."""
    return next((c for c in candidates if str(c["bid"]) not in tried), None)
