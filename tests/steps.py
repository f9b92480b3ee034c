"""Running one chronograph step by its event name, as the scheduler would, in a test."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.blobs import LocalBlobStore
from app.core.chronograph import Step, sweep
from app.core.clock import Clock
from app.core.live import Broadcaster, NoBroadcast
from app.core.settings import Settings
from app.wiring import chronograph_steps


def step(
    event: str,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    live: Broadcaster | None = None,
) -> Step:
    steps = chronograph_steps(settings, sessions, LocalBlobStore(settings.blob_dir), live or NoBroadcast())
    [found] = [s for s in steps if s.event == event]
    return found


async def run_step(
    session: AsyncSession,
    clock: Clock,
    event: str,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    live: Broadcaster | None = None,
) -> int:
    """How many objects the step moved."""
    return await sweep(session, clock, step(event, settings, sessions, live))
