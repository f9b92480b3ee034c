"""The settlement bank's transactions as the platform books them: each credit into a sub-account
matched to its bond (a payment from another account, late or short flagged, never silently
accepted), each debit to the refund instruction it paid; one row per bank transaction number, so
a statement or a callback told twice changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.money import from_fen
from bidding.bonds import ledger, refunds, rules, states
from bidding.bonds.bank import BankLine
from bidding.bonds.models import BankTransaction, Bond, BondEntry, RefundInstruction
from bidding.bonds.states import BondStatus
from bidding.tender.models import Tender


@dataclass(frozen=True)
class Booked:
    """What one bank transaction did: new (recorded now) or a repeat of one recorded before."""

    bank_ref: str
    new: bool
    bond_id: uuid.UUID | None
    flags: list[str]


async def _credit(
    session: AsyncSession, clock: Clock, actor: Actor, line: BankLine, row: BankTransaction, tz: ZoneInfo
) -> None:
    bond = await session.scalar(select(Bond).where(Bond.sub_account == line.account).with_for_update())
    if bond is None:
        row.flags = ["unmatched"]
        return
    row.bond_id = bond.id
    if bond.status not in states.OUTSTANDING:
        # paid after the bond was returned, kept or closed: not the bond's money; kept out of its
        # ledger, flagged for the officers (`ggzy bonds reconcile` lists it) to send back by hand
        row.flags = ["after_close"]
        await audit.record(
            session, clock, actor, "bond.received_after_close", "bond", bond.id, {"bank_ref": line.bank_ref}
        )
        return
    tender = await session.get_one(Tender, bond.tender_id)
    amount = from_fen(line.amount_fen)
    session.add(BondEntry(bond_id=bond.id, kind="received", amount=amount, at=line.booked_at, reference=line.bank_ref))
    await session.flush()
    received = ledger.total(await ledger.entries(session, bond.id), "received")
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
    await refunds.record_paid(session, clock, actor, instruction, line.bank_ref, line.booked_at)


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
