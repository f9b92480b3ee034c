"""Reviews of name-only hits (人工复核): a name match never bars by itself; a supervisor confirms
it (the subject is the listed one: it then counts as an identifier match) or dismisses it with a
reason (it stays dismissed for that entry and subject). Confirming a hit on a candidate winner
re-runs the tender's candidate check at once."""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.problems import Conflict, NotFound
from bidding.tender.models import Tender
from bidding.tender.states import TenderStatus
from credit import candidates
from credit.lists import shown
from credit.models import CreditEntry, CreditReview
from credit.states import ReviewStatus, move_review


def review_view(review: CreditReview, entry: CreditEntry) -> dict[str, Any]:
    return {
        "id": str(review.id),
        "status": review.status,
        "subject": review.subject,
        "entry": shown(entry),
        "tender": str(review.tender_id) if review.tender_id else None,
        "raised_at": review.raised_at.isoformat(),
        "reason": review.reason,
        "decided_at": review.decided_at.isoformat() if review.decided_at else None,
        "decided_by": review.decided_by,
    }


async def reviews(session: AsyncSession, status: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
    query = select(CreditReview, CreditEntry).join(CreditEntry, CreditEntry.id == CreditReview.entry_id)
    if status:
        query = query.where(CreditReview.status == status)
    rows = await session.execute(query.order_by(CreditReview.raised_at, CreditReview.id).limit(limit).offset(offset))
    return [review_view(r, e) for r, e in rows]


async def decide(
    session: AsyncSession, clock: Clock, actor: Actor, tz: ZoneInfo, review_id: uuid.UUID, decision: str, reason: str
) -> dict[str, Any]:
    row = (
        await session.execute(
            select(CreditReview, CreditEntry)
            .join(CreditEntry, CreditEntry.id == CreditReview.entry_id)
            .where(CreditReview.id == review_id)
            .with_for_update(of=CreditReview)
        )
    ).first()
    if row is None:
        raise NotFound("no such review")
    review, entry = row
    if review.status != ReviewStatus.open:
        raise Conflict(f"the review was {review.status} already", slug="review-decided")
    move_review(review, ReviewStatus.confirmed if decision == "confirm" else ReviewStatus.dismissed)
    review.reason = reason
    review.decided_at = clock.now()
    review.decided_by = actor.username
    await audit.record(
        session,
        clock,
        actor,
        f"credit.review_{review.status}",
        "credit_review",
        review.id,
        {"entry": entry.id, "subject": review.subject, "reason": reason},
    )
    view = review_view(review, entry)
    if review.status == "confirmed" and review.tender_id is not None:
        status = await session.scalar(select(Tender.status).where(Tender.id == review.tender_id))
        if status == TenderStatus.candidates:
            view["rerun"] = await candidates.rerun(session, clock, actor, tz, review.tender_id, "review_confirmed")
            return view
    await session.commit()
    return view
