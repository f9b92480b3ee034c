"""Bonds' use cases at the bidder's and the tenderee's hand: a bidder opens its bond (a
sub-account of its own for cash), the tenderee forfeits one only by a recorded decision in the
law's cases and records the winner's performance bond, and everyone sees what they may (the
bank's side: bidding.bonds.bank_book; refunds: bidding.bonds.refunds). Every change is in the
audit trail; money is Decimal yuan here and integer fen in the bank's messages."""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.clock import Clock
from app.core.problems import Conflict, Forbidden, InvalidRequest, NotFound
from app.core.validation import FieldError
from bidding.award.models import Award
from bidding.award.states import AwardStatus
from bidding.bonds import guarantees, ledger, posting, refunds, rules, states
from bidding.bonds.models import Bond, BondEntry, RefundInstruction
from bidding.bonds.rules import BondKind, ForfeitReason
from bidding.bonds.states import BondStatus
from bidding.filing.checklist import BondForm
from bidding.tender.models import Tender
from bidding.tender.queries import tender_or_404


def _account_problem(value: str) -> str | None:
    digits = value.replace(" ", "")
    if not digits.isdigit() or not 8 <= len(digits) <= 32:
        return "a bank account number of 8 to 32 digits"
    return None


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
    bank: refunds.BankConfig,
    tender_id: uuid.UUID,
    form: BondForm,
    basic_account: str | None,
) -> Bond:
    """The bidder says how it posts its bond; a cash bond gets its own sub-account to pay into.
    Asked again with the same form it answers the same bond; another form is taken while
    nothing has been received."""
    tender = await tender_or_404(session, tender_id)
    uscc = actor.org_uscc or ""
    posting.may_post(tender, uscc, clock.now())
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
    bond = await posting.bid_bond_of(session, tender_id, uscc, lock=True)
    account = (basic_account or "").replace(" ", "") or None
    if bond is not None:
        if bond.form == form and bond.basic_account == (account if form in rules.CASH_FORMS else bond.basic_account):
            return bond
        if bond.status != BondStatus.awaiting:
            raise Conflict("the bond has been posted; its form no longer changes", zh="保证金已缴纳，不能更改形式")
        bond.form = form
    else:
        bond = posting.new_bid_bond(tender, uscc, form, clock.now(), actor.username)
        session.add(bond)
    try:
        if form in rules.CASH_FORMS:
            bond.basic_account = account
            if bond.sub_account is None:
                bond.sub_account = await _new_sub_account(session, bank.master_account)
        await session.flush()
        await audit.record(
            session, clock, actor, "bond.open", "bond", bond.id, {"tender": str(tender_id), "form": str(form)}
        )
        await session.commit()
    except IntegrityError:  # the same bidder opening its bond twice at once: the other one did
        await session.rollback()
        opened = await posting.bid_bond_of(session, tender_id, uscc)
        if opened is None:
            raise
        return opened
    return bond


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
    balance = ledger.balance(await ledger.entries(session, bond.id))
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


async def bond_view(session: AsyncSession, bond: Bond) -> dict[str, Any]:
    entries = await ledger.entries(session, bond.id)
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
        "received": str(ledger.total(entries, "received")),
        "interest": str(ledger.total(entries, "interest")),
        "refunded": str(ledger.total(entries, "refunded")),
        "forfeited": str(ledger.total(entries, "forfeited")),
        "balance": str(ledger.balance(entries)),
        "refund_due": bond.refund_due.isoformat() if bond.refund_due else None,
        "refund_rule": bond.refund_rule,
        "refunded_at": bond.refunded_at.isoformat() if bond.refunded_at else None,
        "refund_late": bond.refund_late_at is not None,
        "decision": bond.decision,
        "ledger": [
            {"kind": e.kind, "amount": str(e.amount), "at": e.at.isoformat(), "reference": e.reference} for e in entries
        ],
        "instructions": [refunds.instruction_view(i) for i in instructions],
        "guarantees": await guarantees.of_bond(session, bond.id),
    }


async def my_bond(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> dict[str, Any]:
    """The bidder's own bond on a tender, with its ledger (404 before it is opened)."""
    tender = await tender_or_404(session, tender_id)
    bond = await posting.bid_bond_of(session, tender.id, actor.org_uscc or "")
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
