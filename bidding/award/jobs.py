"""What the chronograph runs for the award: publish candidates 3 days after the report at the
latest, award after the publicity, and flag overdue answers, late contracts and late refunds."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.chronograph import Step
from app.core.clock import Clock
from app.core.settings import Settings
from bidding.award import service
from bidding.tender.queries import tender_or_404
from bidding.tender.states import TenderStatus


def steps(settings: Settings, committee_names: service.CommitteeNames) -> list[Step]:
    async def publish(session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        tender = await tender_or_404(session, tender_id)
        if tender.status != TenderStatus.candidates:
            return False
        await service.publish(session, clock, actor, committee_names, settings.publicity_days_for, tender_id)
        return True

    return [
        Step("publicity-start", "tender", every=30, due=service.publicity_due, run=publish),
        Step("award-after-publicity", "tender", every=30, due=service.award_due, run=service.award_after_publicity),
        Step(
            "objection-overdue",
            "objection",
            every=60,
            due=service.overdue_objections,
            run=service.flag_overdue_objection,
        ),
        Step("award-late", "award", every=300, due=service.late_awards, run=service.flag_late_award),
    ]
