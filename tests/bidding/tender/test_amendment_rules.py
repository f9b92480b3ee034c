"""The 15-day rule of Tendering Law art. 23 as `bidding.tender.amendments` computes it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.core.calendar.rules import WorkingCalendar
from bidding.tender.amendments import moved_deadline, needs_confirmation
from tests.conftest import SHANGHAI

pytestmark = pytest.mark.pure

CALENDAR = WorkingCalendar.with_loaded({})


def working(day: date) -> bool:
    return CALENDAR.day(day).working


def at(day: date, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def test_an_amendment_with_15_days_left_leaves_the_deadline() -> None:
    deadline = at(date(2026, 12, 30))
    assert moved_deadline(deadline, deadline - timedelta(days=15), SHANGHAI, working) == deadline
    assert moved_deadline(deadline, deadline - timedelta(days=40), SHANGHAI, working) == deadline


def test_an_amendment_10_days_before_moves_the_deadline_to_15_days_at_the_same_time_of_day() -> None:
    deadline = at(date(2026, 12, 28))  # a Monday, 09:30
    issued = at(date(2026, 12, 18), 14, 0)  # 10 days before, in the afternoon
    moved = moved_deadline(deadline, issued, SHANGHAI, working)
    assert moved.astimezone(SHANGHAI) == at(date(2027, 1, 4))  # 2 Jan 14:00 + … → Monday 4 Jan, 09:30
    assert moved - issued >= timedelta(days=15)


def test_a_moved_deadline_skips_the_spring_festival_holiday() -> None:
    # 15 days after 5 Feb 2026 lands in the 2026 Spring Festival holiday (15–23 Feb).
    deadline = at(date(2026, 2, 10))
    moved = moved_deadline(deadline, at(date(2026, 2, 5), 8, 0), SHANGHAI, working)
    local = moved.astimezone(SHANGHAI)
    assert local.date() == date(2026, 2, 24) and (local.hour, local.minute) == (9, 30)
    assert working(local.date()) and not working(date(2026, 2, 20))


def test_a_bid_sealed_before_the_latest_amendment_needs_confirmation_until_confirmed() -> None:
    amended = at(date(2026, 12, 1))
    assert needs_confirmation(amended - timedelta(seconds=1), amended, confirmed=False)
    assert not needs_confirmation(amended - timedelta(seconds=1), amended, confirmed=True)
    assert not needs_confirmation(amended + timedelta(seconds=1), amended, confirmed=False)
    assert not needs_confirmation(amended, None, confirmed=False)
