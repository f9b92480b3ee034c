"""Use cases of the intermediaries in the supermarket: their qualifications (资质), the services
they offer, whether they are eligible for a category (and why not), and their record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.problems import InvalidRequest, NotFound, Problem
from app.core.validation import FieldError
from app.identity.models import Organization, OrgKind
from bidding.market.assessment import Assessed, average_score
from bidding.market.categories import CATEGORIES
from bidding.market.eligibility import HeldQualification, ineligibility
from bidding.market.models import (
    Assessment,
    Auction,
    OfferedService,
    Qualification,
    Suspension,
)


class NotEligible(Problem):
    status, slug, title = 422, "not-eligible", "Not eligible"


async def qualifications_of(session: AsyncSession, org_uscc: str) -> list[HeldQualification]:
    rows = (await session.scalars(select(Qualification).where(Qualification.org_uscc == org_uscc))).all()
    return [HeldQualification(q.certificate_type, q.grade, q.number, q.expires_on) for q in rows]


async def why_not_eligible(
    session: AsyncSession, org_uscc: str, category: str, today: Any, required_grade: str | None = None
) -> list[str]:
    suspension = await session.scalar(
        select(Suspension.reason).where(Suspension.org_uscc == org_uscc, Suspension.lifted_at.is_(None)).limit(1)
    )
    offered = frozenset(
        (await session.scalars(select(OfferedService.category).where(OfferedService.org_uscc == org_uscc))).all()
    )
    return ineligibility(
        category, await qualifications_of(session, org_uscc), suspension, today, offered, required_grade
    )


async def offer_services(session: AsyncSession, clock: Clock, actor: Actor, categories: list[str]) -> list[str]:
    """Set the categories the intermediary offers (the whole list, replacing the previous one)."""
    unknown = sorted(set(categories) - set(CATEGORIES))
    if unknown:
        raise InvalidRequest([FieldError("categories", "unknown", f"no such categories: {', '.join(unknown)}")])
    current = (await session.scalars(select(OfferedService).where(OfferedService.org_uscc == actor.org_uscc))).all()
    for row in current:
        if row.category not in categories:
            await session.delete(row)
    for category in sorted(set(categories) - {row.category for row in current}):
        session.add(OfferedService(org_uscc=actor.org_uscc, category=category))
    await audit.record(
        session, clock, actor, "intermediary.services", "org", actor.org_uscc, {"categories": sorted(categories)}
    )
    await session.commit()
    return sorted(set(categories))


async def add_qualification(
    session: AsyncSession, clock: Clock, actor: Actor, certificate_type: str, grade: str, number: str, expires_on: Any
) -> Qualification:
    qualification = Qualification(
        org_uscc=actor.org_uscc,
        certificate_type=certificate_type,
        grade=grade,
        number=number,
        expires_on=expires_on,
        registered_at=clock.now(),
    )
    session.add(qualification)
    await session.flush()
    payload = {"type": certificate_type, "grade": grade, "number": number, "expires_on": expires_on}
    await audit.record(session, clock, actor, "intermediary.qualification", "org", actor.org_uscc, payload)
    await session.commit()
    return qualification


async def record_of(session: AsyncSession, org_uscc: str) -> dict[str, Any]:
    """An intermediary's record: what it won, what it abandoned, its ratings and any suspension."""
    org = await session.get(Organization, org_uscc)
    if org is None or org.kind != OrgKind.intermediary:
        raise NotFound(f"no intermediary {org_uscc} is registered")
    won = await session.scalar(select(func.count()).where(Auction.winner_uscc == org_uscc)) or 0
    assessments = (
        await session.scalars(
            select(Assessment).where(Assessment.org_uscc == org_uscc).order_by(Assessment.assessed_at)
        )
    ).all()
    history = [Assessed(a.outcome, a.quality, a.timeliness, a.assessed_at) for a in assessments]
    suspension = await session.scalar(
        select(Suspension).where(Suspension.org_uscc == org_uscc, Suspension.lifted_at.is_(None)).limit(1)
    )
    return {
        "org_uscc": org_uscc,
        "won": won,
        "abandoned": sum(a.outcome == "abandoned" for a in history),
        "average_score": str(average_score(history)) if average_score(history) is not None else None,
        "assessments": [
            {
                "request_id": str(a.request_id),
                "outcome": a.outcome,
                "quality": a.quality,
                "timeliness": a.timeliness,
                "comment": a.comment,
                "at": a.assessed_at.isoformat(),
            }
            for a in assessments
        ],
        "suspended": {"reason": suspension.reason, "since": suspension.since.isoformat()} if suspension else None,
    }


async def eligibility(session: AsyncSession, clock: Clock, actor: Actor, category: str) -> dict[str, Any]:
    """Whether `actor`'s organization may take part in requests of a category, and if not why."""
    if category not in CATEGORIES:
        raise InvalidRequest([FieldError("category", "unknown", f"use one of {', '.join(sorted(CATEGORIES))}")])
    reasons = await why_not_eligible(session, str(actor.org_uscc), category, clock.now().date())
    return {"category": category, "eligible": not reasons, "reasons": reasons}
