"""The working-day calendar's use cases: where its data lives (the package's years plus the
admin-loaded ones), counting a period from an instant (`Periods`, what every domain's deadline
uses; `describe`, what `GET /api/v1/calendar/period` and `ggzy period end` show), and loading
an official schedule for a year (admin API and `ggzy calendar load`).

`load_calendar` builds a `WorkingCalendar` from the database on each use (a small table), so
a year loaded through any web worker or the CLI counts everywhere at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.calendar.rules import Period, PeriodRule, WorkingCalendar, YearSchedule, package_schedules
from app.core.calendar.schemas import PeriodOut, YearLoaded, YearOut, YearScheduleIn
from app.core.clock import Clock
from app.core.models import CalendarYear
from app.core.problems import InvalidRequest
from app.core.validation import EARLIEST_YEAR, LATEST_YEAR, FieldError

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


def period_from(
    calendar: WorkingCalendar, start: datetime | date, days: int, tz: ZoneInfo, *, working: bool = False
) -> Period:
    """The period of `days` (working) days after `start` (an instant, or already a local date)."""
    start_day = start.astimezone(tz).date() if isinstance(start, datetime) else start
    period = calendar.period(start_day, days, working=working)
    if period.provisional:
        logger.warning(
            "provisional period: %d %s from %s ends on %s, counting weekends and fixed-date holidays only for %s "
            "(no official holiday schedule loaded)",
            days,
            "working day(s)" if working else "day(s)",
            start_day,
            period.last_day,
            ", ".join(map(str, period.unscheduled_years)),
        )
    return period


class Periods:
    """The calendar as loaded now and the local time zone: what a domain needs to count its
    deadlines (`ends_at`) without knowing how."""

    def __init__(self, calendar: WorkingCalendar, tz: ZoneInfo) -> None:
        self.calendar, self.tz = calendar, tz

    def period(self, start: datetime | date, days: int, *, working: bool = False) -> Period:
        return period_from(self.calendar, start, days, self.tz, working=working)

    def ends_at(self, start: datetime | date, days: int, *, working: bool = False) -> datetime:
        """The instant a period of `days` (working) days after `start` passes."""
        return self.period(start, days, working=working).due_at(self.tz)

    def end_of(self, start: datetime | date, rule: PeriodRule) -> datetime:
        """The instant the period a rule sets after `start` passes."""
        return self.ends_at(start, rule.days, working=rule.working)

    def last_day_of(self, start: datetime | date, rule: PeriodRule) -> date:
        return self.period(start, rule.days, working=rule.working).last_day

    def today(self, now: datetime) -> date:
        return now.astimezone(self.tz).date()


async def periods(session: AsyncSession, tz: ZoneInfo) -> Periods:
    return Periods(await load_calendar(session), tz)


MAX_PERIOD_DAYS = 3650


def period_question(start: str, days: int, tz: ZoneInfo) -> datetime:
    """The event of a period question as an officer writes it: `YYYY-MM-DD` (its start, local
    time) or `YYYY-MM-DDTHH:MM` (local time unless it carries an offset), with 1 to 3650 days;
    one 422 naming every bad part otherwise."""
    errors: list[FieldError] = []
    try:
        parsed = datetime.fromisoformat(start) if "T" in start else datetime.combine(date.fromisoformat(start), time(0))
    except ValueError:
        parsed = None
    if parsed is None or not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        message = f"a date YYYY-MM-DD or a local time YYYY-MM-DDTHH:MM between {EARLIEST_YEAR} and {LATEST_YEAR}"
        errors.append(FieldError("from", "invalid", message))
    if not 1 <= days <= MAX_PERIOD_DAYS:
        errors.append(FieldError("days", "range", f"from 1 to {MAX_PERIOD_DAYS}"))
    if errors or parsed is None:
        raise InvalidRequest(errors)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(tz)


def describe(periods: Periods, event: datetime, days: int, *, working: bool) -> PeriodOut:
    """The period after `event` as the API and `ggzy period end` show it."""
    period = periods.period(event, days, working=working)
    zone = str(periods.tz)
    return PeriodOut(
        start=event.astimezone(periods.tz),
        days=days,
        working=working,
        nominal_last_day=period.nominal_last_day,
        last_day=period.last_day,
        ends=f"{period.last_day} 24:00 {zone}",
        ends_at=period.due_at(periods.tz).astimezone(periods.tz),
        zone=zone,
        moved=period.moved_because is not None,
        rules=period.rules(),
        provisional=period.provisional,
        unscheduled_years=list(period.unscheduled_years),
    )


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
