"""Bonds' use cases: a bidder opens its bond (a sub-account for cash), the settlement bank's
statement and callbacks credit it (idempotent by the bank's transaction number), the refund job
instructs the bank the moment a bond falls due and records what the bank paid, the tenderee
forfeits only by a recorded decision, and everyone sees what they may. Every change is in the
audit trail; money is Decimal yuan here and integer fen in the bank's messages."""

from __future__ import annotations

import secrets
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
from app.core.actor import Actor, Role
from app.core.calendar.service import periods
from app.core.clock import Clock
from app.core.money import ZERO, from_fen
from app.core.notifications import notify
from app.core.problems import Conflict, Forbidden, InvalidRequest, NotFound
from app.core.settings import Settings
from app.core.validation import FieldError
from bidding.award.models import Award, ValidityConsent, ValidityExtension
from bidding.award.states import AwardStatus
from bidding.bids.models import Bid
from bidding.bids.states import BidStatus
from bidding.bonds import guarantees, reconcile, rules, states
from bidding.bonds.bank import BankLine
from bidding.bonds.models import BankTransaction, Bond, BondEntry, RefundInstruction
from bidding.bonds.rules import BondKind, ForfeitReason
from bidding.bonds.states import BondStatus, InstructionStatus
from bidding.filing.checklist import BondForm
from bidding.tender.models import Tender
from bidding.tender.queries import tender_or_404
from bidding.tender.regime import Regime, regime_of
from bidding.tender.states import TenderStatus

ENDED = frozenset({TenderStatus.failed, TenderStatus.cancelled})
DECIDED = frozenset({TenderStatus.awarded, TenderStatus.contracted})


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


# --- a bidder's bond ------------------------------------------------------------------------


def _account_problem(value: str) -> str | None:
    digits = value.replace(" ", "")
    if not digits.isdigit() or not 8 <= len(digits) <= 32:
        return "a bank account number of 8 to 32 digits"
    return None


async def _bond_of(session: AsyncSession, tender_id: uuid.UUID, uscc: str, *, lock: bool = False) -> Bond | None:
    query = select(Bond).where(Bond.tender_id == tender_id, Bond.bidder_uscc == uscc, Bond.kind == BondKind.bid)
    return await session.scalar(query.with_for_update() if lock else query)


async def _new_sub_account(session: AsyncSession, master: str) -> str:
    """A sub-account number of the master account nobody holds yet (子账户: one per bidder and tender)."""
    while True:
        candidate = f"{master}{secrets.randbelow(10**8):08d}"
        if await session.scalar(select(Bond.id).where(Bond.sub_account == candidate)) is None:
            return candidate


async def open_bond(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    bank: BankConfig,
    tender_id: uuid.UUID,
    form: BondForm,
    basic_account: str | None,
) -> Bond:
    """The bidder says how it posts its bond; a cash bond gets its own sub-account to pay into.
    Asked again with the same form it answers the same bond; another form is taken while
    nothing has been received."""
    tender = await tender_or_404(session, tender_id)
    uscc = actor.org_uscc or ""
    if tender.tenderee_uscc == uscc or tender.agency_uscc == uscc:
        raise Forbidden(
            "a tenderee or its agency posts no bond on its own tender", zh="招标人及其代理机构不得在本项目缴纳保证金"
        )
    if tender.bond_amount is None:
        raise Conflict("this tender asks no bid bond", zh="本项目不要求投标保证金")
    if tender.status != TenderStatus.published or clock.now() >= tender.bid_deadline:
        raise Conflict("bonds are posted before the bid deadline", zh="投标截止后不能再缴纳投标保证金")
    errors: list[FieldError] = []
    if form not in (tender.bond_forms or []):
        accepted = ", ".join(tender.bond_forms or [])
        errors.append(FieldError("form", "not_accepted", f"this tender accepts {accepted}"))
    if form in rules.CASH_FORMS:
        problem = _account_problem(basic_account or "")
        if problem:
            errors.append(
                FieldError("basic_account", "invalid", f"your basic deposit account (基本存款账户): {problem}")
            )
    if errors:
        raise InvalidRequest(errors)
    bond = await _bond_of(session, tender_id, uscc, lock=True)
    account = (basic_account or "").replace(" ", "") or None
    if bond is not None:
        if bond.form == form and bond.basic_account == (account if form in rules.CASH_FORMS else bond.basic_account):
            return bond
        if bond.status != BondStatus.awaiting:
            raise Conflict("the bond has been posted; its form no longer changes", zh="保证金已缴纳，不能更改形式")
        bond.form = form
    else:
        bond = Bond(
            tender_id=tender_id,
            bidder_uscc=uscc,
            kind=BondKind.bid,
            form=form,
            required=tender.bond_amount,
            status=BondStatus.awaiting,
            flags=[],
            opened_at=clock.now(),
            opened_by=actor.username,
        )
        session.add(bond)
    if form in rules.CASH_FORMS:
        bond.basic_account = account
        if bond.sub_account is None:
            bond.sub_account = await _new_sub_account(session, bank.master_account)
    await session.flush()
    await audit.record(
        session, clock, actor, "bond.open", "bond", bond.id, {"tender": str(tender_id), "form": str(form)}
    )
    await session.commit()
    return bond


# --- the bank's transactions ----------------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    """What one bank transaction did: new (recorded now) or a repeat of one recorded before."""

    bank_ref: str
    new: bool
    bond_id: uuid.UUID | None
    flags: list[str]


async def _entries(session: AsyncSession, bond_id: uuid.UUID) -> list[BondEntry]:
    rows = await session.scalars(select(BondEntry).where(BondEntry.bond_id == bond_id).order_by(BondEntry.at))
    return list(rows)


def _sum(entries: Sequence[BondEntry], kind: str) -> Decimal:
    return sum((e.amount for e in entries if e.kind == kind), ZERO)


async def _credit(
    session: AsyncSession, clock: Clock, actor: Actor, line: BankLine, row: BankTransaction, tz: ZoneInfo
) -> None:
    bond = await session.scalar(select(Bond).where(Bond.sub_account == line.account).with_for_update())
    if bond is None:
        row.flags = ["unmatched"]
        return
    row.bond_id = bond.id
    tender = await session.get_one(Tender, bond.tender_id)
    amount = from_fen(line.amount_fen)
    session.add(BondEntry(bond_id=bond.id, kind="received", amount=amount, at=line.booked_at, reference=line.bank_ref))
    await session.flush()
    received = _sum(await _entries(session, bond.id), "received")
    late = line.booked_at > tender.bid_deadline
    flags = rules.payment_flags(
        required=bond.required,
        received=received,
        payer_account=line.counterparty_account,
        basic_account=bond.basic_account,
        late=late,
    )
    row.flags = [str(f) for f in flags if f != rules.PaymentFlag.short]
    kept = {f for f in bond.flags if f != rules.PaymentFlag.short}
    bond.flags = sorted(kept | {str(f) for f in flags})
    if bond.status == BondStatus.awaiting:
        states.move(bond, BondStatus.held)
        bond.first_received_on = line.booked_at.astimezone(tz).date()
    elif bond.status != BondStatus.held:
        row.flags = [*row.flags, "after_close"]  # paid after the bond was returned: officers act on it
    await audit.record(
        session,
        clock,
        actor,
        "bond.received",
        "bond",
        bond.id,
        {"bank_ref": line.bank_ref, "amount": str(amount), "flags": bond.flags},
    )


async def _debit(session: AsyncSession, clock: Clock, actor: Actor, line: BankLine, row: BankTransaction) -> None:
    instruction = await session.get(RefundInstruction, line.reference, with_for_update=True)
    if instruction is None:
        row.flags = ["unmatched"]
        return
    row.bond_id = instruction.bond_id
    if line.amount_fen != int((instruction.principal + instruction.interest) * 100):
        row.flags = ["amount_differs"]
    await _paid(session, clock, actor, instruction, line.bank_ref, line.booked_at)


async def record_line(
    session: AsyncSession, clock: Clock, actor: Actor, line: BankLine, source: str, tz: ZoneInfo
) -> Booked:
    """Record one booked transaction once: the same bank number again changes nothing."""
    known = await session.get(BankTransaction, line.bank_ref)
    if known is not None:
        return Booked(line.bank_ref, False, known.bond_id, list(known.flags))
    row = BankTransaction(
        bank_ref=line.bank_ref,
        direction=line.direction,
        account=line.account,
        counterparty_account=line.counterparty_account,
        counterparty_name=line.counterparty_name,
        amount=from_fen(line.amount_fen),
        booked_at=line.booked_at,
        reference=line.reference,
        source=source,
        recorded_at=clock.now(),
        flags=[],
    )
    session.add(row)
    await session.flush()
    if line.direction == "C":
        await _credit(session, clock, actor, line, row, tz)
    else:
        await _debit(session, clock, actor, line, row)
    return Booked(line.bank_ref, True, row.bond_id, list(row.flags))


async def import_statement(
    session: AsyncSession, clock: Clock, actor: Actor, lines: Sequence[BankLine], tz: ZoneInfo
) -> dict[str, Any]:
    """A whole statement in one transaction: each line recorded once (a second import of the same
    file changes nothing), unmatched and flagged lines counted for the officers."""
    booked = [await record_line(session, clock, actor, line, "statement", tz) for line in lines]
    new = [b for b in booked if b.new]
    await audit.record(
        session, clock, actor, "bond.statement_imported", "bank", "statement", {"lines": len(lines), "new": len(new)}
    )
    await session.commit()
    return {
        "lines": len(lines),
        "new": len(new),
        "repeated": len(booked) - len(new),
        "unmatched": [b.bank_ref for b in new if b.bond_id is None],
        "flagged": [{"bank_ref": b.bank_ref, "flags": b.flags} for b in new if b.flags and b.bond_id is not None],
    }


# --- refunds --------------------------------------------------------------------------------


LIVE_AWARDS = frozenset({AwardStatus.notified, AwardStatus.contracted})


async def _facts(session: AsyncSession, tender: Tender, bond: Bond, now: datetime, tz: ZoneInfo) -> rules.RefundFacts:
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
    due = rules.refund_due(await _facts(session, tender, bond, now, tz))
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
    await _instruct(session, clock, actor, bond, bank, now, tz, attempt=1)
    states.move(bond, BondStatus.refunding)
    await session.commit()
    return True


async def _instruct(
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
    entries = await _entries(session, bond.id)
    if principal is None:
        principal = rules.ledger_balance([(e.kind, e.amount) for e in entries])
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


async def _paid(
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
        await _paid(session, clock, actor, instruction, bank_ref, clock.now())
        await session.commit()
        return instruction_view(instruction)
    states.move_instruction(instruction, InstructionStatus.rejected)
    instruction.answered_at, instruction.reject_reason, instruction.bank_ref = clock.now(), reason[:500], bank_ref
    bond = await session.get_one(Bond, instruction.bond_id, with_for_update=True)
    await audit.record(session, clock, actor, "bond.refund_rejected", "bond", bond.id, {"key": key, "reason": reason})
    if instruction.attempt < states.MAX_ATTEMPTS:
        await _instruct(
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
        await notify(
            session,
            clock,
            audience_role=Role.supervisor,
            kind="bond_refund_failed",
            object_type="tender",
            object_id=bond.tender_id,
            message=f"投标保证金退还被银行拒绝 {instruction.attempt} 次：{reason}",
            dedupe_key=f"bond_refund_failed:{bond.id}",
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
    await notify(
        session,
        clock,
        audience_role=Role.supervisor,
        kind="bond_refund_late",
        object_type="tender",
        object_id=tender.id,
        message=f"投标保证金逾期未退还（应于 {bond.refund_due} 前退还）：{tender.project_name}",
        dedupe_key=f"bond_refund_late:{bond.id}",
    )
    await audit.record(session, clock, actor, "bond.refund_late", "bond", bond.id, {"due": bond.refund_due.isoformat()})
    await session.commit()
    return True


# --- the tenderee's decision and the performance bond -----------------------------------------


def _agency_of(actor: Actor, tender: Tender) -> None:
    if actor.org_uscc != tender.agency_uscc:
        raise Forbidden("only the tender's agency acts for the tenderee", zh="仅本项目的招标代理机构可以办理")


async def forfeit(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    bond_id: uuid.UUID,
    reason: ForfeitReason,
    note: str,
) -> Bond:
    """The tenderee keeps a bond, with its reason and article, in the cases the law allows only:
    a bid withdrawn after the deadline (art. 35 ¶2); a winner who will not sign or post the
    performance bond (art. 74)."""
    tender = await tender_or_404(session, tender_id)
    _agency_of(actor, tender)
    bond = await session.scalar(select(Bond).where(Bond.id == bond_id, Bond.tender_id == tender_id).with_for_update())
    if bond is None:
        raise NotFound(f"bond {bond_id} not found on this tender")
    errors = []
    if not note.strip() or len(note) > 2000:
        errors.append(FieldError("note", "required", "the facts the decision rests on, at most 2000 characters"))
    if clock.now() < tender.bid_deadline:
        raise Conflict("a bond is forfeited only after the bid deadline", zh="投标截止前不得没收保证金")
    if reason in {ForfeitReason.refused_contract, ForfeitReason.refused_performance_bond}:
        declined = await session.scalar(
            select(Award.id).where(
                Award.tender_id == tender_id,
                Award.bidder_uscc == bond.bidder_uscc,
                Award.status == AwardStatus.declined,
            )
        )
        if declined is None:
            errors.append(FieldError("reason", "invalid", "only the bond of a winner who declined the award (art. 74)"))
    if errors:
        raise InvalidRequest(errors)
    if bond.status != BondStatus.held:
        raise Conflict(f"a {bond.status} bond cannot be forfeited", zh="该保证金当前状态不能没收")
    balance = rules.ledger_balance([(e.kind, e.amount) for e in await _entries(session, bond.id)])
    if bond.form in rules.CASH_FORMS and balance > 0:
        session.add(BondEntry(bond_id=bond.id, kind="forfeited", amount=balance, at=clock.now(), reference="decision"))
    states.move(bond, BondStatus.forfeited)
    article = rules.FORFEIT_ARTICLES[reason]
    bond.decision = {
        "reason": str(reason),
        "article": article,
        "note": note.strip(),
        "by": actor.username,
        "at": clock.now().isoformat(),
    }
    if bond.form not in rules.CASH_FORMS:
        await guarantees.claim(session, clock, bond, bond.decision)
    await audit.record(session, clock, actor, "bond.forfeited", "bond", bond.id, {"reason": str(reason)})
    await session.commit()
    return bond


async def record_performance_bond(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, amount: Decimal, form: BondForm
) -> Bond:
    """The winner's performance bond (履约保证金), at most 10 % of the contract price (art. 58),
    recorded by the agency once the contract is."""
    tender = await tender_or_404(session, tender_id)
    _agency_of(actor, tender)
    award = await session.scalar(
        select(Award).where(Award.tender_id == tender_id, Award.status == AwardStatus.contracted)
    )
    if award is None or award.contract_amount is None:
        raise Conflict("the performance bond follows the contract", zh="履约保证金应在合同签订后登记")
    cap = (award.contract_amount * rules.PERFORMANCE_BOND_CAP).quantize(Decimal("0.01"))
    if amount > cap:
        raise InvalidRequest([FieldError("amount", "above_cap", f"at most 10 % of the contract ({cap} yuan; art. 58)")])
    if (
        await session.scalar(select(Bond.id).where(Bond.tender_id == tender_id, Bond.kind == BondKind.performance))
        is not None
    ):
        raise Conflict("the performance bond is recorded already", zh="履约保证金已登记")
    bond = Bond(
        tender_id=tender_id,
        bidder_uscc=award.bidder_uscc,
        kind=BondKind.performance,
        form=form,
        required=amount,
        status=BondStatus.awaiting,
        flags=[],
        opened_at=clock.now(),
        opened_by=actor.username,
    )
    session.add(bond)
    await session.flush()
    states.move(bond, BondStatus.held)
    if form in rules.CASH_FORMS:
        session.add(BondEntry(bond_id=bond.id, kind="received", amount=amount, at=clock.now(), reference="recorded"))
    await audit.record(
        session, clock, actor, "bond.performance", "bond", bond.id, {"amount": str(amount), "form": str(form)}
    )
    await session.commit()
    return bond


# --- views ----------------------------------------------------------------------------------


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


async def bond_view(session: AsyncSession, bond: Bond) -> dict[str, Any]:
    entries = await _entries(session, bond.id)
    instructions = list(
        await session.scalars(
            select(RefundInstruction).where(RefundInstruction.bond_id == bond.id).order_by(RefundInstruction.attempt)
        )
    )
    return {
        "id": str(bond.id),
        "tender_id": str(bond.tender_id),
        "bidder": bond.bidder_uscc,
        "kind": bond.kind,
        "form": bond.form,
        "required": str(bond.required),
        "status": bond.status,
        "sub_account": bond.sub_account,
        "basic_account": bond.basic_account,
        "flags": list(bond.flags),
        "valid": bond.status != BondStatus.awaiting and not bond.flags,
        "received": str(_sum(entries, "received")),
        "interest": str(_sum(entries, "interest")),
        "refunded": str(_sum(entries, "refunded")),
        "forfeited": str(_sum(entries, "forfeited")),
        "balance": str(rules.ledger_balance([(e.kind, e.amount) for e in entries])),
        "refund_due": bond.refund_due.isoformat() if bond.refund_due else None,
        "refund_rule": bond.refund_rule,
        "refunded_at": bond.refunded_at.isoformat() if bond.refunded_at else None,
        "refund_late": bond.refund_late_at is not None,
        "decision": bond.decision,
        "ledger": [
            {"kind": e.kind, "amount": str(e.amount), "at": e.at.isoformat(), "reference": e.reference} for e in entries
        ],
        "instructions": [instruction_view(i) for i in instructions],
        "guarantees": await guarantees.of_bond(session, bond.id),
    }


async def my_bond(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> dict[str, Any]:
    """The bidder's own bond on a tender, with its ledger (404 before it is opened)."""
    tender = await tender_or_404(session, tender_id)
    bond = await _bond_of(session, tender.id, actor.org_uscc or "")
    if bond is None:
        raise NotFound("you have not posted a bond on this tender", zh="您尚未在本项目缴纳保证金")
    return await bond_view(session, bond)


async def tender_bonds(session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID) -> dict[str, Any]:
    """The bonds of a tender. Before the deadline a count of paid bonds is as secret as a count
    of bids: the agency sees only the terms; supervisors see everything at any time."""
    tender = await tender_or_404(session, tender_id)
    if actor.has_role(Role.agency) and not actor.has_role(Role.supervisor):
        _agency_of(actor, tender)
    terms = {"amount": str(tender.bond_amount) if tender.bond_amount is not None else None, "forms": tender.bond_forms}
    if clock.now() < tender.bid_deadline and not actor.has_role(Role.supervisor):
        return {"terms": terms, "sealed_until": tender.bid_deadline.isoformat(), "bonds": None}
    bonds = list(await session.scalars(select(Bond).where(Bond.tender_id == tender_id).order_by(Bond.opened_at)))
    return {"terms": terms, "sealed_until": None, "bonds": [await bond_view(session, b) for b in bonds]}


async def instructions(session: AsyncSession, *, pending_only: bool) -> list[dict[str, Any]]:
    query = select(RefundInstruction).order_by(RefundInstruction.created_at, RefundInstruction.key)
    if pending_only:
        query = query.where(RefundInstruction.status == InstructionStatus.pending)
    return [instruction_view(i) for i in await session.scalars(query)]


INSTRUCTION_COLUMNS = ("key", "from_account", "payee_account", "payee_name", "amount_fen", "status", "attempt")


def instructions_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The payment-instruction file for the bank: one line an instruction, amounts in fen."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(INSTRUCTION_COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in INSTRUCTION_COLUMNS])
    return out.getvalue()


async def standing(session: AsyncSession, tender_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    """Each bidder's bond as the committee weighs it (实施条例 art. 51: a bond not posted as the
    documents ask may make a bid invalid; the committee decides): form, whether it stands, why not."""
    bonds = await session.scalars(select(Bond).where(Bond.tender_id == tender_id, Bond.kind == BondKind.bid))
    return {
        b.bidder_uscc: {
            "form": b.form,
            "status": b.status,
            "valid": b.status != BondStatus.awaiting and not b.flags,
            "flags": list(b.flags),
        }
        for b in bonds
    }


async def ledger_rows(session: AsyncSession) -> list[reconcile.LedgerRow]:
    """Every cash entry the bank should have booked: received and refunded, in fen."""
    query = (
        select(BondEntry.kind, BondEntry.amount, BondEntry.reference, BondEntry.at, Bond.sub_account)
        .join(Bond, Bond.id == BondEntry.bond_id)
        .where(BondEntry.kind.in_(["received", "refunded"]), Bond.sub_account.is_not(None))
    )
    return [
        reconcile.LedgerRow(kind, int(amount * 100), reference, at, account or "")
        for kind, amount, reference, at, account in (await session.execute(query)).all()
    ]
