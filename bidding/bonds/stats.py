"""The bonds' figures for a period (local dates, inclusive): bonds received and refunded, the
refunds on time, the money released back to bidders, and the guarantees used in place of cash —
what a centre reports under 优化营商环境 (bonds returned automatically, guarantees accepted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.calendar.rules import end_of_day, start_of_day
from bidding.bonds import rules
from bidding.bonds.models import Bond, BondEntry, Guarantee
from bidding.bonds.rules import BondKind
from bidding.bonds.states import BondStatus

RETURNED = frozenset({BondStatus.refunded, BondStatus.released})


@dataclass(frozen=True)
class Overdue:
    bond_id: str
    tender_id: str
    bidder: str
    form: str
    refund_due: date
    status: str


def _rate(part: int, whole: int) -> str | None:
    return None if whole == 0 else str((Decimal(part) / whole).quantize(Decimal("0.0001")))


async def figures(session: AsyncSession, tz: ZoneInfo, start: date, end: date, now: datetime) -> dict[str, Any]:
    since, until = start_of_day(start, tz), end_of_day(end, tz)
    entries = (
        await session.execute(
            select(BondEntry.kind, BondEntry.amount).where(BondEntry.at >= since, BondEntry.at < until)
        )
    ).all()
    money = {
        kind: sum((a for k, a in entries if k == kind), rules.ZERO)
        for kind in ("received", "interest", "refunded", "forfeited")
    }
    posted = list(
        await session.scalars(
            select(Bond).where(
                Bond.kind == BondKind.bid,
                Bond.status != BondStatus.awaiting,
                Bond.status != BondStatus.closed,
                Bond.opened_at >= since,
                Bond.opened_at < until,
            )
        )
    )
    guaranteed = [b for b in posted if b.form not in rules.CASH_FORMS]
    returned = list(
        await session.scalars(
            select(Bond).where(Bond.status.in_(list(RETURNED)), Bond.refunded_at >= since, Bond.refunded_at < until)
        )
    )
    on_time = [
        b
        for b in returned
        if b.refund_due is not None
        and b.refunded_at is not None
        and b.refunded_at.astimezone(tz).date() <= b.refund_due
    ]
    released_guarantees = (
        await session.execute(
            select(Guarantee.amount)
            .join(Bond, Bond.id == Guarantee.bond_id)
            .where(Bond.status == BondStatus.released, Bond.refunded_at >= since, Bond.refunded_at < until)
        )
    ).scalars()
    guarantee_money = sum(released_guarantees, rules.ZERO)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "bonds_posted": len(posted),
        "cash": len(posted) - len(guaranteed),
        "guarantees": len(guaranteed),
        "guarantee_share": _rate(len(guaranteed), len(posted)),
        "received": str(money["received"]),
        "refunded": str(money["refunded"]),
        "interest_paid": str(money["interest"]),
        "forfeited": str(money["forfeited"]),
        "bonds_returned": len(returned),
        "returned_on_time": len(on_time),
        "on_time_rate": _rate(len(on_time), len(returned)),
        # what bidders have back: cash refunded and the guarantees they no longer carry
        "money_released": str(money["refunded"] + guarantee_money),
        "overdue": [vars(o) | {"refund_due": o.refund_due.isoformat()} for o in await overdue(session, now, tz)],
    }


async def overdue(session: AsyncSession, now: datetime, tz: ZoneInfo) -> list[Overdue]:
    """Bonds past their refund day and not back (for the supervision hall, in red)."""
    today = now.astimezone(tz).date()
    rows = await session.scalars(
        select(Bond)
        .where(Bond.status.in_([BondStatus.held, BondStatus.refunding]), Bond.refund_due < today)
        .order_by(Bond.refund_due)
        .limit(100)
    )
    return [
        Overdue(str(b.id), str(b.tender_id), b.bidder_uscc, b.form, b.refund_due, b.status)
        for b in rows
        if b.refund_due
    ]
