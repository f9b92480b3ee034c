"""What the chronograph runs for the evaluation: a tender's expert draw publishes its commitment
the commit lead before the time set on it, and draws at that time once a supervisor has entered
the beacon; a supplementary draw (补抽) draws the commit lead after its commitment, once entered."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.chronograph import Step
from app.core.clock import Clock
from app.core.settings import Settings
from experts import committee


def steps(settings: Settings, credit_barred: committee.CreditBarred = committee.no_credit_bars) -> list[Step]:
    lead = settings.draw_commit_lead

    async def commits_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
        return await committee.draws_due(session, now, lead, "expert-draw-commit")

    async def draws_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
        return await committee.draws_due(session, now, lead, "expert-draw")

    async def commit(session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await committee.commit_when_due(
            session,
            tender_id,
            clock,
            actor,
            age_cap=settings.expert_age_cap,
            recent_days=settings.expert_recent_days,
            tz=settings.tz,
            credit_barred=credit_barred,
        )

    async def draw(session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await committee.run_draw(session, tender_id, clock, actor, lead=lead)

    async def supplementary_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
        return await committee.supplementary_draws_due(session, now, lead)

    async def supplementary(session: AsyncSession, draw_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await committee.run_supplementary_draw(session, draw_id, clock, actor, lead=lead)

    return [
        Step("expert-draw-commit", "draw", every=5, due=commits_due, run=commit),
        Step("expert-draw", "draw", every=5, due=draws_due, run=draw),
        Step("expert-supplementary-draw", "supplementary_draw", every=5, due=supplementary_due, run=supplementary),
    ]
