"""The written report to the supervision department (招标投标情况的书面报告, 招标投标法 art. 47):
within 15 days of deciding the winner the tenderee reports how the tendering went. The platform
writes it from the record — the project, the dates, the bids received, the committee, the
candidates and their publicity, the objections and complaints with their outcomes, and the
award with its reason — the agency submits it (kept as submitted), and the sweep tells the
supervisors of one not submitted in time. It decides nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.calendar.service import periods
from app.core.clock import Clock
from app.core.notifications import tell_supervisors
from app.core.problems import Conflict, Forbidden, NotFound
from bidding.award import states
from bidding.award.models import Award, AwardFile, Objection
from bidding.bids.models import Bid
from bidding.tender.models import Tender


async def _first_award(session: AsyncSession, tender_id: uuid.UUID) -> Award | None:
    return await session.scalar(select(Award).where(Award.tender_id == tender_id).order_by(Award.awarded_at).limit(1))


async def due_at(session: AsyncSession, tender_id: uuid.UUID, tz: ZoneInfo) -> datetime | None:
    """15 days after the first award notice (None before the award)."""
    award = await _first_award(session, tender_id)
    return None if award is None else (await periods(session, tz)).end_of(award.awarded_at, states.REPORT_WITHIN)


async def written(session: AsyncSession, tender: Tender, tz: ZoneInfo) -> dict[str, Any]:
    """The report as the record gives it now."""
    award_file = await session.get(AwardFile, tender.id)
    awards = list(await session.scalars(select(Award).where(Award.tender_id == tender.id).order_by(Award.awarded_at)))
    objections = list(
        await session.scalars(select(Objection).where(Objection.tender_id == tender.id).order_by(Objection.raised_at))
    )
    received = await session.scalar(select(func.count()).select_from(Bid).where(Bid.tender_id == tender.id)) or 0
    due = await due_at(session, tender.id, tz)
    return {
        "title": f"{tender.project_name}招标投标情况书面报告",
        "legal_basis": states.REPORT_WITHIN.article,
        "project": {
            "name": tender.project_name,
            "code": tender.project_code,
            "type": tender.project_type,
            "procurement_method": tender.procurement_method,
            "tenderee": tender.tenderee_uscc,
            "agency": tender.agency_uscc,
            "budget": str(tender.budget),
            "ceiling_price": None if tender.ceiling_price is None else str(tender.ceiling_price),
            "state_funded": tender.state_funded,
        },
        "dates": {
            "announcement": tender.announcement_date.isoformat(),
            "bid_deadline": tender.bid_deadline.isoformat(),
            "opening": tender.opening_time.isoformat(),
            "publicity": None
            if award_file is None or award_file.publicity_started_at is None
            else {
                "from": award_file.publicity_started_at.isoformat(),
                "to": award_file.publicity_ends_at.isoformat() if award_file.publicity_ends_at else None,
            },
        },
        "bids_received": received,
        "committee": award_file.committee if award_file else None,
        "candidates": award_file.candidates if award_file else [],
        "disqualified_by_objections": award_file.disqualified if award_file else [],
        "objections_and_complaints": [
            {"kind": o.kind, "status": o.status, "outcome": o.outcome, "raised_at": o.raised_at.isoformat()}
            for o in objections
        ],
        "awards": [
            {
                "bidder": a.bidder,
                "bidder_uscc": a.bidder_uscc,
                "candidate_rank": a.candidate_rank,
                "price": str(a.price),
                "awarded_at": a.awarded_at.isoformat(),
                "decided_by": a.decided_by,
                "decision_reason": a.decision_reason,
                "status": a.status,
                "declined": a.decline_reason,
            }
            for a in awards
        ],
        "due_at": due.isoformat() if due else None,
    }


def _officer(actor: Actor, tender: Tender) -> None:
    if not (actor.has_role(Role.supervisor) or (actor.has_role(Role.agency) and actor.org_uscc == tender.agency_uscc)):
        raise NotFound(f"no report of tender {tender.id}")


async def view(session: AsyncSession, actor: Actor, tender_id: uuid.UUID, tz: ZoneInfo) -> dict[str, Any]:
    """The report as submitted, or the draft the record gives now (the agency and supervisors)."""
    tender = await session.get(Tender, tender_id)
    if tender is None:
        raise NotFound(f"no report of tender {tender_id}")
    _officer(actor, tender)
    award_file = await session.get(AwardFile, tender_id)
    if award_file is not None and award_file.report is not None:
        submitted = award_file.report_submitted_at.isoformat() if award_file.report_submitted_at else None
        return {"status": "submitted", "submitted_at": submitted, "report": award_file.report}
    if await _first_award(session, tender_id) is None:
        raise Conflict("the report follows the award: no winner is decided yet")
    return {"status": "draft", "submitted_at": None, "report": await written(session, tender, tz)}


async def submit(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, tz: ZoneInfo
) -> dict[str, Any]:
    """The agency submits the report the record gives, once; the supervisors are told."""
    tender = await session.scalar(select(Tender).where(Tender.id == tender_id).with_for_update())
    if tender is None:
        raise NotFound(f"no report of tender {tender_id}")
    if not (actor.has_role(Role.agency) and actor.org_uscc == tender.agency_uscc):
        raise Forbidden("the tender's agency submits the report for the tenderee")
    award_file = await session.get(AwardFile, tender_id)
    if award_file is None or await _first_award(session, tender_id) is None:
        raise Conflict("the report follows the award: no winner is decided yet")
    if award_file.report is not None:
        raise Conflict("the report is submitted already")
    award_file.report = await written(session, tender, tz)
    award_file.report_submitted_at = clock.now()
    await audit.record(
        session, clock, actor, "award.report", "tender", tender_id, {"due_at": award_file.report["due_at"]}
    )
    await tell_supervisors(
        session,
        clock,
        "award_report",
        "tender",
        tender_id,
        f"收到招标投标情况书面报告：{tender.project_name}",
        f"award-report:{tender_id}",
    )
    await session.commit()
    return await view(session, actor, tender_id, tz)


# --- the sweep -------------------------------------------------------------------------------------


async def late_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Tenders awarded more than 15 days ago (roughly; the step checks the period) without a report."""
    rows = await session.scalars(
        select(AwardFile.tender_id)
        .join(Award, Award.tender_id == AwardFile.tender_id)
        .where(AwardFile.report.is_(None), AwardFile.report_late_at.is_(None))
        .distinct()
    )
    return list(rows)


async def flag_late(session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor, tz: ZoneInfo) -> bool:
    award_file = await session.scalar(select(AwardFile).where(AwardFile.tender_id == tender_id).with_for_update())
    due = await due_at(session, tender_id, tz)
    now = clock.now()
    if award_file is None or award_file.report is not None or award_file.report_late_at is not None:
        return False
    if due is None or due > now:
        return False
    tender = await session.get(Tender, tender_id)
    assert tender is not None
    award_file.report_late_at = now
    await audit.record(session, clock, actor, "award.report_late", "tender", tender_id, {"due_at": due.isoformat()})
    await tell_supervisors(
        session,
        clock,
        "award_report_late",
        "tender",
        tender_id,
        f"中标人确定之日起 15 日内未提交招标投标情况书面报告：{tender.project_name}",
        f"award-report-late:{tender_id}",
    )
    await session.commit()
    return True
