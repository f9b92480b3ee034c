"""The working-day calendar on real 2026 dates, and a year with no official schedule yet."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.calendar.rules import WorkingCalendar, YearSchedule

pytestmark = pytest.mark.pure  # pure rules: no database, no web; `scripts/test -m pure`

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkingCalendar.with_loaded({})

SCHEDULE_2027 = YearSchedule(
    2027,
    {date(2027, 1, 1): "New Year's Day", date(2027, 1, 2): "", date(2027, 1, 3): ""},
    frozenset(),
    "loaded",
)


@pytest.mark.parametrize(
    ("start", "last_day"),
    [
        (date(2026, 9, 18), date(2026, 9, 21)),  # Friday; Sunday 09-20 is an adjusted working day
        (date(2026, 2, 13), date(2026, 2, 24)),  # Friday; Saturday 02-14 works, then the Spring Festival
        (date(2026, 9, 30), date(2026, 10, 9)),  # into the National Day holiday; Saturday 10-10 is worked after
        (date(2026, 11, 27), date(2026, 12, 1)),  # an ordinary weekend
    ],
)
def test_two_working_day_deadlines_on_the_2026_calendar(start: date, last_day: date) -> None:
    deadline = CALENDAR.period(start, 2, working=True)
    assert deadline.last_day == last_day and not deadline.provisional


def test_the_deadline_ends_at_midnight_after_the_last_working_day_in_shanghai() -> None:
    due = CALENDAR.period(date(2026, 9, 18), 2, working=True).due_at(SHANGHAI)
    assert due == datetime(2026, 9, 22, 0, 0, tzinfo=SHANGHAI)


def test_a_deadline_running_into_a_year_without_a_schedule_is_provisional() -> None:
    deadline = CALENDAR.period(date(2026, 12, 30), 2, working=True)
    # New Year's Day is a holiday on a fixed date even before the year's schedule is published
    assert (deadline.last_day, deadline.provisional, deadline.unscheduled_years) == (date(2027, 1, 4), True, (2027,))
    final = WorkingCalendar.with_loaded({2027: SCHEDULE_2027}).period(date(2026, 12, 30), 2, working=True)
    assert (final.last_day, final.provisional) == (date(2027, 1, 4), False)


def test_days_say_why_they_are_or_are_not_working_days() -> None:
    assert CALENDAR.day(date(2026, 9, 20)).reason == "adjusted working day (调休上班)"
    assert CALENDAR.day(date(2026, 2, 17)).reason == "statutory holiday: 春节 Spring Festival"
    assert CALENDAR.day(date(2026, 11, 28)).reason == "weekend"
    assert not CALENDAR.day(date(2026, 11, 30)).provisional and CALENDAR.day(date(2026, 11, 30)).working
    unknown = CALENDAR.day(date(2027, 3, 1))
    assert unknown.working and unknown.provisional and "no official schedule" in unknown.reason


def test_a_loaded_year_overrides_the_package() -> None:
    corrected = YearSchedule(2026, {date(2026, 12, 31): "extra"}, frozenset(), "loaded")
    assert not WorkingCalendar.with_loaded({2026: corrected}).day(date(2026, 12, 31)).working
    assert (
        WorkingCalendar.with_loaded({2026: corrected}).day(date(2026, 10, 1)).working
    )  # the loaded year replaces it whole


def test_working_hours_count_only_time_on_working_days() -> None:
    friday_5pm = datetime(2026, 11, 27, 17, 0, tzinfo=SHANGHAI)
    monday_10am = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
    assert CALENDAR.working_hours_between(friday_5pm, monday_10am, SHANGHAI) == 7 + 10


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 20)), st.integers(min_value=1, max_value=10))
def test_a_deadline_ends_on_a_working_day_with_exactly_n_working_days_after_the_start(start: date, n: int) -> None:
    deadline = CALENDAR.period(start, n, working=True)
    days = [start + timedelta(days=i) for i in range(1, (deadline.last_day - start).days + 1)]
    assert CALENDAR.day(deadline.last_day).working
    assert sum(CALENDAR.day(d).working for d in days) == n
