"""The scheduler (APScheduler 3.11): it only drives the side effects of time.

Every time-driven step of an object runs through the one chronograph (`app.core.chronograph`),
which APScheduler ticks twice a second; the steps are named by the domains (`*/jobs.py`) and
gathered in `app.wiring`. Besides it runs housekeeping that belongs to no object (staged
uploads left by a killed worker). In production this is its own process (`ggzy scheduler`); in
the embedded single-process mode (SQLite) the web app starts it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis

from app.core.blobs import LocalBlobStore
from app.core.chronograph import Chronograph, Housekeeping
from app.core.clock import Clock
from app.core.db import make_engine, make_session_factory
from app.core.live import LiveHub
from app.core.redis_guard import RedisGuard
from app.core.settings import Settings
from app.wiring import chronograph_steps, housekeeping

logger = logging.getLogger("ggzy.scheduler")

TICK_SECONDS = 0.5


async def run_housekeeping(job: Housekeeping) -> int:
    try:
        done = await job.run()
    except Exception:
        logger.exception("housekeeping %s failed; it runs again at its next tick", job.name)
        return 0
    if done:
        logger.info("housekeeping %s did %d thing(s)", job.name, done)
    return done


async def _tick(chronograph: Chronograph) -> None:
    chronograph.start_due_steps()  # each step runs on its own; a slow one never delays the next tick


def build_scheduler(chronograph: Chronograph, jobs: list[Housekeeping]) -> AsyncIOScheduler:
    # APScheduler logs every run of every job at INFO (twice a second for the chronograph); we log
    # what a step did instead, so its own chatter is kept to warnings.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        _tick,
        "interval",
        seconds=TICK_SECONDS,
        args=[chronograph],
        id="chronograph",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    for job in jobs:
        scheduler.add_job(
            run_housekeeping,
            "interval",
            seconds=job.interval_seconds,
            args=[job],
            id=job.name,
            max_instances=1,  # a slow run is never overtaken by its next tick
            coalesce=True,  # after a pause, catch up with one run, not a burst
            next_run_time=datetime.now(UTC),
        )
    return scheduler


def describe(chronograph: Chronograph, jobs: list[Housekeeping]) -> str:
    steps = ", ".join(step.event for step in chronograph.steps)
    return f"chronograph: {steps}; housekeeping: {', '.join(job.name for job in jobs)}"


async def run_forever(settings: Settings, clock: Clock) -> None:
    """The `ggzy scheduler` process: run the chronograph and the housekeeping until SIGTERM or SIGINT."""
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    # Publishes only: the web workers' hubs deliver to the watchers.
    hub = LiveHub(RedisGuard(redis) if redis is not None else None)
    blobs = LocalBlobStore(settings.blob_dir)
    chronograph = Chronograph(sessions, clock, chronograph_steps(settings, sessions, blobs, hub))
    jobs = housekeeping(settings, sessions, clock, blobs)
    scheduler = build_scheduler(chronograph, jobs)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # What was built at start-up lives as long as the process: keep it out of every garbage
    # collection, which a draw over thousands of pool experts would otherwise trigger repeatedly.
    gc.collect()
    gc.freeze()
    scheduler.start()
    logger.info("scheduler running %s", describe(chronograph, jobs))
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        await chronograph.stop()
        if redis is not None:
            await redis.aclose()
        await engine.dispose()
        logger.info("scheduler stopped")
