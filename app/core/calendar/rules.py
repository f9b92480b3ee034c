"""The working-day calendar (工作日): pure rules over the State Council's yearly holiday schedule.

A year's `YearSchedule` lists its statutory holidays (法定节假日) and its adjusted working days
(调休上班, weekend days that are worked). Schedules come from the chinesecalendar package
for the years it covers and from the admin-loaded table for the others (a loaded year wins).
A year with no schedule is counted by weekends and the fixed-date holidays alone, and every
answer that touched it is marked `provisional`, to be recomputed when the official schedule is loaded.

Every period of the platform is counted by one function, `WorkingCalendar.period`, as the 民法典
counts periods in days (arts. 201, 203): the day of the event is not counted, the period runs
from the next day, it ends at 24:00 of its last day, and a last day that is a rest day (a weekend
not worked or a statutory holiday) moves to the first working day after it. A period of N working
days counts only working days (调休 weekend days count as working days) and ends at 24:00 of the
Nth. Dates are local (Asia/Shanghai by default); the shell turns instants into dates and back.
Windows the rules state in minutes or hours (the auction's, the opening record's) are not
periods in days and are counted from their instant.
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


# The holidays on fixed solar dates (全国年节及纪念日放假办法 art. 2, as revised in 2024): a year
# without an official schedule rests on them too; the lunar ones and 调休 wait for the schedule.
FIXED_DATE_HOLIDAYS = {
    (1, 1): "元旦 New Year's Day",
    (5, 1): "劳动节 Labour Day",
    (5, 2): "劳动节 Labour Day",
    (10, 1): "国庆节 National Day",
    (10, 2): "国庆节 National Day",
    (10, 3): "国庆节 National Day",
}
UNSCHEDULED = "no official schedule for this year"


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
class PeriodRule:
    """A period a rule of law sets, as data: `days` calendar days (or working days) after the
    event, and the article that says so (for the rule table and the notices)."""

    days: int
    working: bool
    article: str


@dataclass(frozen=True, slots=True)
class Period:
    """A period of `days` (calendar or working) days after the day `start`, as 民法典 arts. 201
    and 203 count it."""

    start: date  # the day of the event; not counted
    days: int
    working: bool  # working days rather than calendar days
    nominal_last_day: date  # the Nth day (or Nth working day) after `start`
    last_day: date  # the period ends at 24:00 of this day
    moved_because: str | None  # why the nominal last day was moved (art. 203), or None
    provisional: bool  # a year without an official schedule was involved
    unscheduled_years: tuple[int, ...]

    def due_at(self, tz: ZoneInfo) -> datetime:
        """The instant the period passes: 24:00 of its last day, local time."""
        return end_of_day(self.last_day, tz)

    def rules(self) -> list[str]:
        """How the end was found, step by step, with the articles: what an officer checks."""
        unit = "working day" if self.working else "day"
        plural = "" if self.days == 1 else "s"
        steps = [
            f"民法典 art. 201: the day of the event ({self.start}) is not counted; "
            f"{self.days} {unit}{plural} from {self.start + timedelta(days=1)} end on {self.nominal_last_day}"
        ]
        if self.moved_because is not None:
            steps.append(
                f"民法典 art. 203 ¶1: {self.nominal_last_day} is not a working day ({self.moved_because}); "
                f"the last day is the first working day after it, {self.last_day}"
            )
        steps.append(f"民法典 art. 203 ¶2: the period ends at 24:00 of {self.last_day}")
        if self.provisional:
            years = ", ".join(map(str, self.unscheduled_years))
            steps.append(
                f"provisional: no official holiday schedule for {years}; "
                "weekends and the fixed-date holidays only were counted"
            )
        return steps


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
            fixed = FIXED_DATE_HOLIDAYS.get((day.month, day.day))
            if fixed is not None:
                return DayInfo(day, False, f"statutory holiday: {fixed} (fixed date; {UNSCHEDULED})", provisional=True)
            reason = f"weekend ({UNSCHEDULED})" if weekend else f"weekday ({UNSCHEDULED})"
            return DayInfo(day, not weekend, reason, provisional=True)
        if day in schedule.holidays:
            name = schedule.holidays[day]
            label = f"{HOLIDAY_NAMES_ZH.get(name, name)} {name}".strip() if name else "法定节假日"
            return DayInfo(day, False, f"statutory holiday: {label}", provisional=False)
        if day in schedule.workdays:
            return DayInfo(day, True, "adjusted working day (调休上班)", provisional=False)
        return DayInfo(day, not weekend, "weekend" if weekend else "weekday", provisional=False)

    def working_days_before(self, day: date, count: int) -> date:
        """The `count`-th working day before `day` (the day itself not counted)."""
        found = 0
        while found < count:
            day -= timedelta(days=1)
            found += self.day(day).working
        return day

    def period(self, start: date, days: int, *, working: bool = False) -> Period:
        """The period of `days` calendar days (or working days) after the day `start`: the one
        way the platform counts a period in days (民法典 arts. 201, 203)."""
        if days < 1:
            raise ValueError("a period is at least one day")
        unscheduled: set[int] = set()

        def looked_up(day: date) -> DayInfo:
            info = self.day(day)
            if info.provisional:
                unscheduled.add(day.year)
            return info

        if working:
            nominal, counted = start, 0
            while counted < days:
                nominal += timedelta(days=1)
                counted += looked_up(nominal).working
        else:
            nominal = start + timedelta(days=days)
        last_day, info = nominal, looked_up(nominal)
        moved_because = None if info.working else info.reason
        while not info.working:
            last_day += timedelta(days=1)
            info = looked_up(last_day)
        return Period(
            start, days, working, nominal, last_day, moved_because, bool(unscheduled), tuple(sorted(unscheduled))
        )

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
