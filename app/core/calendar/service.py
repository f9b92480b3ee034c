"""The working-day calendar's use cases: where its data lives (the package's years plus the
admin-loaded ones), and loading an official schedule for a year (admin API and
`ggzy calendar load`).

`load_calendar` builds a `WorkingCalendar` from the database on each use (a small table), so
a year loaded through any web worker or the CLI counts everywhere at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.calendar.rules import Deadline, WorkingCalendar, YearSchedule, package_schedules
from app.core.calendar.schemas import YearLoaded, YearOut, YearScheduleIn
from app.core.clock import Clock
from app.core.models import CalendarYear

CalendarListener = Callable[[AsyncSession, Clock, Actor, WorkingCalendar, ZoneInfo], Awaitable[int]]
"""Told, in the loading transaction, that the calendar changed; returns how many objects it
updated (e.g. the filings' provisional deadlines). The composition root names them
(`app.wiring.CALENDAR_LISTENERS`): the kernel knows no domain."""

logger = logging.getLogger("ggzy.calendar")


def schedule_of(row: CalendarYear) -> YearSchedule:
    return YearSchedule(
        row.year,
        {date.fromisoformat(day): "" for day in row.holidays},
        frozenset(date.fromisoformat(day) for day in row.workdays),
        "loaded",
    )


async def load_calendar(session: AsyncSession) -> WorkingCalendar:
    rows = await session.scalars(select(CalendarYear))
    return WorkingCalendar.with_loaded({row.year: schedule_of(row) for row in rows})


def deadline_from(calendar: WorkingCalendar, start: datetime | date, working_days: int, tz: ZoneInfo) -> Deadline:
    """The deadline N working days after `start` (an instant, or already a local date)."""
    start_day = start.astimezone(tz).date() if isinstance(start, datetime) else start
    deadline = calendar.deadline(start_day, working_days)
    if deadline.provisional:
        logger.warning(
            "provisional deadline: %d working day(s) from %s end on %s, counting weekends only for %s "
            "(no official holiday schedule loaded); it is recomputed when the schedule is loaded",
            working_days,
            start_day,
            deadline.last_day,
            ", ".join(map(str, deadline.unscheduled_years)),
        )
    return deadline


async def load_year(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    data: YearScheduleIn,
    tz: ZoneInfo,
    listeners: Sequence[CalendarListener],
) -> YearLoaded:
    """Store (or replace) a year's schedule and recompute every provisional deadline, in one transaction."""
    row = await session.get(CalendarYear, data.year)
    if row is None:
        row = CalendarYear(year=data.year)
        session.add(row)
    row.holidays = sorted(day.isoformat() for day in set(data.holidays))
    row.workdays = sorted(day.isoformat() for day in set(data.workdays))
    row.loaded_at, row.loaded_by = clock.now(), actor.username
    await session.flush()
    calendar = await load_calendar(session)
    recomputed = 0
    for listener in listeners:
        recomputed += await listener(session, clock, actor, calendar, tz)
    payload = {"year": data.year, "holidays": row.holidays, "workdays": row.workdays, "recomputed": recomputed}
    await audit.record(session, clock, actor, "calendar.load", "calendar_year", data.year, payload)
    await session.commit()
    return YearLoaded(data.year, len(row.holidays), len(row.workdays), recomputed)


async def years(session: AsyncSession) -> list[YearOut]:
    """The years with an official schedule, and where each comes from."""
    loaded = set((await session.scalars(select(CalendarYear.year))).all())
    known = {year: "chinesecalendar" for year in package_schedules()} | dict.fromkeys(loaded, "loaded")
    return [YearOut(year, source) for year, source in sorted(known.items())]
