"""What the chronograph runs for the award: publish candidates 3 days after the report at the
latest, award after the publicity, deem a GP purchaser's silence a confirmation of the first
candidate, lift a GP suspension order after its 30 days, and flag overdue answers, late contracts
and late refunds."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.chronograph import Step
from app.core.clock import Clock
from app.core.settings import Settings
from bidding.award import remedies, report, service, validity
from bidding.tender.queries import tender_or_404
from bidding.tender.states import TenderStatus


def steps(settings: Settings, committee_names: service.CommitteeNames) -> list[Step]:
    tz = settings.tz

    async def publish(session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        tender = await tender_or_404(session, tender_id)
        if tender.status != TenderStatus.candidates:
            return False
        await service.publish(session, clock, actor, committee_names, settings.publicity_days_for, tz, tender_id)
        return True

    async def late(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
        return await service.late_awards(session, now, tz)

    async def flag_late(session: AsyncSession, award_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await service.flag_late_award(session, award_id, clock, actor, tz)

    async def report_late(session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await report.flag_late(session, tender_id, clock, actor, tz)

    async def remind(session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await validity.remind(session, tender_id, clock, actor, tz)

    async def deem(session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await service.deem_confirmed(session, clock, actor, committee_names, tz, tender_id)

    return [
        Step("publicity-start", "tender", every=30, due=service.publicity_due, run=publish),
        Step("award-decision-reminder", "tender", every=30, due=service.decision_due, run=service.remind_decision),
        Step("gp-confirmation-deemed", "tender", every=60, due=service.confirmation_due, run=deem),
        Step(
            "objection-overdue",
            "objection",
            every=60,
            due=remedies.overdue_objections,
            run=remedies.flag_overdue_objection,
        ),
        Step(
            "gp-suspension-lapsed",
            "objection",
            every=300,
            due=remedies.lapsed_suspensions,
            run=remedies.lift_lapsed_suspension,
        ),
        Step("award-late", "award", every=300, due=late, run=flag_late),
        Step("award-report-late", "tender", every=3600, due=report.late_due, run=report_late),
        Step("validity-reminder", "tender", every=3600, due=validity.reminder_due, run=remind),
    ]
