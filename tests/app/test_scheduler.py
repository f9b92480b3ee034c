"""The scheduler ticks the chronograph: each step runs repeatedly, one run at a time, a slow step
never holds up the others, and a failing one does not stop them."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.chronograph import Chronograph, Step
from app.core.clock import Clock, FrozenClock
from app.core.settings import Settings
from app.main import create_app
from app.scheduler import build_scheduler
from tests.conftest import World


async def test_steps_run_repeatedly_never_overlap_and_survive_failures(
    backend: str, world: World, clock: FrozenClock
) -> None:
    runs: list[str] = []
    running = 0
    fast_runs = 0

    async def one_due(_session: AsyncSession, _now: datetime) -> list[str]:
        return ["the-object"]

    async def slow(_session: AsyncSession, _object_id: str, _clock: Clock, actor: Actor) -> bool:
        nonlocal running
        running += 1
        assert running == 1, "two runs of one step overlapped"
        runs.append(actor.username)
        await asyncio.sleep(0.7)  # longer than the interval and the tick
        running -= 1
        return True

    async def fast(_session: AsyncSession, _object_id: str, _clock: Clock, _actor: Actor) -> bool:
        nonlocal fast_runs
        fast_runs += 1
        return True

    async def broken_query(_session: AsyncSession, _now: datetime) -> list[str]:
        raise RuntimeError("database hiccup")

    chronograph = Chronograph(
        world.sessions,
        clock,
        [
            Step("slow", "thing", 0.02, one_due, slow),
            Step("fast", "thing", 0.02, one_due, fast),
            Step("broken", "thing", 0.02, broken_query, fast),
        ],
    )
    scheduler = build_scheduler(chronograph, [])
    scheduler.start()
    try:
        await asyncio.sleep(2.1)
    finally:
        scheduler.shutdown(wait=False)
        await chronograph.stop()
    assert len(runs) >= 2 and set(runs) == {"system:scheduler:slow"}
    assert fast_runs > len(runs)  # the slow step never held up the fast one


async def test_the_embedded_app_runs_the_scheduler_and_a_postgres_app_leaves_it_to_its_process(
    backend: str, settings: Settings, clock: FrozenClock
) -> None:
    app = create_app(dataclasses.replace(settings, scheduler_in_app=None), clock)
    async with app.lifespan():
        scheduler = app.state.scheduler
        if backend == "sqlite":
            assert scheduler is not None and scheduler.running
        else:
            assert scheduler is None
    await asyncio.sleep(0.01)  # AsyncIOScheduler shuts down on its next loop turn
    assert scheduler is None or not scheduler.running


def test_the_scheduler_process_starts_and_stops_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "GGZY_DATA_DIR": str(tmp_path)}
    ggzy = str(Path(sys.executable).parent / "ggzy")
    subprocess.run([ggzy, "db", "upgrade"], env=env, check=True, capture_output=True)
    process = subprocess.Popen([ggzy, "scheduler"], env=env, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    started: list[str] = []
    while not any("scheduler running" in line for line in started) and len(started) < 30:
        started.append(process.stderr.readline())  # APScheduler's own lines may come first
    assert any(
        "scheduler running chronograph: filing-overdue, auction-open, auction-turn, auction-close, opening-start,"
        " opening-resume, expert-draw-commit, expert-draw, expert-supplementary-draw, publicity-start,"
        " award-decision-reminder, gp-confirmation-deemed, objection-overdue, gp-suspension-lapsed, award-late,"
        " award-report-late, validity-reminder, guarantee-submission-check, guarantee-opening-check, bond-refund,"
        " bond-refund-late, guarantor-outbox;"
        " housekeeping: blob-staging-clean, transparency-sequencer" in line
        for line in started
    ), started
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    rest = process.stderr.read()
    assert "scheduler stopped" in rest and "failed" not in rest
    assert "Running job" not in rest and "executed successfully" not in rest  # what a sweep did, not that it ran
