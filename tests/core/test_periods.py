"""Periods as the law counts them (民法典 arts. 201, 203), table-driven on the official calendar:
the day of the event is not counted, a period ends at 24:00 of its last day, and a last day
that is a weekend or a statutory holiday moves to the first working day after it; 调休 weekend
days are working days. The same answer from the kernel, the API and `ggzy period end`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.calendar.rules import WorkingCalendar, YearSchedule
from app.core.settings import Settings
from tests.conftest import run_ggzy

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkingCalendar.with_loaded({})

PERIODS = [
    # (event day, days, working?, nominal last day, last day, why it moved)
    pytest.param(date(2025, 9, 28), 3, False, date(2025, 10, 1), date(2025, 10, 9), "国庆节", id="national-day"),
    pytest.param(date(2026, 9, 1), 30, False, date(2026, 10, 1), date(2026, 10, 8), "国庆节", id="contract-30-days"),
    pytest.param(date(2026, 2, 12), 5, False, date(2026, 2, 17), date(2026, 2, 24), "春节", id="spring-festival"),
    pytest.param(date(2026, 11, 25), 3, False, date(2026, 11, 28), date(2026, 11, 30), "weekend", id="weekend"),
    pytest.param(date(2026, 9, 17), 3, False, date(2026, 9, 20), date(2026, 9, 20), None, id="tiaoxiu-sunday"),
    pytest.param(date(2026, 2, 11), 3, False, date(2026, 2, 14), date(2026, 2, 14), None, id="tiaoxiu-saturday"),
    pytest.param(date(2025, 12, 29), 3, False, date(2026, 1, 1), date(2026, 1, 4), "元旦", id="year-end"),
    pytest.param(date(2025, 12, 31), 1, False, date(2026, 1, 1), date(2026, 1, 4), "元旦", id="new-years-eve"),
    pytest.param(date(2025, 9, 30), 2, True, date(2025, 10, 10), date(2025, 10, 10), None, id="working-national-day"),
    pytest.param(date(2026, 2, 13), 2, True, date(2026, 2, 24), date(2026, 2, 24), None, id="working-spring"),
    pytest.param(date(2026, 1, 30), 30, True, date(2026, 3, 19), date(2026, 3, 19), None, id="complaint-30-working"),
]


@pytest.mark.pure
@pytest.mark.parametrize(("start", "days", "working", "nominal", "last", "why"), PERIODS)
def test_a_period_ends_as_the_civil_code_counts_it(
    start: date, days: int, working: bool, nominal: date, last: date, why: str | None
) -> None:
    period = CALENDAR.period(start, days, working=working)
    assert (period.nominal_last_day, period.last_day, period.provisional) == (nominal, last, False)
    assert period.due_at(SHANGHAI) == datetime.combine(last + timedelta(days=1), time(0), SHANGHAI)  # 24:00
    if why is None:
        assert period.moved_because is None and not any("art. 203 ¶1" in rule for rule in period.rules())
    else:
        assert period.moved_because is not None and why in period.moved_because
        assert any(rule.startswith("民法典 art. 203 ¶1") and str(last) in rule for rule in period.rules())


@pytest.mark.pure
def test_a_period_into_a_year_without_a_schedule_is_provisional_until_the_schedule_is_loaded() -> None:
    period = CALENDAR.period(date(2026, 12, 29), 3)
    assert (period.last_day, period.provisional, period.unscheduled_years) == (date(2027, 1, 4), True, (2027,))
    assert "fixed date" in (period.moved_because or "")  # 1 January rests even before the schedule
    loaded = YearSchedule(2027, {date(2027, 1, 1): "", date(2027, 1, 4): ""}, frozenset(), "loaded")
    final = WorkingCalendar.with_loaded({2027: loaded}).period(date(2026, 12, 29), 3)
    assert (final.last_day, final.provisional) == (date(2027, 1, 5), False)


@pytest.mark.pure
def test_a_period_is_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        CALENDAR.period(date(2026, 1, 1), 0)


async def test_anyone_can_check_a_deadline_through_the_api(backend: str, client: AsyncTestClient[Litestar]) -> None:
    answer = await client.get("/api/v1/calendar/period", params={"from": "2025-09-28T10:00", "days": 3})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["last_day"], body["ends"], body["ends_at"], body["moved"]) == (
        "2025-10-09",
        "2025-10-09 24:00 Asia/Shanghai",
        "2025-10-10T00:00:00+08:00",
        True,
    )
    assert body["rules"][1].startswith("民法典 art. 203 ¶1: 2025-10-01 is not a working day (statutory holiday: 国庆节")
    working = await client.get("/api/v1/calendar/period", params={"from": "2025-09-30", "days": 2, "working": "true"})
    assert (working.json()["last_day"], working.json()["moved"]) == ("2025-10-10", False)

    bad = await client.get("/api/v1/calendar/period", params={"from": "2025-09-31", "days": 0})
    assert bad.status_code == 422, bad.text
    assert {item["name"] for item in bad.json()["invalid-params"]} == {"from", "days"}  # every bad part at once
    wrong_day = await client.get("/api/v1/calendar/period", params={"from": "2025-09-31", "days": 3})
    assert wrong_day.status_code == 422 and wrong_day.json()["invalid-params"][0]["name"] == "from"


async def test_ggzy_period_end_prints_the_end_and_the_rule_that_moved_it(
    backend: str, client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    env = {"GGZY_DATABASE_URL": settings.database_url, "GGZY_DATA_DIR": str(settings.data_dir)}
    result = run_ggzy(env, "period", "end", "--from", "2025-09-28T10:00", "--days", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2025-10-09 24:00 Asia/Shanghai  (= 2025-10-10T00:00:00+08:00)"
    assert "民法典 art. 203 ¶1: 2025-10-01 is not a working day (statutory holiday: 国庆节 National Day)" in lines[2]
    api = await client.get("/api/v1/calendar/period", params={"from": "2025-09-28T10:00", "days": 3})
    assert [line.strip() for line in lines[1:]] == api.json()["rules"]  # one answer, two ways to ask

    working = run_ggzy(env, "period", "end", "--from", "2026-02-13", "--days", "2", "--working")
    assert working.stdout.startswith("2026-02-24 24:00 Asia/Shanghai"), working.stdout
    bad = run_ggzy(env, "period", "end", "--from", "13/02/2026", "--days", "2")
    assert bad.returncode == 2 and "from: a date YYYY-MM-DD" in bad.stderr
