"""The bond's rules as pure functions: when a bond falls due for refund and by which article,
the interest a cash bond earns, and what is wrong with a payment. No I/O.

Refunds (the instruction goes out the moment the event happens; the period is the latest day
the money may be back, which the supervisors watch):

- 工程 (Tendering Law): every bidder's bond within 5 days of the contract (实施条例 art. 57);
  a bid withdrawn before the deadline within 5 days of the withdrawal (art. 35 ¶1); a tender
  that failed or was terminated "at once" (art. 31: 及时退还; decided: instructed the same day,
  due within 5 days, the measure art. 57 uses).
- 政府采购: the unsuccessful suppliers' within 5 working days of the award notice, the
  winner's within 5 working days of the contract (政府采购法实施条例 art. 33); a withdrawal
  within 5 working days (财政部令第87号 art. 38); a terminated or failed procurement within
  5 working days of the termination (87号令 art. 38).
- A bond posted by a bidder who never bid (or whose bid was replaced by nothing) is returned
  after the deadline as a withdrawal is (decided).
- A bidder whose bid lapsed by refusing to extend its validity takes its bond back (实施条例
  art. 25 ¶2): as a withdrawal, from its refusal.
- A winner who declined the award is held: the tenderee decides whether the bond is forfeited
  (art. 74) or returned; nothing is refunded or forfeited automatically.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from app.core.calendar.rules import PeriodRule
from bidding.filing.checklist import GUARANTEES, BondForm

CENT, ZERO = Decimal("0.01"), Decimal("0.00")


# How a bond is posted: the forms the tender accepts (bidding.filing.checklist.BondForm).
CASH_FORMS = frozenset({BondForm.transfer})  # from the bidder's basic account into its sub-account
GUARANTEE_FORMS = GUARANTEES  # in place of cash (发改法规〔2023〕27号)


class BondKind(enum.StrEnum):
    bid = "bid"  # 投标保证金
    performance = "performance"  # 履约保证金 (实施条例 art. 58)


class PaymentFlag(enum.StrEnum):
    """What is wrong with a payment: recorded and shown, never silently accepted."""

    not_basic_account = "not_basic_account"  # 实施条例 art. 26 ¶2: from the basic account
    late = "late"  # booked after the bid deadline
    short = "short"  # the bond received is less than the amount asked


class ForfeitReason(enum.StrEnum):
    """The cases in which a bond may be kept (each a decision of the tenderee, recorded)."""

    withdrawn_after_deadline = "withdrawn_after_deadline"  # 实施条例 art. 35 ¶2
    refused_contract = "refused_contract"  # art. 74: the winner will not sign
    refused_performance_bond = "refused_performance_bond"  # art. 74: nor post the performance bond


FORFEIT_ARTICLES = {
    ForfeitReason.withdrawn_after_deadline: "实施条例 art. 35 ¶2",
    ForfeitReason.refused_contract: "实施条例 art. 74",
    ForfeitReason.refused_performance_bond: "实施条例 art. 74",
}

# The performance bond: at most 10 % of the contract price (实施条例 art. 58).
PERFORMANCE_BOND_CAP = Decimal("0.10")

WITHIN_5_DAYS_OF_CONTRACT = PeriodRule(5, False, "实施条例 art. 57: within 5 days of the contract")
WITHIN_5_DAYS_OF_WITHDRAWAL = PeriodRule(5, False, "实施条例 art. 35 ¶1: within 5 days of the withdrawal")
AT_ONCE_ON_TERMINATION = PeriodRule(5, False, "实施条例 art. 31: at once when the tender ends (decided: 5 days)")
GP_LOSERS = PeriodRule(5, True, "政府采购法实施条例 art. 33: within 5 working days of the award notice")
GP_WINNER = PeriodRule(5, True, "政府采购法实施条例 art. 33: within 5 working days of the contract")
GP_WITHDRAWAL = PeriodRule(5, True, "财政部令第87号 art. 38: within 5 working days of the withdrawal")
GP_TERMINATION = PeriodRule(5, True, "财政部令第87号 art. 38: within 5 working days of the termination")


@dataclass(frozen=True, slots=True)
class RefundFacts:
    """What the refund rule needs to know of one bidder on one tender."""

    government_procurement: bool
    bid_standing: bool  # the bidder has a submitted bid
    withdrawn_on: date | None  # its last bid withdrawn (before the deadline), or None
    deadline_passed_on: date | None  # the deadline passed on this day, or None if not yet
    ended_on: date | None  # the tender failed or was cancelled on this day
    awarded_on: date | None  # the award notice went out on this day
    winner: bool  # this bidder holds the award (or the contract)
    declined: bool  # this bidder was awarded and declined or failed to sign
    contract_on: date | None  # the contract was signed on this day
    lapsed_on: date | None  # the bidder refused to extend its validity on this day


@dataclass(frozen=True, slots=True)
class RefundDue:
    """The bond falls due: the event's day and the period after it."""

    event_on: date
    rule: PeriodRule


def refund_due(f: RefundFacts) -> RefundDue | None:
    """When this bidder's bond falls due for refund, or None while it is still held (or held
    for the tenderee's decision)."""
    gp = f.government_procurement
    if f.declined:
        return None  # the tenderee decides (art. 74): forfeit or return
    if f.ended_on is not None and f.contract_on is None:
        return RefundDue(f.ended_on, GP_TERMINATION if gp else AT_ONCE_ON_TERMINATION)
    if not f.bid_standing:
        if f.withdrawn_on is not None:
            return RefundDue(f.withdrawn_on, GP_WITHDRAWAL if gp else WITHIN_5_DAYS_OF_WITHDRAWAL)
        if f.deadline_passed_on is not None:
            return RefundDue(f.deadline_passed_on, GP_WITHDRAWAL if gp else WITHIN_5_DAYS_OF_WITHDRAWAL)
        return None
    if f.lapsed_on is not None and not f.winner:
        return RefundDue(f.lapsed_on, GP_WITHDRAWAL if gp else WITHIN_5_DAYS_OF_WITHDRAWAL)
    if gp and f.awarded_on is not None and not f.winner:
        return RefundDue(f.awarded_on, GP_LOSERS)
    if f.contract_on is not None:
        return RefundDue(f.contract_on, GP_WINNER if gp else WITHIN_5_DAYS_OF_CONTRACT)
    return None


# --- interest -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateChange:
    """From this day on, the settlement bank's demand-deposit rate is `annual` (0.0035 = 0.35 %)."""

    since: date
    annual: Decimal


# Interest on a deposit counts actual days on a 360-day year (人民币单位存款管理办法; the banks' usage).
DAYS_IN_INTEREST_YEAR = 360


def parse_rates(text: str) -> tuple[RateChange, ...]:
    """`YYYY-MM-DD:rate,…` (GGZY_DEMAND_DEPOSIT_RATES) in date order, or ValueError naming the bad item."""
    changes = []
    for item in filter(None, (i.strip() for i in text.split(","))):
        day, _, rate = item.partition(":")
        try:
            change = RateChange(date.fromisoformat(day), Decimal(rate))
        except (ValueError, ArithmeticError):
            raise ValueError(f"{item!r} is not YYYY-MM-DD:annual rate (e.g. 2015-10-24:0.0035)") from None
        if not change.annual.is_finite() or not ZERO <= change.annual < 1:
            raise ValueError(f"{item!r}: a rate is a fraction between 0 and 1")
        changes.append(change)
    return tuple(sorted(changes, key=lambda c: c.since))


def interest(principal: Decimal, start: date, end: date, rates: Sequence[RateChange]) -> Decimal:
    """Demand-deposit interest on `principal` from the day it was received to the day it is
    returned (the first day counted, the last not), at the rate in force on each day, rounded
    half up to the fen once at the end (实施条例 art. 57: 银行同期存款利息)."""
    if end <= start or principal <= 0:
        return ZERO
    total = Decimal(0)
    for i, change in enumerate(rates):
        until = rates[i + 1].since if i + 1 < len(rates) else end
        first, last = max(start, change.since), min(end, until)
        if last > first:
            total += principal * change.annual * (last - first).days / DAYS_IN_INTEREST_YEAR
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


# --- payments -----------------------------------------------------------------------------


def payment_flags(
    *, required: Decimal, received: Decimal, payer_account: str, basic_account: str | None, late: bool
) -> list[PaymentFlag]:
    """What is wrong with the cash a bond holds after a payment: from another account than the
    bidder's basic account, after the deadline, or less than the amount asked."""
    flags = []
    if basic_account is None or _account(payer_account) != _account(basic_account):
        flags.append(PaymentFlag.not_basic_account)
    if late:
        flags.append(PaymentFlag.late)
    if received < required:
        flags.append(PaymentFlag.short)
    return flags


def _account(number: str) -> str:
    return "".join(ch for ch in number if ch.isalnum())


def ledger_balance(entries: Sequence[tuple[str, Decimal]]) -> Decimal:
    """What the platform holds for a bond: received and interest in, refunded and forfeited out."""
    signs = {"received": 1, "interest": 1, "refunded": -1, "forfeited": -1}
    return sum((signs[kind] * amount for kind, amount in entries), ZERO)
