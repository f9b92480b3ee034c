"""The scheduler (APScheduler 3.11): it only drives the side effects of time.

Every time-driven change is a `Sweep`: an idempotent function over database state (e.g.
`UPDATE ... WHERE deadline <= now AND status = ... RETURNING`) that returns how many objects
it moved. Running one twice, or late, does no harm, and no deadline depends on it: each action
checks its own deadline when it happens. In production the sweeps run in their own process
(`ggzy scheduler`); in the embedded single-process mode (SQLite) the web app starts them.
Domain packages add their sweeps to `registered_sweeps()`.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.actor import Actor
from app.core.blobs import LocalBlobStore
from app.core.clock import Clock
from app.core.db import make_engine, make_session_factory
from app.core.live import LiveHub
from app.core.settings import Settings

logger = logging.getLogger("ggzy.scheduler")


@dataclass(frozen=True)
class Sweep:
    name: str
    interval_seconds: float
    run: Callable[[AsyncSession, Clock, Actor], Awaitable[int]]


def registered_sweeps(
    settings: Settings, broadcaster: LiveHub, sessions: async_sessionmaker[AsyncSession]
) -> list[Sweep]:
    """Every sweep of the platform, in the order they should first run."""
    from bidding.filing.service import sweep_overdue
    from bidding.market import service as market
    from bidding.opening.service import Opening, sweep_resume, sweep_start

    blobs = LocalBlobStore(settings.blob_dir)

    async def filings_overdue(session: AsyncSession, clock: Clock, actor: Actor) -> int:
        return await sweep_overdue(session, clock, actor, settings.tz)

    def opening(clock: Clock) -> Opening:
        return Opening(clock, settings.tz, blobs, broadcaster, settings.share_secret)

    async def openings_due(session: AsyncSession, clock: Clock, actor: Actor) -> int:
        return await sweep_start(session, opening(clock), actor)

    async def openings_stalled(_session: AsyncSession, clock: Clock, actor: Actor) -> int:
        return await sweep_resume(sessions, opening(clock), actor)

    async def auctions_due(session: AsyncSession, clock: Clock, actor: Actor) -> int:
        return await market.open_due(session, clock, actor)

    async def staging_leftovers(_session: AsyncSession, _clock: Clock, _actor: Actor) -> int:
        return await asyncio.to_thread(blobs.clean_staging)

    async def auctions_running(session: AsyncSession, clock: Clock, actor: Actor) -> int:
        """Announce new turns, then close what has ended."""
        return await market.announce_turns(session, clock, broadcaster) + await market.close_due(
            session, clock, actor, broadcaster
        )

    return [
        Sweep("filing-overdue", 60, filings_overdue),
        Sweep("auction-open", 5, auctions_due),
        Sweep("auction-tick", 1, auctions_running),  # a late bid is refused by the end time anyway
        Sweep("opening-start", 5, openings_due),  # openings start within seconds of their time
        Sweep("opening-resume", 15, openings_stalled),
        Sweep("blob-staging-clean", 600, staging_leftovers),  # uploads cut off by a killed worker
    ]


async def run_sweep(sessions: async_sessionmaker[AsyncSession], clock: Clock, sweep: Sweep) -> int:
    """Run one sweep in its own session; a failure is logged and retried at the next tick."""
    try:
        async with sessions() as session:
            moved = await sweep.run(session, clock, Actor.system(f"scheduler:{sweep.name}"))
    except Exception:
        logger.exception("sweep %s failed; it will run again at its next tick", sweep.name)
        return 0
    if moved:
        logger.info("sweep %s moved %d object(s)", sweep.name, moved)
    return moved


def build_scheduler(sessions: async_sessionmaker[AsyncSession], clock: Clock, sweeps: list[Sweep]) -> AsyncIOScheduler:
    # APScheduler logs every run of every job at INFO (each second for the auction tick); we log
    # what a sweep did instead (`run_sweep`), so its own chatter is kept to warnings.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = AsyncIOScheduler(timezone=UTC)
    for sweep in sweeps:
        scheduler.add_job(
            run_sweep,
            "interval",
            seconds=sweep.interval_seconds,
            args=[sessions, clock, sweep],
            id=sweep.name,
            max_instances=1,  # a slow sweep is never overtaken by its next tick
            coalesce=True,  # after a pause, catch up with one run, not a burst
            next_run_time=datetime.now(UTC),
        )
    return scheduler


async def run_forever(settings: Settings, clock: Clock) -> None:
    """The `ggzy scheduler` process: run every sweep until SIGTERM or SIGINT."""
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    hub = LiveHub(redis)  # publishes only: the web workers' hubs deliver to the watchers
    sweeps = registered_sweeps(settings, hub, sessions)
    scheduler = build_scheduler(sessions, clock, sweeps)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    scheduler.start()
    logger.info("scheduler running %d sweep(s): %s", len(sweeps), ", ".join(s.name for s in sweeps) or "none yet")
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        if redis is not None:
            await redis.aclose()
        await engine.dispose()
        logger.info("scheduler stopped")
