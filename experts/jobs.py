"""What the chronograph runs for the evaluation: a tender's expert draw at the time set on it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.chronograph import Step
from app.core.clock import Clock
from app.core.settings import Settings
from experts import committee


def steps(settings: Settings, credit_barred: committee.CreditBarred = committee.no_credit_bars) -> list[Step]:
    async def draw(session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await committee.run_draw(
            session,
            tender_id,
            clock,
            actor,
            age_cap=settings.expert_age_cap,
            recent_days=settings.expert_recent_days,
            tz=settings.tz,
            credit_barred=credit_barred,
        )

    return [Step("expert-draw", "draw", every=5, due=committee.draws_due, run=draw)]
