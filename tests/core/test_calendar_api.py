"""The calendar's read-only API (anyone may ask) and the admin's schedule loading."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from tests.conftest import World, login


async def test_anyone_can_ask_whether_a_day_is_a_working_day_and_why(
    backend: str, client: AsyncTestClient[Litestar]
) -> None:
    sunday = (await client.get("/api/v1/calendar/days/2026-09-20")).json()
    assert sunday == {
        "date": "2026-09-20",
        "working": True,
        "reason": "adjusted working day (调休上班)",
        "provisional": False,
    }
    holiday = (await client.get("/api/v1/calendar/days/2026-10-01")).json()
    assert holiday["working"] is False and holiday["reason"] == "statutory holiday: 国庆节 National Day"
    unknown = (await client.get("/api/v1/calendar/days/2027-03-01")).json()
    assert unknown["working"] is True and unknown["provisional"] is True
    fixed = (await client.get("/api/v1/calendar/days/2027-10-01")).json()
    assert fixed["working"] is False and fixed["provisional"] is True and "国庆节" in fixed["reason"]
    years = (await client.get("/api/v1/calendar/years")).json()
    assert {"year": 2026, "source": "chinesecalendar"} in years and all(y["year"] != 2027 for y in years)


async def test_a_bad_deadline_question_names_its_bad_parameters(
    backend: str, client: AsyncTestClient[Litestar]
) -> None:
    response = await client.get("/api/v1/calendar/deadline?start=2026-13-01&working_days=0")
    assert response.status_code == 422
    assert {item["name"] for item in response.json()["invalid-params"]} == {"start", "working_days"}


async def test_a_bad_schedule_is_refused_whole_with_every_reason(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    await world.user(Role.admin, username="admin")
    admin = await login(client, "admin")
    bad = {"year": 2027, "holidays": ["2028-01-01", "2027-01-01"], "workdays": ["2027-01-01", "2027-01-05"]}
    response = await client.post("/api/v1/calendar/years", json=bad, headers=admin)
    assert response.status_code == 422
    codes = sorted((item["name"], item["code"]) for item in response.json()["invalid-params"])
    assert codes == [("holidays", "other_year"), ("workdays", "also_holiday"), ("workdays", "not_weekend")]
    assert (await client.get("/api/v1/calendar/days/2027-01-01")).json()["provisional"] is True  # nothing loaded
    good = {"year": 2027, "holidays": ["2027-01-01"], "workdays": []}
    bidder = await world.user(Role.bidder, await world.org())
    assert (
        await client.post("/api/v1/calendar/years", json=good, headers=await login(client, bidder.username))
    ).status_code == 403
    assert (await client.post("/api/v1/calendar/years", json=good, headers=admin)).status_code == 201
    assert {"year": 2027, "source": "loaded"} in (await client.get("/api/v1/calendar/years")).json()
