"""Use cases of expert assessment (考核): incidents the platform records (abnormal scores,
declines without cause, no-shows), the ratings agencies and supervisors give after an
evaluation, the rules in data that suspend, dismiss or recommend (abnormal scores: a
recommendation to the pool's managing department only), and an expert's record for supervisors."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.clock import Clock
from app.core.notifications import notify
from app.core.problems import Conflict, NotFound
from bidding.tender.models import Tender
from bidding.tender.states import TenderStatus
from experts.assessment import AssessmentRule, Measure, decide
from experts.models import AssessmentRuleRow, Expert, ExpertIncident, ExpertRating, Seat
from experts.states import ExpertStatus, set_expert_status


async def rules(session: AsyncSession) -> list[AssessmentRule]:
    rows = await session.scalars(select(AssessmentRuleRow).order_by(AssessmentRuleRow.code))
    return [
        AssessmentRule(
            r.code,
            r.action,
            r.incident,
            r.count,
            r.window_days,
            Decimal(r.average_below) if r.average_below is not None else None,
            r.min_ratings,
            r.suspend_days,
        )
        for r in rows
    ]


async def record_incident(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    expert_id: uuid.UUID,
    tender_id: uuid.UUID,
    kind: str,
    detail: str,
) -> None:
    """Record an incident once (the same one twice is one), then apply the rules."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(ExpertIncident)
        .values(id=uuid.uuid4(), expert_id=expert_id, tender_id=tender_id, kind=kind, detail=detail, at=clock.now())
        .on_conflict_do_nothing(index_elements=["expert_id", "tender_id", "kind", "detail"])
    )
    await session.execute(statement)
    await apply_rules(session, clock, actor, expert_id)


async def apply_rules(session: AsyncSession, clock: Clock, actor: Actor, expert_id: uuid.UUID) -> None:
    expert = await session.get(Expert, expert_id)
    if expert is None or expert.status == "dismissed":
        return
    today = clock.now().date()
    incidents = [
        (i.kind, i.at.date())
        for i in await session.scalars(select(ExpertIncident).where(ExpertIncident.expert_id == expert_id))
    ]
    ratings = [
        Decimal(r) for r in await session.scalars(select(ExpertRating.score).where(ExpertRating.expert_id == expert_id))
    ]
    measure = decide(await rules(session), incidents, ratings, today)
    if measure is None:
        return
    if measure.action == "recommend":
        await _recommend(session, clock, actor, expert, measure)
        return
    if (
        measure.action == "suspend"
        and expert.status == "suspended"
        and expert.suspended_until
        and measure.until
        and expert.suspended_until >= measure.until
    ):
        return
    set_expert_status(expert, ExpertStatus.dismissed if measure.action == "dismiss" else ExpertStatus.suspended)
    expert.suspended_until = measure.until
    expert.updated_at = clock.now()
    payload = {
        "action": measure.action,
        "until": measure.until.isoformat() if measure.until else None,
        "rule": measure.rule,
        "reason": measure.reason,
    }
    await audit.record(session, clock, actor, f"expert.{measure.action}", "expert", expert_id, payload)


async def _recommend(session: AsyncSession, clock: Clock, actor: Actor, expert: Expert, measure: Measure) -> None:
    """Tell the pool's managing department (admins) and the supervisors, once per count reached;
    the expert's status does not change."""
    payload = {"rule": measure.rule, "reason": measure.reason}
    message = f"建议评标专家库管理部门核查专家 {expert.name}：{measure.reason}（规则 {measure.rule}），平台不自动处理"
    key = f"recommend:{expert.id}:{measure.rule}:{measure.reason}"
    for role in (Role.admin, Role.supervisor):
        await notify(
            session,
            clock,
            audience_role=role,
            kind="expert_recommendation",
            object_type="expert",
            object_id=expert.id,
            message=message,
            dedupe_key=f"{key}:{role}",
        )
    await audit.record(session, clock, actor, "expert.recommendation", "expert", expert.id, payload)


async def rate(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    seat_id: uuid.UUID,
    score: int,
    comment: str | None,
) -> dict[str, Any]:
    """The tender's agency or a supervisor rates a member after the evaluation (0–100), once each."""
    tender = await session.get(Tender, tender_id)
    if tender is None or not (actor.has_role(Role.supervisor) or actor.org_uscc == tender.agency_uscc):
        raise NotFound(f"tender {tender_id} not found")
    if tender.status in (
        TenderStatus.published,
        TenderStatus.opening,
        TenderStatus.opened,
        TenderStatus.evaluation,
        TenderStatus.failed,
    ):
        raise Conflict("members are rated after the report is signed")
    seat = await session.get(Seat, seat_id)
    if seat is None or seat.tender_id != tender_id or seat.status != "seated":
        raise NotFound(f"member {seat_id} not found")
    if seat.expert_id is None:
        raise Conflict("the purchaser's representative is not a pool expert: the assessment rates experts")
    exists = await session.scalar(
        select(ExpertRating.id).where(
            ExpertRating.tender_id == tender_id,
            ExpertRating.expert_id == seat.expert_id,
            ExpertRating.rater_id == actor.user_id,
        )
    )
    if exists is not None:
        raise Conflict("you have rated this member already")
    role = Role.supervisor.value if actor.has_role(Role.supervisor) else Role.agency.value
    session.add(
        ExpertRating(
            tender_id=tender_id,
            expert_id=seat.expert_id,
            rater_id=actor.user_id,
            rater_role=role,
            score=score,
            comment=comment,
            at=clock.now(),
        )
    )
    await session.flush()
    await audit.record(session, clock, actor, "expert.rate", "committee_seat", seat.id, {"score": score})
    await apply_rules(session, clock, actor, seat.expert_id)
    await session.commit()
    return {"seat": str(seat.id), "score": score}


async def record_of(session: AsyncSession, expert_id: uuid.UUID) -> dict[str, Any]:
    """An expert's record for the supervisors: status, ratings, incidents, seats."""
    expert = await session.get(Expert, expert_id)
    if expert is None:
        raise NotFound(f"expert {expert_id} not found")
    ratings = list(
        await session.scalars(select(ExpertRating).where(ExpertRating.expert_id == expert_id).order_by(ExpertRating.at))
    )
    incidents = list(
        await session.scalars(
            select(ExpertIncident).where(ExpertIncident.expert_id == expert_id).order_by(ExpertIncident.at)
        )
    )
    seats = list(await session.scalars(select(Seat).where(Seat.expert_id == expert_id)))
    scores = [r.score for r in ratings]
    return {
        "expert": str(expert.id),
        "name": expert.name,
        "status": expert.status,
        "suspended_until": expert.suspended_until.isoformat() if expert.suspended_until else None,
        "average_rating": str((Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"))) if scores else None,
        "ratings": [
            {
                "tender": str(r.tender_id),
                "score": r.score,
                "by": r.rater_role,
                "comment": r.comment,
                "at": r.at.isoformat(),
            }
            for r in ratings
        ],
        "incidents": [{"tender": str(i.tender_id), "kind": i.kind, "at": i.at.isoformat()} for i in incidents],
        "seats": [
            {"tender": str(s.tender_id), "status": s.status, "replaced_reason": s.replaced_reason} for s in seats
        ],
    }


async def rule_list(session: AsyncSession) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "action": r.action,
            "incident": r.incident,
            "count": r.count,
            "window_days": r.window_days,
            "average_below": str(r.average_below) if r.average_below is not None else None,
            "min_ratings": r.min_ratings,
            "suspend_days": r.suspend_days,
        }
        for r in await rules(session)
    ]


async def replace_rules(
    session: AsyncSession, clock: Clock, actor: Actor, new_rules: list[AssessmentRule]
) -> list[dict[str, Any]]:
    """An admin replaces the assessment rules (audited with the whole new set)."""
    for row in await session.scalars(select(AssessmentRuleRow)):
        await session.delete(row)
    await session.flush()
    for r in new_rules:
        session.add(
            AssessmentRuleRow(
                code=r.code,
                action=r.action,
                incident=r.incident,
                count=r.count,
                window_days=r.window_days,
                average_below=r.average_below,
                min_ratings=r.min_ratings,
                suspend_days=r.suspend_days,
            )
        )
    await session.flush()
    listed = await rule_list(session)
    await audit.record(session, clock, actor, "expert_rules.replace", "expert_rules", "assessment", listed)
    await session.commit()
    return listed
