"""The chronograph: every time-driven step of the platform, in the manner of Prozorro's.

Each stateful object answers its next due event and when (the pure `next_event` of its state
module, e.g. a published tender: `opening-start` at its opening time). A `Step` names one such
event: `due` finds the objects whose next event it is, now (the state module decides; the query
only narrows the candidates), and `run` performs it for one object in its own transaction,
idempotently: it re-reads the object under a lock and does nothing when the event is no longer
due, so running a step twice, late, or on several scheduler processes at once does no harm.
No deadline depends on the chronograph: every action checks its own deadline when it happens.

`Chronograph.tick` runs every step whose interval has passed and that is not still running
(a long decryption never holds up an auction's close); one object that fails is rolled back,
recorded and reported (`app.core.sweeps.for_each`) while the step goes on with the others.
The steps themselves are named by the domains (`*/jobs.py`) and gathered by the composition root.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.actor import Actor
from app.core.clock import Clock
from app.core.sweeps import for_each

logger = logging.getLogger("ggzy.scheduler")


@dataclass(frozen=True)
class Step:
    event: str  # the due event it performs, e.g. "opening-start"
    object_type: str  # what it moves, as the audit trail names it, e.g. "tender"
    every: float  # seconds between two looks for due objects
    due: Callable[[AsyncSession, datetime], Awaitable[Sequence[Any]]]
    run: Callable[[AsyncSession, Any, Clock, Actor], Awaitable[bool]]


@dataclass(frozen=True)
class Housekeeping:
    """A periodic job that belongs to no object (e.g. removing staged uploads a killed worker left)."""

    name: str
    interval_seconds: float
    run: Callable[[], Awaitable[int]]


async def sweep(session: AsyncSession, clock: Clock, step: Step) -> int:
    """Run `step` for every object it is due for now; return how many it moved."""
    ids = await step.due(session, clock.now())
    await session.commit()  # no transaction held open between objects
    actor = Actor.system(f"scheduler:{step.event}")

    async def one(object_id: Any) -> bool:
        return await step.run(session, object_id, clock, actor)

    return await for_each(session, clock, step.event, step.object_type, ids, one)


class Chronograph:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, steps: Sequence[Step]) -> None:
        names = [s.event for s in steps]
        if len(set(names)) != len(names):
            raise ValueError(f"two steps perform the same event: {names}")
        self.sessions, self.clock, self.steps = sessions, clock, list(steps)
        self._last_run: dict[str, float] = {}
        self._running: dict[str, asyncio.Task[int]] = {}

    async def run_step(self, step: Step) -> int:
        """One step in its own session; a failure of the step as a whole is logged and retried."""
        try:
            async with self.sessions() as session:
                moved = await sweep(session, self.clock, step)
        except Exception:
            logger.exception("step %s failed; it runs again at its next tick", step.event)
            return 0
        if moved:
            logger.info("step %s moved %d object(s)", step.event, moved)
        return moved

    def start_due_steps(self) -> list[asyncio.Task[int]]:
        """Start every step whose interval has passed and that is not still running."""
        started = []
        now = time.monotonic()
        for step in self.steps:
            if step.event in self._running or now - self._last_run.get(step.event, -1e9) < step.every:
                continue
            self._last_run[step.event] = now
            task = asyncio.create_task(self.run_step(step), name=f"chronograph:{step.event}")
            self._running[step.event] = task
            task.add_done_callback(functools.partial(self._finished, step.event))
            started.append(task)
        return started

    def _finished(self, event: str, _task: asyncio.Task[int]) -> None:
        self._running.pop(event, None)

    async def tick(self) -> dict[str, int]:
        """Start what is due and wait for it (tests, `ggzy` commands); the scheduler starts and
        moves on (`start_due_steps`), so a slow step never delays the others' next tick."""
        tasks = self.start_due_steps()
        results = await asyncio.gather(*tasks)
        return {task.get_name().removeprefix("chronograph:"): moved for task, moved in zip(tasks, results, strict=True)}

    async def stop(self) -> None:
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
