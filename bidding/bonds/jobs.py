"""What the chronograph runs for bonds: instruct the refund of every bond that has fallen due
(the moment its event happens), and flag a bond still not back after its period."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.chronograph import Step
from app.core.clock import Clock
from app.core.settings import Settings
from bidding.bonds import service
from bidding.bonds.controllers import bank_config


def steps(settings: Settings) -> list[Step]:
    tz, bank = settings.tz, bank_config(settings)

    async def refund(session: AsyncSession, bond_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await service.refund(session, bond_id, clock, actor, bank, tz)

    async def late(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
        return await service.late_refunds(session, now, tz)

    async def flag_late(session: AsyncSession, bond_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await service.flag_late_refund(session, bond_id, clock, actor, tz)

    return [
        Step("bond-refund", "bond", every=30, due=service.refunds_due, run=refund),
        Step("bond-refund-late", "bond", every=300, due=late, run=flag_late),
    ]
