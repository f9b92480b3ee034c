"""Where the working calendar's data lives: the package's years plus the admin-loaded ones.

`load_calendar` builds a `WorkingCalendar` from the database on each use (a small table), so
a year loaded through any web worker or the CLI counts everywhere at once.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import Deadline, WorkingCalendar, YearSchedule
from app.models import CalendarYear

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
