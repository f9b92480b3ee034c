"""A bond's ledger (received, interest, refunded, forfeited), read: its entries, their totals, and
the cash entries the bank should have booked (what `ggzy bonds reconcile` compares)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.money import ZERO
from bidding.bonds import reconcile, rules
from bidding.bonds.models import Bond, BondEntry


async def entries(session: AsyncSession, bond_id: uuid.UUID) -> list[BondEntry]:
    rows = await session.scalars(select(BondEntry).where(BondEntry.bond_id == bond_id).order_by(BondEntry.at))
    return list(rows)


def total(entries: Sequence[BondEntry], kind: str) -> Decimal:
    return sum((e.amount for e in entries if e.kind == kind), ZERO)


def balance(entries: Sequence[BondEntry]) -> Decimal:
    """What the platform holds for the bond (bidding.bonds.rules.ledger_balance)."""
    return rules.ledger_balance([(e.kind, e.amount) for e in entries])


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
