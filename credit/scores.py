"""The credit score (信用评价) of an organization from its record on the platform: the facts
(entries on the lists, for the organization and its legal representative; breaches; bids that
failed to open through its fault; upheld complaints; intermediary assessments), the weights in
data, and the pure computation in credit/score_rules.py. Supervisors see every contribution."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.problems import InvalidRequest, NotFound
from app.core.validation import FieldError
from app.identity.models import Organization
from bidding.market.models import Assessment
from bidding.opening.models import BidOpening
from credit import matching
from credit.checks import candidate_entries
from credit.memoranda import current_rules
from credit.models import CreditScoreWeight
from credit.score_rules import Fact, Weight, score, weight_errors


async def weights(session: AsyncSession) -> dict[str, Weight]:
    rows = await session.scalars(select(CreditScoreWeight))
    return {w.factor: Weight(w.factor, w.points, w.cap, w.window_days) for w in rows}


async def facts_of(session: AsyncSession, org: Organization, day: date) -> list[Fact]:
    facts: list[Fact] = []
    subjects = [
        matching.Subject("bidder", "organization", uscc=org.uscc)
    ]  # by identifier: a score never rests on a name
    if org.legal_representative_hash:
        subjects.append(matching.Subject("legal_representative", "person", person_hash=org.legal_representative_hash))
    rules = await current_rules(session)
    for entry in await candidate_entries(session, subjects):
        if not any(matching.match(s, entry) == "identifier" for s in subjects):
            continue
        detail = {
            "entry": entry.id,
            "list_type": entry.list_type,
            "reason": entry.reason,
            "listed_on": str(entry.listed_on),
        }
        if entry.list_type == "platform":
            if day < entry.listed_on or (entry.removed_on is not None and entry.removed_on <= entry.listed_on):
                continue  # in its statement period (陈述申辩), or withdrawn before it took effect
            facts.append(Fact("commitment_breach", entry.listed_on, detail))  # counted in its window, ended or not
        elif matching.active(entry, day):
            rule = rules.get(entry.list_type)
            barring = rule is not None and rule.bars("candidate")
            facts.append(Fact("listed_barring" if barring else "listed_warning", day, detail))
    failures = await session.execute(
        select(BidOpening.bid_id, BidOpening.tender_id, BidOpening.reason, BidOpening.opened_at).where(
            BidOpening.bidder_uscc == org.uscc, BidOpening.outcome == "revoked"
        )
    )
    for bid_id, tender_id, reason, at in failures:
        detail = {"bid": str(bid_id), "tender": str(tender_id), "reason": reason}
        facts.append(Fact("bidder_fault_decryption", at.date(), detail))
    assessments = await session.scalars(select(Assessment).where(Assessment.org_uscc == org.uscc))
    for a in assessments:
        detail = {"request": str(a.request_id), "outcome": a.outcome, "quality": a.quality, "timeliness": a.timeliness}
        if a.outcome == "abandoned":
            facts.append(Fact("abandoned_service", a.assessed_at.date(), detail))
        elif a.quality is not None and a.timeliness is not None and (a.quality + a.timeliness) / 2 < 60:
            facts.append(Fact("poor_assessment", a.assessed_at.date(), detail))
    # upheld_complaint: objections and complaints are records of the award issue; none exist yet.
    return facts


async def score_of(session: AsyncSession, clock: Clock, tz: ZoneInfo, uscc: str) -> dict[str, Any]:
    org = await session.get(Organization, uscc)
    if org is None:
        raise NotFound(f"no organization {uscc} is registered")
    day = clock.now().astimezone(tz).date()
    value, contributions = score(await facts_of(session, org, day), await weights(session), day)
    return {
        "uscc": uscc,
        "name": org.name,
        "day": day.isoformat(),
        "score": value,
        "contributions": [c.as_dict() for c in contributions],
    }


def weight_view(w: CreditScoreWeight) -> dict[str, Any]:
    return {
        "factor": w.factor,
        "points": w.points,
        "cap": w.cap,
        "window_days": w.window_days,
        "edited_at": w.edited_at.isoformat(),
        "edited_by": w.edited_by,
    }


async def weights_view(session: AsyncSession) -> list[dict[str, Any]]:
    return [weight_view(w) for w in await session.scalars(select(CreditScoreWeight).order_by(CreditScoreWeight.factor))]


async def set_weights(session: AsyncSession, clock: Clock, actor: Actor, new: list[Weight]) -> list[dict[str, Any]]:
    """Replace the weights of the factors given (the others stay), audited."""
    errors = weight_errors(new)
    factors = [w.factor for w in new]
    if len(set(factors)) != len(factors):
        errors.append(("weights", "each factor once"))
    if errors:
        raise InvalidRequest([FieldError(where, "invalid", reason) for where, reason in errors])
    for w in new:
        row = await session.get(CreditScoreWeight, w.factor, with_for_update=True)
        if row is None:
            row = CreditScoreWeight(factor=w.factor)
            session.add(row)
        row.points, row.cap, row.window_days = w.points, w.cap, w.window_days
        row.edited_at, row.edited_by = clock.now(), actor.username
    await audit.record(
        session,
        clock,
        actor,
        "credit.score_weights",
        "credit_score_weights",
        "all",
        {
            "weights": [
                {"factor": w.factor, "points": w.points, "cap": w.cap, "window_days": w.window_days} for w in new
            ]
        },
    )
    await session.commit()
    return await weights_view(session)
