"""The working-day calendar (工作日): pure rules over the State Council's yearly holiday schedule.

A year's `YearSchedule` lists its statutory holidays (法定节假日) and its adjusted working days
(调休上班, weekend days that are worked). Schedules come from the chinesecalendar package
for the years it covers and from the admin-loaded table for the others (a loaded year wins).
A year with no schedule is counted by weekends alone, and every answer that touched it is
marked `provisional`, to be recomputed when the official schedule is loaded.

A deadline of N working days counts from the next working day after the start date and ends
at the end of the Nth working day (Asia/Shanghai dates; the shell turns dates into instants).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True, slots=True)
class YearSchedule:
    year: int
    holidays: Mapping[date, str]  # date -> holiday name ("" when the source gives none)
    workdays: frozenset[date]  # adjusted working days
    source: str  # "chinesecalendar" or "loaded"


@dataclass(frozen=True, slots=True)
class DayInfo:
    day: date
    working: bool
    reason: str
    provisional: bool


@dataclass(frozen=True, slots=True)
class Deadline:
    start: date
    working_days: int
    last_day: date  # the Nth working day; the deadline is the end of it
    provisional: bool  # a year without an official schedule was involved
    unscheduled_years: tuple[int, ...]

    def due_at(self, tz: ZoneInfo) -> datetime:
        """The instant the deadline passes: midnight after the last working day, local time."""
        return end_of_day(self.last_day, tz)


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return start_of_day(day + timedelta(days=1), tz)


@cache
def package_schedules() -> Mapping[int, YearSchedule]:
    """The years chinesecalendar covers, one schedule each."""
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return {
        year: YearSchedule(
            year,
            {d: name for d, name in chinese_calendar.holidays.items() if d.year == year},
            frozenset(d for d in chinese_calendar.workdays if d.year == year),
            "chinesecalendar",
        )
        for year in range(min(years), max(years) + 1)
    }


class WorkingCalendar:
    """Answers working-day questions from a set of year schedules."""

    def __init__(self, schedules: Mapping[int, YearSchedule]) -> None:
        self._schedules = dict(schedules)

    @classmethod
    def with_loaded(cls, loaded: Mapping[int, YearSchedule]) -> WorkingCalendar:
        """The package's schedules, overridden and extended by the admin-loaded ones."""
        return cls({**package_schedules(), **loaded})

    def has_schedule(self, year: int) -> bool:
        return year in self._schedules

    def day(self, day: date) -> DayInfo:
        schedule = self._schedules.get(day.year)
        weekend = day.weekday() >= 5
        if schedule is None:
            reason = (
                "weekend (no official schedule for this year)"
                if weekend
                else "weekday (no official schedule for this year)"
            )
            return DayInfo(day, not weekend, reason, provisional=True)
        if day in schedule.holidays:
            name = schedule.holidays[day]
            label = f"{HOLIDAY_NAMES_ZH.get(name, name)} {name}".strip() if name else "法定节假日"
            return DayInfo(day, False, f"statutory holiday: {label}", provisional=False)
        if day in schedule.workdays:
            return DayInfo(day, True, "adjusted working day (调休上班)", provisional=False)
        return DayInfo(day, not weekend, "weekend" if weekend else "weekday", provisional=False)

    def deadline(self, start: date, working_days: int) -> Deadline:
        if working_days < 1:
            raise ValueError("a deadline needs at least one working day")
        current, counted, unscheduled = start, 0, set()
        while counted < working_days:
            current += timedelta(days=1)
            info = self.day(current)
            if info.provisional:
                unscheduled.add(current.year)
            counted += info.working
        return Deadline(start, working_days, current, bool(unscheduled), tuple(sorted(unscheduled)))

    def working_hours_between(self, start: datetime, end: datetime, tz: ZoneInfo) -> float:
        """Hours elapsed on working days between two instants (each working day counts 00:00-24:00
        local time). This is how processing times are measured against a working-day limit."""
        if end <= start:
            return 0.0
        local_start, local_end = start.astimezone(tz), end.astimezone(tz)
        total, day = timedelta(0), local_start.date()
        while day <= local_end.date():
            if self.day(day).working:
                day_start = datetime.combine(day, time(0), tzinfo=tz)
                day_end = day_start + timedelta(days=1)
                overlap = min(day_end, local_end) - max(day_start, local_start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total.total_seconds() / 3600
