"""Refunds without anyone asking: when each bond falls due (bidding.bonds.rules.refund_due, from
what happened to its bidder and its tender), the refund instructed to the settlement bank the
moment it does (the amount received with its demand-deposit interest; a guarantee released
instead), the bank's answers (paid: the ledger records the refund; rejected: sent again under a
new key, then the supervisors told), and a refund past its day flagged."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.calendar.service import periods
from app.core.clock import Clock
from app.core.notifications import tell_supervisors
from app.core.problems import NotFound
from app.core.settings import Settings
from bidding.award.models import Award, ValidityConsent, ValidityExtension
from bidding.award.states import AwardStatus
from bidding.bids.models import Bid
from bidding.bids.states import BidStatus
from bidding.bonds import guarantees, ledger, rules, states
from bidding.bonds.models import BankTransaction, Bond, BondEntry, RefundInstruction
from bidding.bonds.rules import BondKind
from bidding.bonds.states import BondStatus, InstructionStatus
from bidding.tender.models import Tender
from bidding.tender.regime import Regime, regime_of
from bidding.tender.states import TenderStatus

ENDED = frozenset({TenderStatus.failed, TenderStatus.cancelled})

DECIDED = frozenset({TenderStatus.awarded, TenderStatus.contracted})

LIVE_AWARDS = frozenset({AwardStatus.notified, AwardStatus.contracted})


@dataclass(frozen=True)
class BankConfig:
    """The settlement bank as the platform knows it: the master account its sub-accounts hang
    from, the secret that signs every message both ways, and its demand-deposit rates."""

    master_account: str
    secret: bytes
    rates: tuple[rules.RateChange, ...]

    @classmethod
    def of(cls, settings: Settings) -> BankConfig:
        return cls(settings.bond_master_account, settings.bank_secret, rules.parse_rates(settings.demand_deposit_rates))


async def facts(session: AsyncSession, tender: Tender, bond: Bond, now: datetime, tz: ZoneInfo) -> rules.RefundFacts:
    uscc, today = bond.bidder_uscc, now.astimezone(tz).date()
    bids = list(await session.scalars(select(Bid).where(Bid.tender_id == tender.id, Bid.bidder_uscc == uscc)))
    withdrawn = [b.ended_at for b in bids if b.status == BidStatus.withdrawn and b.ended_at is not None]
    awards = list(await session.scalars(select(Award).where(Award.tender_id == tender.id)))
    live = [a for a in awards if a.status in LIVE_AWARDS]
    contract = next((a.contract_signed_on for a in live if a.contract_signed_on is not None), None)
    refused = await session.scalar(
        select(func.min(ValidityConsent.answered_at)).where(
            ValidityConsent.bidder_uscc == uscc,
            ValidityConsent.consent.is_(False),
            ValidityConsent.extension_id.in_(
                select(ValidityExtension.id).where(ValidityExtension.tender_id == tender.id)
            ),
        )
    )
    winner = any(a.bidder_uscc == uscc for a in live)
    return rules.RefundFacts(
        government_procurement=regime_of(tender.project_type) == Regime.government_procurement,
        bid_standing=any(b.status == BidStatus.submitted for b in bids),
        withdrawn_on=max(withdrawn).astimezone(tz).date() if withdrawn else None,
        deadline_passed_on=tender.bid_deadline.astimezone(tz).date() if tender.bid_deadline <= now else None,
        ended_on=today if tender.status in ENDED else None,
        awarded_on=min(a.awarded_at for a in live).astimezone(tz).date() if live else None,
        winner=winner,
        declined=not winner and any(a.bidder_uscc == uscc and a.status == AwardStatus.declined for a in awards),
        contract_on=contract,
        lapsed_on=refused.astimezone(tz).date() if refused is not None else None,
    )


async def refunds_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Bonds not yet returned whose tender has moved on far enough that one may be due: the
    tender ended or decided, or past the deadline without a standing bid, or its bid withdrawn."""
    standing_bid = exists().where(
        Bid.tender_id == Bond.tender_id, Bid.bidder_uscc == Bond.bidder_uscc, Bid.status == BidStatus.submitted
    )
    withdrawn_bid = exists().where(
        Bid.tender_id == Bond.tender_id, Bid.bidder_uscc == Bond.bidder_uscc, Bid.status == BidStatus.withdrawn
    )
    query = (
        select(Bond.id)
        .join(Tender, Tender.id == Bond.tender_id)
        .where(
            Bond.kind == BondKind.bid,
            Bond.status.in_(list(states.OUTSTANDING)),
            Bond.decision.is_(None),
            or_(
                Tender.status.in_(list(ENDED | DECIDED)),
                and_(~standing_bid, or_(withdrawn_bid, Tender.bid_deadline <= now)),
                exists().where(
                    ValidityExtension.tender_id == Bond.tender_id,
                    ValidityConsent.extension_id == ValidityExtension.id,
                    ValidityConsent.bidder_uscc == Bond.bidder_uscc,
                    ValidityConsent.consent.is_(False),
                ),
            ),
        )
    )
    return list(await session.scalars(query))


def _instruction_key(bond_id: uuid.UUID, attempt: int) -> str:
    return f"ggzy-refund-{bond_id.hex}-{attempt}"


async def refund(
    session: AsyncSession, bond_id: uuid.UUID, clock: Clock, actor: Actor, bank: BankConfig, tz: ZoneInfo
) -> bool:
    """Return one bond that has fallen due: cash by a payment instruction to the bank (the amount
    received with its interest), a guarantee by its release; a bond never posted is closed."""
    bond = await session.scalar(select(Bond).where(Bond.id == bond_id).with_for_update())
    if bond is None or bond.status not in states.OUTSTANDING or bond.decision is not None:
        return False
    tender = await session.get_one(Tender, bond.tender_id)
    now = clock.now()
    due = rules.refund_due(await facts(session, tender, bond, now, tz))
    if due is None:
        return False
    counted = await periods(session, tz)
    bond.refund_due = counted.last_day_of(due.event_on, due.rule)
    bond.refund_rule = due.rule.article
    if bond.status == BondStatus.awaiting:
        states.move(bond, BondStatus.closed)
        await guarantees.release(session, clock, bond)  # a guarantee that did not stand ends too
        await audit.record(session, clock, actor, "bond.closed", "bond", bond.id, {"rule": due.rule.article})
        await session.commit()
        return True
    if bond.form not in rules.CASH_FORMS:
        states.move(bond, BondStatus.released)
        bond.refunded_at = now
        await guarantees.release(session, clock, bond)
        await audit.record(session, clock, actor, "bond.released", "bond", bond.id, {"rule": due.rule.article})
        await session.commit()
        return True
    await instruct(session, clock, actor, bond, bank, now, tz, attempt=1)
    states.move(bond, BondStatus.refunding)
    await session.commit()
    return True


async def instruct(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    bond: Bond,
    bank: BankConfig,
    now: datetime,
    tz: ZoneInfo,
    *,
    attempt: int,
    principal: Decimal | None = None,
    interest: Decimal | None = None,
) -> RefundInstruction:
    entries = await ledger.entries(session, bond.id)
    if principal is None:
        principal = ledger.balance(entries)
    if interest is None:
        start = bond.first_received_on or now.astimezone(tz).date()
        interest = rules.interest(principal, start, now.astimezone(tz).date(), bank.rates)
    first = await session.execute(
        select(BankTransaction.counterparty_account, BankTransaction.counterparty_name)
        .where(BankTransaction.bond_id == bond.id, BankTransaction.direction == "C")
        .order_by(BankTransaction.booked_at)
        .limit(1)
    )
    row = first.first()
    # Back to the account it came from (a payment from another account was flagged, never redirected).
    payee_account, payee_name = (row[0], row[1]) if row is not None else (bond.basic_account or "", "")
    instruction = RefundInstruction(
        key=_instruction_key(bond.id, attempt),
        bond_id=bond.id,
        attempt=attempt,
        principal=principal,
        interest=interest,
        from_account=bond.sub_account or "",
        payee_account=payee_account,
        payee_name=payee_name,
        status=InstructionStatus.pending,
        created_at=now,
    )
    session.add(instruction)
    await session.flush()
    await audit.record(
        session,
        clock,
        actor,
        "bond.refund_instructed",
        "bond",
        bond.id,
        {"key": instruction.key, "principal": str(principal), "interest": str(interest)},
    )
    return instruction


async def record_paid(
    session: AsyncSession, clock: Clock, actor: Actor, instruction: RefundInstruction, bank_ref: str, at: datetime
) -> None:
    if instruction.status != InstructionStatus.pending:
        return  # told twice: the first answer stands
    states.move_instruction(instruction, InstructionStatus.paid)
    instruction.answered_at, instruction.bank_ref = clock.now(), bank_ref
    bond = await session.get_one(Bond, instruction.bond_id, with_for_update=True)
    if instruction.interest > 0:
        session.add(
            BondEntry(bond_id=bond.id, kind="interest", amount=instruction.interest, at=at, reference=instruction.key)
        )
    session.add(
        BondEntry(
            bond_id=bond.id,
            kind="refunded",
            amount=instruction.principal + instruction.interest,
            at=at,
            reference=instruction.key,
        )
    )
    if bond.status == BondStatus.refunding:
        states.move(bond, BondStatus.refunded)
    bond.refunded_at = at
    await audit.record(
        session, clock, actor, "bond.refunded", "bond", bond.id, {"key": instruction.key, "bank_ref": bank_ref}
    )


async def refund_result(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    bank: BankConfig,
    tz: ZoneInfo,
    key: str,
    paid: bool,
    bank_ref: str,
    reason: str,
) -> dict[str, Any]:
    """The bank's answer to an instruction: paid (the ledger records the refund and its interest)
    or rejected (sent again under a new key, up to MAX_ATTEMPTS; then the officers are told).
    The same answer twice changes nothing."""
    instruction = await session.get(RefundInstruction, key, with_for_update=True)
    if instruction is None:
        raise NotFound(f"no refund instruction {key}")
    if instruction.status != InstructionStatus.pending:
        return instruction_view(instruction)
    if paid:
        await record_paid(session, clock, actor, instruction, bank_ref, clock.now())
        await session.commit()
        return instruction_view(instruction)
    states.move_instruction(instruction, InstructionStatus.rejected)
    instruction.answered_at, instruction.reject_reason, instruction.bank_ref = clock.now(), reason[:500], bank_ref
    bond = await session.get_one(Bond, instruction.bond_id, with_for_update=True)
    await audit.record(session, clock, actor, "bond.refund_rejected", "bond", bond.id, {"key": key, "reason": reason})
    if instruction.attempt < states.MAX_ATTEMPTS:
        await instruct(
            session,
            clock,
            actor,
            bond,
            bank,
            clock.now(),
            tz,
            attempt=instruction.attempt + 1,
            principal=instruction.principal,
            interest=instruction.interest,
        )
    else:
        message = f"投标保证金退还被银行拒绝 {instruction.attempt} 次：{reason}"
        await tell_supervisors(
            session, clock, "bond_refund_failed", "tender", bond.tender_id, message, f"bond_refund_failed:{bond.id}"
        )
    await session.commit()
    return instruction_view(instruction)


async def late_refunds(session: AsyncSession, now: datetime, tz: ZoneInfo) -> list[uuid.UUID]:
    today = now.astimezone(tz).date()
    query = select(Bond.id).where(
        Bond.status.in_([BondStatus.held, BondStatus.refunding]),
        Bond.refund_due < today,
        Bond.refund_late_at.is_(None),
    )
    return list(await session.scalars(query))


async def flag_late_refund(session: AsyncSession, bond_id: uuid.UUID, clock: Clock, actor: Actor, tz: ZoneInfo) -> bool:
    """A bond still not back after its period: flagged once, the supervisors told."""
    bond = await session.scalar(select(Bond).where(Bond.id == bond_id).with_for_update())
    today = clock.now().astimezone(tz).date()
    if bond is None or bond.refund_late_at is not None or bond.refund_due is None or bond.refund_due >= today:
        return False
    if bond.status not in {BondStatus.held, BondStatus.refunding}:
        return False
    bond.refund_late_at = clock.now()
    tender = await session.get_one(Tender, bond.tender_id)
    message = f"投标保证金逾期未退还（应于 {bond.refund_due} 前退还）：{tender.project_name}"
    await tell_supervisors(
        session, clock, "bond_refund_late", "tender", tender.id, message, f"bond_refund_late:{bond.id}"
    )
    await audit.record(session, clock, actor, "bond.refund_late", "bond", bond.id, {"due": bond.refund_due.isoformat()})
    await session.commit()
    return True


def instruction_view(i: RefundInstruction) -> dict[str, Any]:
    return {
        "key": i.key,
        "attempt": i.attempt,
        "principal": str(i.principal),
        "interest": str(i.interest),
        "amount_fen": int((i.principal + i.interest) * 100),
        "from_account": i.from_account,
        "payee_account": i.payee_account,
        "payee_name": i.payee_name,
        "status": i.status,
        "created_at": i.created_at.isoformat(),
        "answered_at": i.answered_at.isoformat() if i.answered_at else None,
        "reject_reason": i.reject_reason,
    }


async def instructions(session: AsyncSession, *, pending_only: bool) -> list[dict[str, Any]]:
    query = select(RefundInstruction).order_by(RefundInstruction.created_at, RefundInstruction.key)
    if pending_only:
        query = query.where(RefundInstruction.status == InstructionStatus.pending)
    return [instruction_view(i) for i in await session.scalars(query)]


INSTRUCTION_COLUMNS = ("key", "from_account", "payee_account", "payee_name", "amount_fen", "status", "attempt")


def instructions_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The payment-instruction file for the bank: one line an instruction, amounts in fen."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(INSTRUCTION_COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in INSTRUCTION_COLUMNS])
    return out.getvalue()
