"""The working-day calendar's use cases and API: loading an official schedule for a year (admin
API and `ggzy calendar load`), and the read-only questions anyone may ask of the calendar.

Loading a year recomputes every provisional deadline, so a filing submitted on 30 December
ends up with the deadline the official schedule gives it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audit
from app.actor import Actor
from app.calendar import package_schedules
from app.calendar_store import deadline_from, load_calendar
from app.clock import Clock
from app.deps import ActorDep, ClockDep, DbSession, SettingsDep
from app.filing.service import recompute_provisional_deadlines
from app.models import CalendarYear, Role
from app.security import requires
from app.settings import Settings
from app.validation import FieldError, RequestBody, require_plausible_dates


class YearScheduleIn(RequestBody):
    """A year's official schedule: `{"year": 2027, "holidays": [...], "workdays": [...]}`."""

    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    holidays: list[dt.date]
    workdays: list[dt.date]

    @classmethod
    def cross_field_errors(cls, values: dict[str, Any]) -> list[FieldError]:
        errors, year = [], values.get("year")
        for name in ("holidays", "workdays"):
            wrong = [day for day in values.get(name, []) if year is not None and day.year != year]
            if wrong:
                errors.append(FieldError(name, "other_year", f"dates outside {year}: {', '.join(map(str, wrong))}"))
        both = sorted(set(values.get("holidays", [])) & set(values.get("workdays", [])))
        if both:
            errors.append(
                FieldError("workdays", "also_holiday", f"listed as holidays too: {', '.join(map(str, both))}")
            )
        weekdays = [day for day in values.get("workdays", []) if day.weekday() < 5]
        if weekdays:
            message = f"adjusted working days fall on weekends; these are weekdays: {', '.join(map(str, weekdays))}"
            errors.append(FieldError("workdays", "not_weekend", message))
        return errors


class YearLoaded(msgspec.Struct):
    year: int
    holidays: int
    workdays: int
    recomputed_deadlines: int


class DeadlineOut(msgspec.Struct):
    start: dt.date
    working_days: int
    deadline: dt.date
    due_at: dt.datetime
    provisional: bool
    unscheduled_years: list[int]


class DayOut(msgspec.Struct):
    date: dt.date
    working: bool
    reason: str
    provisional: bool


class YearOut(msgspec.Struct):
    year: int
    source: str


async def load_year(
    session: AsyncSession, clock: Clock, actor: Actor, data: YearScheduleIn, settings: Settings
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
    recomputed = await recompute_provisional_deadlines(session, clock, actor, calendar, settings.tz)
    payload = {"year": data.year, "holidays": row.holidays, "workdays": row.workdays, "recomputed": recomputed}
    await audit.record(session, clock, actor, "calendar.load", "calendar_year", data.year, payload)
    await session.commit()
    return YearLoaded(data.year, len(row.holidays), len(row.workdays), recomputed)


class CalendarController(Controller):
    path = "/api/v1/calendar"
    tags = ("calendar",)

    @get("/deadline", opt={"public": True})
    async def deadline(
        self,
        db_session: DbSession,
        settings: SettingsDep,
        start: Annotated[dt.date, QueryParameter(description="the start date (YYYY-MM-DD)")],
        working_days: Annotated[int, QueryParameter(ge=1, le=365, description="N working days")],
    ) -> DeadlineOut:
        """The last working day of a limit of N working days counted from the day after `start`."""
        require_plausible_dates(start=start)
        result = deadline_from(await load_calendar(db_session), start, working_days, settings.tz)
        return DeadlineOut(
            start,
            working_days,
            result.last_day,
            result.due_at(settings.tz),
            result.provisional,
            list(result.unscheduled_years),
        )

    @get("/days/{day:date}", opt={"public": True})
    async def day(self, db_session: DbSession, day: FromPath[dt.date]) -> DayOut:
        """Whether a date is a working day, and why."""
        require_plausible_dates(day=day)
        info = (await load_calendar(db_session)).day(day)
        return DayOut(info.day, info.working, info.reason, info.provisional)

    @get("/years", opt={"public": True})
    async def years(self, db_session: DbSession) -> list[YearOut]:
        """The years with an official schedule, and where each comes from."""
        loaded = set((await db_session.scalars(select(CalendarYear.year))).all())
        years = {year: "chinesecalendar" for year in package_schedules()} | dict.fromkeys(loaded, "loaded")
        return [YearOut(year, source) for year, source in sorted(years.items())]

    @post("/years", guards=[requires(Role.admin)])
    async def load(
        self,
        data: JSONBody[YearScheduleIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> YearLoaded:
        """Load a year's official schedule (admin); provisional deadlines are recomputed."""
        return await load_year(db_session, clock, actor, data, settings)
