"""The settlement bank's transactions as the platform books them: each credit into a sub-account
matched to its bond (a payment from another account, late or short flagged, never silently
accepted), each debit to the refund instruction it paid; one row per bank transaction number, so
a statement or a callback told twice changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.money import ZERO, from_fen
from bidding.bonds import refunds, rules, states
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


@dataclass
class Books:
    """What booking a batch of credits reads once: the bonds by sub-account (locked), their
    tenders, and the cash each bond has received so far."""

    bonds: dict[str, Bond]
    tenders: dict[uuid.UUID, Tender]
    received: dict[uuid.UUID, Decimal]


CHUNK = 5000  # ids in one IN (…) list


def _chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


async def _books(session: AsyncSession, accounts: Sequence[str]) -> Books:
    bonds: dict[str, Bond] = {}
    for part in _chunks(sorted(set(accounts))):
        query = select(Bond).where(Bond.sub_account.in_(part)).order_by(Bond.id).with_for_update()
        bonds |= {b.sub_account: b for b in await session.scalars(query) if b.sub_account is not None}
    tender_ids = sorted({b.tender_id for b in bonds.values()})
    tenders = {t.id: t for t in await session.scalars(select(Tender).where(Tender.id.in_(tender_ids)))}
    received: dict[uuid.UUID, Decimal] = {}
    for part in _chunks(sorted(b.id for b in bonds.values())):
        rows = await session.execute(
            select(BondEntry.bond_id, BondEntry.amount).where(BondEntry.bond_id.in_(part), BondEntry.kind == "received")
        )
        for bond_id, amount in rows.all():
            received[bond_id] = received.get(bond_id, ZERO) + amount
    return Books(bonds, tenders, received)


async def _credit(
    session: AsyncSession, clock: Clock, actor: Actor, line: BankLine, row: BankTransaction, books: Books, tz: ZoneInfo
) -> None:
    bond = books.bonds.get(line.account)
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
    tender = books.tenders[bond.tender_id]
    amount = from_fen(line.amount_fen)
    session.add(BondEntry(bond_id=bond.id, kind="received", amount=amount, at=line.booked_at, reference=line.bank_ref))
    received = books.received[bond.id] = books.received.get(bond.id, ZERO) + amount
    flags = rules.payment_flags(
        required=bond.required,
        received=received,
        payer_account=line.counterparty_account,
        basic_account=bond.basic_account,
        late=line.booked_at > tender.bid_deadline,
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


def _row(line: BankLine, source: str, clock: Clock) -> BankTransaction:
    return BankTransaction(
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


async def _book(
    session: AsyncSession, clock: Clock, actor: Actor, lines: Sequence[BankLine], source: str, tz: ZoneInfo
) -> list[Booked]:
    """Book each line once: the bank numbers booked before are found in one query, the bonds,
    their tenders and what they received in a few more, whatever the number of lines."""
    known: dict[str, BankTransaction] = {}
    for part in _chunks([x.bank_ref for x in lines]):
        known |= {
            t.bank_ref: t
            for t in await session.scalars(select(BankTransaction).where(BankTransaction.bank_ref.in_(part)))
        }
    fresh = [x for x in lines if x.bank_ref not in known]
    books = await _books(session, [x.account for x in fresh if x.direction == "C"])
    booked: list[Booked] = []
    for line in lines:
        if line.bank_ref in known:
            repeat = known[line.bank_ref]
            booked.append(Booked(line.bank_ref, False, repeat.bond_id, list(repeat.flags)))
            continue
        row = _row(line, source, clock)
        session.add(row)
        if line.direction == "C":
            await _credit(session, clock, actor, line, row, books, tz)
        else:
            await session.flush()
            await _debit(session, clock, actor, line, row)
        booked.append(Booked(line.bank_ref, True, row.bond_id, list(row.flags)))
    await session.flush()
    return booked


async def record_line(
    session: AsyncSession, clock: Clock, actor: Actor, line: BankLine, source: str, tz: ZoneInfo
) -> Booked:
    """Record one booked transaction once: the same bank number again changes nothing."""
    [booked] = await _book(session, clock, actor, [line], source, tz)
    return booked


async def import_statement(
    session: AsyncSession, clock: Clock, actor: Actor, lines: Sequence[BankLine], tz: ZoneInfo
) -> dict[str, Any]:
    """A whole statement in one transaction: each line recorded once (a second import of the same
    file changes nothing), unmatched and flagged lines counted for the officers."""
    booked = await _book(session, clock, actor, lines, "statement", tz)
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
