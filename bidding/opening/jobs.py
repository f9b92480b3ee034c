"""What the chronograph runs for openings: a tender's opening session starts at its opening
time, and a decryption whose worker stopped is carried on by another."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.actor import Actor
from app.core.blobs import LocalBlobStore
from app.core.chronograph import Step
from app.core.clock import Clock
from app.core.live import Broadcaster
from app.core.settings import Settings
from bidding.opening import service


def steps(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], blobs: LocalBlobStore, live: Broadcaster
) -> list[Step]:
    def context(clock: Clock) -> service.Opening:
        return service.Opening(clock, settings.tz, blobs, live, settings.share_secret)

    async def start(session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await service.start(session, context(clock), actor, tender_id) is not None

    async def resume(_session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await service.decrypt_all(sessions, context(clock), actor, tender_id)

    return [
        Step("opening-start", "tender", every=5, due=service.openings_due, run=start),  # within seconds of the time
        Step("opening-resume", "tender", every=15, due=service.decryptions_stalled, run=resume),
    ]
