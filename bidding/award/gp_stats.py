"""The centre's government-procurement figures over a period (`GET /api/v1/gp/stats`): tenders
and their budgets by procurement method, the savings of the awards against their budgets, the
share of awards that went to small and micro enterprises (财库〔2020〕46号), and the 质疑 and
投诉 received and answered or decided within their periods (政府采购法 arts. 53, 56).

`figures` is pure (rows in, figures out); `gp_figures` gathers the rows. A tender counts in the
period of its publication; an award in the period of its award; a 质疑 or 投诉 in the period it was
raised, on time when answered or decided by its deadline (a complaint's moves with its excluded time).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
from litestar import get
from litestar.params import QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Role
from app.core.calendar.rules import end_of_day, start_of_day
from app.core.deps import DbSession, SettingsDep
from app.core.guards import requires
from app.core.validation import require_date_range
from bidding.award.models import Award, Objection
from bidding.award.states import ENDED_AWARDS
from bidding.bids.sme import declared_small_or_micro
from bidding.opening.models import BidOpening
from bidding.tender.models import Tender

GP = "government_procurement"


@dataclass(frozen=True, slots=True)
class TenderRow:
    method: str
    budget: Decimal


@dataclass(frozen=True, slots=True)
class AwardRow:
    budget: Decimal
    price: Decimal
    sme: bool  # the winner declared itself a small or micro enterprise, with its declaration


@dataclass(frozen=True, slots=True)
class RemedyRow:
    kind: str  # objection (质疑) or complaint (投诉)
    due_at: datetime
    answered_at: datetime | None


class MethodOut(msgspec.Struct):
    method: str
    tenders: int
    budget: Decimal


class RemediesOut(msgspec.Struct):
    received: int
    answered: int
    on_time: int
    open: int


class GpStatsOut(msgspec.Struct):
    start: date
    end: date
    by_method: list[MethodOut]
    awards: int
    awarded_budget: Decimal
    awarded_value: Decimal
    savings: Decimal  # the awarded tenders' budgets less their award prices
    savings_rate: Decimal | None  # savings / awarded budget, 4 places; None without awards
    sme_awards: int  # awards to a small or micro enterprise that declared itself
    sme_value: Decimal
    sme_share: Decimal | None  # of the awarded value, 4 places
    questions: RemediesOut  # 质疑 (answered within 7 working days)
    complaints: RemediesOut  # 投诉 (decided within 30 working days, plus the excluded time)


def _remedies(rows: Sequence[RemedyRow]) -> RemediesOut:
    answered = [r for r in rows if r.answered_at is not None]
    on_time = [r for r in answered if r.answered_at is not None and r.answered_at <= r.due_at]
    return RemediesOut(len(rows), len(answered), len(on_time), len(rows) - len(answered))


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole).quantize(Decimal("0.0001")) if whole > 0 else None


def figures(
    start: date,
    end: date,
    tenders: Sequence[TenderRow],
    awards: Sequence[AwardRow],
    remedies: Sequence[RemedyRow],
) -> GpStatsOut:
    methods = sorted({t.method for t in tenders})
    by_method = [
        MethodOut(
            m,
            sum(1 for t in tenders if t.method == m),
            sum((t.budget for t in tenders if t.method == m), Decimal("0.00")),
        )
        for m in methods
    ]
    budget = sum((a.budget for a in awards), Decimal("0.00"))
    value = sum((a.price for a in awards), Decimal("0.00"))
    sme = [a for a in awards if a.sme]
    sme_value = sum((a.price for a in sme), Decimal("0.00"))
    return GpStatsOut(
        start,
        end,
        by_method,
        len(awards),
        budget,
        value,
        budget - value,
        _share(budget - value, budget),
        len(sme),
        sme_value,
        _share(sme_value, value),
        _remedies([r for r in remedies if r.kind == "objection"]),
        _remedies([r for r in remedies if r.kind == "complaint"]),
    )


async def gp_figures(session: AsyncSession, tz: ZoneInfo, start: date, end: date) -> GpStatsOut:
    since, until = start_of_day(start, tz), end_of_day(end, tz)
    tender_rows = await session.execute(
        select(Tender.procurement_method, Tender.budget).where(
            Tender.project_type == GP, Tender.published_at >= since, Tender.published_at < until
        )
    )
    award_rows = list(
        await session.execute(
            select(Tender.budget, Award.price, Award.bid_id)
            .join(Award, Award.tender_id == Tender.id)
            .where(Tender.project_type == GP, Award.status.not_in(sorted(ENDED_AWARDS)))
            .where(Award.awarded_at >= since, Award.awarded_at < until)
        )
    )
    small_or_micro = {
        str(row.bid_id): declared_small_or_micro(row.declaration, row.documents)
        for row in await session.execute(
            select(BidOpening.bid_id, BidOpening.declaration, BidOpening.documents).where(
                BidOpening.bid_id.in_([uuid.UUID(bid) for _, _, bid in award_rows])
            )
        )
    }
    remedy_rows = await session.execute(
        select(Objection.kind, Objection.due_at, Objection.answered_at)
        .join(Tender, Tender.id == Objection.tender_id)
        .where(Tender.project_type == GP, Objection.raised_at >= since, Objection.raised_at < until)
    )
    return figures(
        start,
        end,
        [TenderRow(method, budget) for method, budget in tender_rows],
        [AwardRow(budget, price, small_or_micro.get(bid, False)) for budget, price, bid in award_rows],
        [RemedyRow(kind, due, answered) for kind, due, answered in remedy_rows],
    )


@get("/api/v1/gp/stats", guards=[requires(Role.supervisor, Role.admin)], tags=["government procurement"])
async def gp_stats(
    db_session: DbSession,
    settings: SettingsDep,
    start: Annotated[date, QueryParameter(description="first day (YYYY-MM-DD, local)")],
    end: Annotated[date, QueryParameter(description="last day, inclusive")],
) -> GpStatsOut:
    """The centre's government-procurement figures over [start, end]: tenders by method, savings
    against budget, the SMEs' share of awards, 质疑 and 投诉 received and handled on time."""
    require_date_range(start, end)
    return await gp_figures(db_session, settings.tz, start, end)
