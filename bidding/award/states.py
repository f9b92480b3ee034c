"""The award's lifecycles and deadlines, pure: an objection or complaint, an award to one
candidate, a cancellation request; and the days the law gives each step.

objection | complaint: open --answered (dismissed, upheld: re-evaluation or a candidate disqualified)--> answered
award:        notified --the contract recorded--> contracted;  notified --declined or refused to sign--> declined
cancellation: requested --a supervisor confirms--> confirmed | --a supervisor rejects--> rejected
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.core.calendar.rules import PeriodRule
from app.core.lifecycle import HasStatus, Lifecycle
from bidding.tender.regime import Regime, regime_of

# The periods of the award, counted by the kernel's one period function (民法典 arts. 201, 203).
PUBLISH_WITHIN = PeriodRule(3, False, "实施条例 art. 54 ¶1: candidates published within 3 days of the report")
DEFAULT_PUBLICITY_DAYS = 3  # art. 54 ¶1: a publicity of at least 3 days
ANSWER_WITHIN = PeriodRule(3, False, "实施条例 art. 54 ¶2: an objection answered within 3 days of its receipt")
DOCUMENT_OBJECTION_DAYS = 10  # 实施条例 art. 22: objections to the documents 10 days before the deadline
COMPLAIN_WITHIN = PeriodRule(10, False, "实施条例 art. 60: a complaint within 10 days of knowing")
ACCEPT_COMPLAINT_WITHIN = PeriodRule(3, True, "实施条例 art. 61: a complaint accepted or not within 3 working days")
DECIDE_COMPLAINT_WITHIN = PeriodRule(30, True, "实施条例 art. 61: a complaint decided within 30 working days")
REPORT_WITHIN = PeriodRule(15, False, "招标投标法 art. 47: the written report within 15 days of the award")
SIGN_WITHIN = PeriodRule(30, False, "招标投标法 art. 46: the contract within 30 days of the award notice")

# Government procurement's own periods, all in working days (政府采购法 and its 实施条例; 财政部令第87号、第94号).
GP_CONFIRM_WITHIN = PeriodRule(
    5, True, "政府采购法实施条例 art. 43: the purchaser confirms the winner within 5 working days"
)
GP_RESULT_WITHIN = PeriodRule(2, True, "政府采购法实施条例 art. 43: the result notice within 2 working days of it")
GP_SUSPENSION_DAYS = 30  # 政府采购法 art. 57: a suspension of the procurement lasts 30 days at most
GP_QUESTION_WITHIN = PeriodRule(7, True, "政府采购法 art. 52; 94号令 art. 10: a 质疑 within 7 working days of knowing")
GP_ANSWER_WITHIN = PeriodRule(7, True, "政府采购法 art. 53; 94号令 art. 13: a 质疑 answered within 7 working days")
GP_COMPLAIN_WITHIN = PeriodRule(15, True, "政府采购法 art. 55; 94号令 art. 17: a 投诉 within 15 working days")
GP_ACCEPT_WITHIN = PeriodRule(5, True, "94号令 art. 21: a 投诉 accepted or not within 5 working days")
GP_CONTRACT_PUBLISH_WITHIN = PeriodRule(
    2, True, "政府采购法实施条例 art. 50: the contract published within 2 working days"
)
GP_CONTRACT_FILE_WITHIN = PeriodRule(7, True, "政府采购法 art. 47: the contract filed (备案) within 7 working days")
GP_DECIDE_WITHIN = PeriodRule(30, True, "政府采购法 art. 56; 94号令 art. 26: a 投诉 decided within 30 working days")


@dataclass(frozen=True, slots=True)
class RemedyPeriods:
    """The periods of a regime's remedies: an objection (异议, 质疑) answered within `answer`; a
    complaint (投诉) made within `complain` of knowing (of the answer, or of its period's end),
    accepted or not within `accept`, decided within `decide` of its acceptance."""

    answer: PeriodRule
    complain: PeriodRule
    accept: PeriodRule
    decide: PeriodRule


REMEDY_PERIODS = {
    Regime.tendering: RemedyPeriods(ANSWER_WITHIN, COMPLAIN_WITHIN, ACCEPT_COMPLAINT_WITHIN, DECIDE_COMPLAINT_WITHIN),
    Regime.government_procurement: RemedyPeriods(
        GP_ANSWER_WITHIN, GP_COMPLAIN_WITHIN, GP_ACCEPT_WITHIN, GP_DECIDE_WITHIN
    ),
}


def remedy_periods(project_type: str) -> RemedyPeriods:
    return REMEDY_PERIODS[regime_of(project_type)]


def days_text(rule: PeriodRule) -> tuple[str, str]:
    """A period as a notice says it: ("7个工作日", "7 working days")."""
    return (
        (f"{rule.days}个工作日", f"{rule.days} working days")
        if rule.working
        else (f"{rule.days}日", f"{rule.days} days")
    )


class ObjectionStatus(enum.StrEnum):
    open = "open"
    answered = "answered"


class Outcome(enum.StrEnum):
    not_accepted = "not_accepted"  # a complaint the supervisors do not accept (不予受理)
    dismissed = "dismissed"
    reevaluation = "reevaluation"  # upheld: the same committee re-evaluates
    disqualification = "disqualification"  # upheld: a candidate is disqualified
    amended = "amended"  # an objection to the documents upheld: an amendment changed them
    upheld = "upheld"  # on the opening or another matter: the decision's text orders what follows


OBJECTION = Lifecycle(
    "objection",
    ObjectionStatus,
    {ObjectionStatus.open: frozenset({ObjectionStatus.answered}), ObjectionStatus.answered: frozenset()},
)


class AwardStatus(enum.StrEnum):
    notified = "notified"
    contracted = "contracted"
    declined = "declined"
    # GP: a 质疑 or 投诉 on the result upheld before the contract voids it (94号令 arts. 16, 32)
    voided = "voided"


AWARD = Lifecycle(
    "award",
    AwardStatus,
    {
        AwardStatus.notified: frozenset({AwardStatus.contracted, AwardStatus.declined, AwardStatus.voided}),
        AwardStatus.contracted: frozenset(),
        AwardStatus.declined: frozenset(),
        AwardStatus.voided: frozenset(),
    },
)
ENDED_AWARDS = frozenset({AwardStatus.declined, AwardStatus.voided})  # no winner: declined or voided


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


def publicity_rule(days: int) -> PeriodRule:
    """The publicity of a project type: `days` calendar days, at least 3."""
    return PeriodRule(max(days, DEFAULT_PUBLICITY_DAYS), False, "实施条例 art. 54 ¶1: a publicity of at least 3 days")


VALIDITY_REMINDER = PeriodRule(
    30, True, "七部委12号令 art. 40: bidders are asked to extend when the award cannot be made 30 working days before"
)


def validity_rule(days: int) -> PeriodRule:
    """The bid validity period a tender states, counted from its bid deadline."""
    return PeriodRule(days, False, "实施条例 art. 25: the bid validity counts from the bid deadline")


def bid_valid_until(base_end: datetime, extensions: Sequence[tuple[datetime, datetime, bool | None]]) -> datetime:
    """The end of one bid's validity: the tender's, extended by each extension (requested at, its
    end, the bidder's answer; in request order) the bidder consented to while its bid was valid."""
    end = base_end
    for requested_at, extension_end, consented in extensions:
        if consented and requested_at <= end:
            end = max(end, extension_end)
    return end


def contract_differences(
    award_price: Decimal, bid_duration_days: int | None, amount: Decimal, starts_on: date, ends_on: date
) -> list[str]:
    """Where a contract departs from the award (实施条例 art. 57 ¶1: the contract follows the
    tender documents and the winning bid): its amount from the awarded price, its term from the
    duration the bid declared. Each needs a recorded reason."""
    found = []
    if amount != award_price:
        found.append(f"amount {amount} differs from the awarded price {award_price}")
    term = (ends_on - starts_on).days + 1
    if bid_duration_days is not None and term > bid_duration_days:
        found.append(f"term of {term} days exceeds the {bid_duration_days} days the bid declared")
    return found
