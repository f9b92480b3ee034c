"""One bad object never stops a sweep: each due object's step runs on its own, and a step that
fails is rolled back, recorded on that object (an audit event) and told to the supervision desk
(one notification per sweep and object), while the sweep goes on with the others.

The chronograph's steps (`app.core.chronograph`) run through `for_each` over the ids they
found due.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.notifications import tell_supervisors

logger = logging.getLogger("ggzy.scheduler")

Id = TypeVar("Id")


async def for_each(
    session: AsyncSession,
    clock: Clock,
    sweep: str,
    object_type: str,
    object_ids: Iterable[Id],
    step: Callable[[Id], Awaitable[bool | int | object]],
) -> int:
    """Run `step` on each id; return how many steps did something (a truthy result)."""
    done = 0
    for object_id in object_ids:
        try:
            done += bool(await step(object_id))
        except Exception as exc:
            await session.rollback()
            logger.exception("sweep %s failed on %s %s; going on with the others", sweep, object_type, object_id)
            await report_failure(session, clock, sweep, object_type, object_id, exc)
    return done


async def report_failure(
    session: AsyncSession, clock: Clock, sweep: str, object_type: str, object_id: object, exc: BaseException
) -> None:
    """Record the failure on the object and notify the supervisors, once per sweep and object."""
    error = f"{type(exc).__name__}: {exc}"[:300]
    try:
        first = await tell_supervisors(
            session,
            clock,
            "sweep_failed",
            object_type,
            object_id,
            f"计划任务 {sweep} 处理失败 / the {sweep} step failed on this {object_type}: {error}",
            f"sweep-failed:{sweep}:{object_type}:{object_id}",
        )
        if first:
            payload = {"sweep": sweep, "error": error}
            await audit.record(
                session, clock, Actor.system(f"scheduler:{sweep}"), "sweep.failed", object_type, object_id, payload
            )
        await session.commit()
    except Exception:
        await session.rollback()
        logger.exception("could not record the failure of sweep %s on %s %s", sweep, object_type, object_id)
