"""HTTP handlers of the working-day calendar: the questions anyone may ask of it, and loading a
year's official schedule (admin), which tells the calendar's listeners (e.g. every provisional
filing deadline is recomputed, so a filing submitted on 30 December ends up with the deadline
the official schedule gives it).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from app.core.actor import Role
from app.core.calendar import service
from app.core.calendar.schemas import DayOut, DeadlineOut, PeriodOut, YearLoaded, YearOut, YearScheduleIn
from app.core.deps import ActorDep, CalendarListenersDep, ClockDep, DbSession, SettingsDep
from app.core.guards import requires
from app.core.validation import require_plausible_dates


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
        calendar = await service.load_calendar(db_session)
        result = service.period_from(calendar, start, working_days, settings.tz, working=True)
        return DeadlineOut(
            start,
            working_days,
            result.last_day,
            result.due_at(settings.tz),
            result.provisional,
            list(result.unscheduled_years),
        )

    @get("/period", opt={"public": True})
    async def period(
        self,
        db_session: DbSession,
        settings: SettingsDep,
        start: Annotated[
            str, QueryParameter(name="from", description="the event: YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time)")
        ],
        days: Annotated[int, QueryParameter(description="the period's length in days (1 to 3650)")],
        working: Annotated[bool, QueryParameter(description="count working days only")] = False,
    ) -> PeriodOut:
        """When a period of N days (or working days) after an event ends, as 民法典 arts. 201 and
        203 count it, with the rules that moved it: every deadline the platform shows is this."""
        event = service.period_question(start, days, settings.tz)
        return service.describe(await service.periods(db_session, settings.tz), event, days, working=working)

    @get("/days/{day:date}", opt={"public": True})
    async def day(self, db_session: DbSession, day: FromPath[dt.date]) -> DayOut:
        """Whether a date is a working day, and why."""
        require_plausible_dates(day=day)
        info = (await service.load_calendar(db_session)).day(day)
        return DayOut(info.day, info.working, info.reason, info.provisional)

    @get("/years", opt={"public": True})
    async def years(self, db_session: DbSession) -> list[YearOut]:
        """The years with an official schedule, and where each comes from."""
        return await service.years(db_session)

    @post("/years", guards=[requires(Role.admin)])
    async def load(
        self,
        data: JSONBody[YearScheduleIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        calendar_listeners: CalendarListenersDep,
    ) -> YearLoaded:
        """Load a year's official schedule (admin); provisional deadlines are recomputed."""
        return await service.load_year(db_session, clock, actor, data, settings.tz, calendar_listeners)
