"""What the supervision hall and the public pages show: today's and upcoming openings and
auctions, the filing queue with its working-day countdowns, the SLA figures, the charts'
numbers, the expert draws, abnormal scores and credit hits, and the objections, complaints and
credit-repair applications waiting for an officer (credit.submissions.open_repairs). Read-only queries over the
domains' tables; the pages render them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.console.charts import Bar
from app.core.calendar.rules import WorkingCalendar, end_of_day, start_of_day
from app.core.calendar.service import load_calendar
from app.identity.models import Organization
from bidding.award.models import Objection
from bidding.award.states import ObjectionStatus
from bidding.filing import service as filings
from bidding.filing.models import Filing, FilingRound
from bidding.filing.sla import Breakdown
from bidding.filing.states import FilingStatus
from bidding.market import queries as market
from bidding.market.auction import codec, engine
from bidding.market.models import Auction, ServiceRequest
from bidding.opening.models import BidOpening, HandedInShare, OpeningSession
from bidding.tender.models import Tender
from bidding.tender.states import TenderStatus
from credit.models import CreditCheck
from experts.models import Draw, Expert, ExpertIncident

UPCOMING_DAYS = 14


@dataclass(frozen=True, slots=True)
class QueuedFiling:
    filing_id: uuid.UUID
    project_name: str
    round_number: int
    submitted_at: datetime
    due_at: datetime
    working_days_left: int
    overdue: bool


def working_days_left(calendar: WorkingCalendar, today: date, deadline_day: date) -> int:
    """Working days from tomorrow up to and including `deadline_day` (0 on the last day; negative
    once past it), on the official calendar."""
    if deadline_day < today:
        return -sum(calendar.day(today - timedelta(days=n)).working for n in range((today - deadline_day).days))
    return sum(calendar.day(today + timedelta(days=n)).working for n in range(1, (deadline_day - today).days + 1))


async def openings_ahead(session: AsyncSession, now: datetime, tz: ZoneInfo) -> Sequence[Tender]:
    """Tenders whose opening is today or in the next two weeks, or is under way."""
    since = start_of_day(now.astimezone(tz).date(), tz)
    until = since + timedelta(days=UPCOMING_DAYS)
    rows = await session.scalars(
        select(Tender)
        .where(
            (Tender.status == TenderStatus.opening)
            | (
                Tender.opening_time.between(since, until)
                & Tender.status.in_([TenderStatus.published, TenderStatus.opening, TenderStatus.opened])
            )
        )
        .order_by(Tender.opening_time)
        .limit(50)
    )
    return rows.all()


@dataclass(frozen=True, slots=True)
class OpeningProgress:
    shares: int  # handed in
    threshold: int | None
    decrypted: int
    bids: int


async def _counts_by_tender(
    session: AsyncSession, column: InstrumentedAttribute[uuid.UUID], tender_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Rows per tender of `column`'s table (a Result has keys(), so no dict(result) here)."""
    rows = await session.execute(select(column, func.count()).where(column.in_(tender_ids)).group_by(column))
    return {tender_id: count for tender_id, count in rows}


async def opening_progress(session: AsyncSession, tenders: Sequence[Tender]) -> dict[uuid.UUID, OpeningProgress]:
    """For the officers' hall: per opening under way, the shares handed in and the bids decrypted."""
    if not tenders:
        return {}
    thresholds = {t.id: t.custody_threshold for t in tenders}
    sessions = {
        o.tender_id: o
        for o in await session.scalars(select(OpeningSession).where(OpeningSession.tender_id.in_(list(thresholds))))
    }
    shares = await _counts_by_tender(session, HandedInShare.tender_id, list(sessions))
    opened = await _counts_by_tender(session, BidOpening.tender_id, list(sessions))
    # The shares are destroyed with the key once it is rebuilt: a rebuilt key had its threshold in.
    return {
        tender_id: OpeningProgress(
            (thresholds[tender_id] or 0) if o.key_rebuilt_at else shares.get(tender_id, 0),
            thresholds[tender_id],
            opened.get(tender_id, 0),
            len(o.bidders),
        )
        for tender_id, o in sessions.items()
    }


@dataclass(frozen=True, slots=True)
class AuctionProgress:
    best_price: Decimal | None
    ends_at: datetime
    extended: bool  # the end moved past the scheduled one


async def auction_progress(session: AsyncSession, request_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, AuctionProgress]:
    """For the officers' hall: per live or closed auction, the best price and the (extended) end."""
    if not request_ids:
        return {}
    rows = await session.execute(
        select(Auction, ServiceRequest.bidding_ends)
        .join(ServiceRequest, ServiceRequest.id == Auction.request_id)
        .where(Auction.request_id.in_(request_ids))
    )
    found = {}
    for auction, scheduled_end in rows:
        if "rules" not in auction.state:
            continue
        state = codec.load(auction.state)
        ranking = engine.ranking(state)
        found[auction.request_id] = AuctionProgress(
            ranking[0].price if ranking else None, state.end, state.end > scheduled_end
        )
    return found


async def auctions_ahead(session: AsyncSession, now: datetime, tz: ZoneInfo) -> Sequence[ServiceRequest]:
    """Service requests whose price bidding runs today or in the next two weeks, or is running."""
    since = start_of_day(now.astimezone(tz).date(), tz)
    until = since + timedelta(days=UPCOMING_DAYS)
    rows = await session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.bidding_ends >= since, ServiceRequest.bidding_starts <= until)
        .order_by(ServiceRequest.bidding_ends)
        .limit(50)
    )
    return rows.all()


async def filing_queue(session: AsyncSession, now: datetime, tz: ZoneInfo) -> list[QueuedFiling]:
    """Submitted filings awaiting a decision, the most urgent first, with working days left."""
    calendar = await load_calendar(session)
    rows = await session.execute(
        select(Filing, FilingRound)
        .join(FilingRound, FilingRound.filing_id == Filing.id)
        .where(Filing.status == FilingStatus.submitted, FilingRound.decided_at.is_(None))
        .order_by(FilingRound.due_at)
        .limit(100)
    )
    today = now.astimezone(tz).date()
    return [
        QueuedFiling(
            filing.id,
            filing.project_name,
            round_.number,
            round_.submitted_at,
            round_.due_at,
            working_days_left(calendar, today, round_.deadline_day),
            now > round_.due_at,
        )
        for filing, round_ in rows.all()
    ]


def _month_starts(today: date, months: int) -> list[date]:
    starts, current = [], today.replace(day=1)
    for _ in range(months):
        starts.append(current)
        current = (current - timedelta(days=1)).replace(day=1)
    return starts[::-1]


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _percent(rate: Decimal | float | None) -> tuple[Decimal, str]:
    if rate is None:
        return Decimal(0), "—"
    value = Decimal(str(rate)) * 100
    return value, f"{value.quantize(Decimal('0.1'))} %"


async def sla_this_month(session: AsyncSession, now: datetime, tz: ZoneInfo) -> Breakdown:
    today = now.astimezone(tz).date()
    report = await filings.statistics(session, await load_calendar(session), tz, today.replace(day=1), today, now)
    return report.overall


async def filings_on_time_by_month(session: AsyncSession, now: datetime, tz: ZoneInfo, months: int = 6) -> list[Bar]:
    calendar = await load_calendar(session)
    bars = []
    for first in _month_starts(now.astimezone(tz).date(), months):
        report = await filings.statistics(session, calendar, tz, first, _month_end(first), now)
        if report.overall.decided:
            value, shown = _percent(report.overall.on_time_rate)
            bars.append(Bar(first.strftime("%Y-%m"), value, f"{shown} ({report.overall.decided})"))
    return bars


async def savings_by_month(session: AsyncSession, now: datetime, tz: ZoneInfo, months: int = 6) -> list[Bar]:
    bars = []
    for first in _month_starts(now.astimezone(tz).date(), months):
        figures = (await market.market_figures(session, tz, first, _month_end(first))).overall
        if figures.awarded:
            value, shown = _percent(figures.savings_rate)
            bars.append(Bar(first.strftime("%Y-%m"), value, shown))
    return bars


async def savings_by_category(session: AsyncSession, now: datetime, tz: ZoneInfo) -> list[Bar]:
    today = now.astimezone(tz).date()
    figures = await market.market_figures(session, tz, today.replace(month=1, day=1), today)
    bars = []
    for category, numbers in sorted(figures.by_category.items()):
        if numbers.awarded:
            value, shown = _percent(numbers.savings_rate)
            bars.append(Bar(category, value, shown))
    return bars


async def openings_per_day(session: AsyncSession, now: datetime, tz: ZoneInfo, days: int = 14) -> list[Bar]:
    today = now.astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    started = await session.scalars(
        select(OpeningSession.started_at).where(
            OpeningSession.started_at >= start_of_day(first, tz), OpeningSession.started_at < end_of_day(today, tz)
        )
    )
    counts: dict[date, int] = {}
    for at in started.all():
        day = at.astimezone(tz).date()
        counts[day] = counts.get(day, 0) + 1
    return [
        Bar(day.strftime("%m-%d"), Decimal(counts[day]), str(counts[day]))
        for day in (first + timedelta(days=n) for n in range(days))
        if day in counts
    ]


# -- the evaluation and the credit checks, as the hall follows them -------------------------------

HALL_ROWS = 10


@dataclass(frozen=True, slots=True)
class DrawLine:
    tender_id: uuid.UUID
    project_name: str
    status: str
    draw_at: datetime
    commitment: str | None


@dataclass(frozen=True, slots=True)
class AbnormalScore:
    tender_id: uuid.UUID
    project_name: str
    expert: str
    bid: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CreditHit:
    tender_id: uuid.UUID | None
    subject: str
    role: str
    context: str
    outcome: str  # warning, review or barred
    lists: tuple[str, ...]  # the list types the hits are on
    checked_at: datetime


async def recent_draws(session: AsyncSession) -> list[DrawLine]:
    """The expert draws most recently due or done, with their published commitment."""
    rows = await session.execute(
        select(Draw, Tender.project_name)
        .join(Tender, Tender.id == Draw.tender_id)
        .order_by(Draw.draw_at.desc())
        .limit(HALL_ROWS)
    )
    return [DrawLine(draw.tender_id, name, draw.status, draw.draw_at, draw.commitment) for draw, name in rows.all()]


async def abnormal_scores(session: AsyncSession) -> list[AbnormalScore]:
    """The latest totals the evaluation flagged as abnormal (beyond the template's threshold)."""
    rows = await session.execute(
        select(ExpertIncident, Expert.name, Tender.project_name)
        .join(Expert, Expert.id == ExpertIncident.expert_id)
        .join(Tender, Tender.id == ExpertIncident.tender_id)
        .where(ExpertIncident.kind == "abnormal_score")
        .order_by(ExpertIncident.at.desc())
        .limit(HALL_ROWS)
    )
    return [AbnormalScore(i.tender_id, project, expert, i.detail, i.at) for i, expert, project in rows.all()]


async def credit_hits(session: AsyncSession) -> list[CreditHit]:
    """The latest checks that found something: bars, review hits and warnings, with their lists."""
    rows = await session.scalars(
        select(CreditCheck)
        .where(CreditCheck.outcome != "clear")
        .order_by(CreditCheck.checked_at.desc())
        .limit(HALL_ROWS)
    )
    return [
        CreditHit(
            check.tender_id,
            str(check.subject.get("name") or check.subject.get("uscc") or "—"),
            str(check.subject.get("role", "")),
            check.context,
            check.outcome,
            tuple(sorted({str(hit.get("list_type", "")) for hit in check.hits})),
            check.checked_at,
        )
        for check in rows.all()
    ]


@dataclass(frozen=True, slots=True)
class WaitingRemedy:
    tender_id: uuid.UUID
    project_name: str
    kind: str  # objection or complaint
    matter: str  # documents, opening, candidates or other
    accepted: bool  # a complaint the supervisors accepted
    suspended: bool  # a suspension order stands
    due_at: datetime
    overdue: bool


async def remedies_waiting(session: AsyncSession, now: datetime) -> list[WaitingRemedy]:
    """Objections and complaints awaiting an answer or a decision, the nearest due first."""
    rows = await session.execute(
        select(Objection, Tender.project_name)
        .join(Tender, Tender.id == Objection.tender_id)
        .where(Objection.status == ObjectionStatus.open)
        .order_by(Objection.due_at)
        .limit(HALL_ROWS)
    )
    return [
        WaitingRemedy(
            o.tender_id,
            project,
            o.kind,
            o.matter,
            o.accepted_at is not None,
            o.suspended_at is not None and o.suspension_lifted_at is None,
            o.due_at,
            o.due_at <= now,
        )
        for o, project in rows.all()
    ]


async def requests_of(session: AsyncSession, owner_uscc: str) -> Sequence[ServiceRequest]:
    """An agency's own service requests, newest first."""
    query = (
        select(ServiceRequest)
        .where(ServiceRequest.owner_uscc == owner_uscc)
        .order_by(ServiceRequest.bidding_starts.desc())
        .limit(50)
    )
    return (await session.scalars(query)).all()


@dataclass(frozen=True, slots=True)
class MarketResult:
    request_id: uuid.UUID
    project_name: str
    ceiling: Decimal
    award_price: Decimal
    savings: Decimal
    winner: str  # the organization's name: results are public once the auction has closed
    closed_at: datetime


async def market_results(session: AsyncSession) -> list[MarketResult]:
    """The supermarket's latest closed auctions with their winner and savings (public)."""
    rows = await session.execute(
        select(ServiceRequest, Auction, Organization.name)
        .join(Auction, Auction.request_id == ServiceRequest.id)
        .join(Organization, Organization.uscc == Auction.winner_uscc)
        .where(Auction.closed.is_(True), Auction.award_price.is_not(None))
        .order_by(Auction.closed_at.desc())
        .limit(HALL_ROWS)
    )
    return [
        MarketResult(
            request.id,
            request.project_name,
            request.ceiling,
            auction.award_price,
            auction.savings or Decimal(0),
            name,
            auction.closed_at,
        )
        for request, auction, name in rows.all()
        if auction.award_price is not None and auction.closed_at is not None
    ]
