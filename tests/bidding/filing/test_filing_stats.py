"""SLA statistics match a history computed by hand.

Four filings, all 2-working-day limits (rounds due at midnight after the 2nd working day):
  A construction, submitted Mon 11-30 09:00, accepted by wang Mon 11-30 15:00:  6 h, on time
  B construction, submitted Mon 11-30 10:00, returned by li  Thu 12-03 10:00: 14+24+24+10 = 72 h, late
                  (due at the end of Wed 12-02)
  C gov. procurement, submitted Fri 12-04 16:00, accepted by wang Mon 12-07 10:00: 8+10 = 18 h, on time
  D construction, submitted Tue 12-01 09:00, never decided; due at the end of Thu 12-03
Asked on Thu 12-10 for 11-30..12-06:
  overall: received 4, decided 3, on time 2 (0.6667), median of 6, 18, 72 = 18, p90 (3rd of 3) = 72
  wang: 2 decided, 2 on time, median (6+18)/2 = 12, p90 (2nd of 2) = 18; li: 1, 0 on time, 72, 72
  construction: received 3, decided 2, on time 1, median (6+72)/2 = 39, p90 = 72
  government_procurement: received 1, decided 1, on time 1, 18, 18
  overdue: B (decided late), then D (undecided), by due time
"""

from __future__ import annotations

from datetime import datetime

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from app.core.clock import FrozenClock
from tests.conftest import SHANGHAI, World, login
from tests.filings import open_desk


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


async def test_statistics_match_a_seeded_history(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    desk = await open_desk(client, world, clock, officer="wang")
    await world.user(Role.supervisor, username="li.na")
    li = await login(client, "li.na")

    async def submitted_at(when: str, project_type: str = "construction") -> str:
        clock.set(at(when))
        filing_id = await desk.new_filing(project_type=project_type)
        assert (await desk.submit(filing_id)).status_code == 200
        return filing_id

    a = await submitted_at("2026-11-30T09:00")
    b = await submitted_at("2026-11-30T10:00")
    d = await submitted_at("2026-12-01T09:00")
    clock.set(at("2026-11-30T15:00"))
    assert (await desk.decide(a, "accept")).status_code == 200
    clock.set(at("2026-12-03T10:00"))
    assert (
        await desk.decide(b, "return", headers=li, items=[{"target": "budget", "message_zh": "预算依据不足"}])
    ).status_code == 200
    c = await submitted_at("2026-12-04T16:00", "government_procurement")
    clock.set(at("2026-12-07T10:00"))
    assert (await desk.decide(c, "accept")).status_code == 200

    clock.set(at("2026-12-10T12:00"))
    response = await client.get("/api/v1/filings/stats?start=2026-11-30&end=2026-12-06", headers=desk.officer_headers)
    assert response.status_code == 200, response.text
    stats = response.json()

    def figures(received: int, decided: int, on_time: int, rate: float, median: float, p90: float) -> dict[str, object]:
        return {
            "received": received,
            "decided": decided,
            "on_time": on_time,
            "on_time_rate": rate,
            "median_working_hours": median,
            "p90_working_hours": p90,
        }

    assert stats["overall"] == figures(4, 3, 2, 0.6667, 18.0, 72.0)
    assert stats["by_officer"] == {
        "li.na": figures(1, 1, 0, 0.0, 72.0, 72.0),
        "wang": figures(2, 2, 2, 1.0, 12.0, 18.0),
    }
    assert stats["by_project_type"] == {
        "construction": figures(3, 2, 1, 0.5, 39.0, 72.0),
        "government_procurement": figures(1, 1, 1, 1.0, 18.0, 18.0),
    }
    assert [(o["filing_id"], o["decided_by"]) for o in stats["overdue"]] == [(b, "li.na"), (d, None)]

    narrow = (
        await client.get("/api/v1/filings/stats?start=2026-12-04&end=2026-12-04", headers=desk.officer_headers)
    ).json()
    assert narrow["overall"]["received"] == 1 and narrow["overdue"] == []
    refused = await client.get("/api/v1/filings/stats?start=2026-12-04&end=2026-12-01", headers=desk.officer_headers)
    assert refused.status_code == 422
    assert (
        await client.get("/api/v1/filings/stats?start=2026-12-01&end=2026-12-04", headers=desk.agency_headers)
    ).status_code == 403
