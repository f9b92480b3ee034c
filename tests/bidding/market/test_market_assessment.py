"""Assessing intermediaries: the owner rates the service or records its abandonment, once;
a poor record suspends the intermediary, who is then refused with the reason."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from bidding.market.assessment import DEFAULT_RULE, Assessed, suspension_reason
from tests.bidding.market.test_market import intermediary, post_request
from tests.conftest import SHANGHAI, World, login


async def award_directly(
    client: AsyncTestClient[Litestar], world: World, winner_uscc: str, day: int
) -> tuple[str, dict[str, str]]:
    request_id, owner = await post_request(
        client, world, method="direct", decrement_amount=None, project_name=f"第{day}号咨询项目",
    )  # fmt: skip
    why = "前期已承担本项目可行性研究，继续委托可保证服务连续性。"
    done = await client.post(
        f"/api/v1/service-requests/{request_id}/direct-selection",
        json={"org_uscc": winner_uscc, "price": "250000.00", "justification": why},
        headers=owner,
    )
    assert done.status_code == 200, done.text
    return request_id, owner


async def test_two_abandonments_suspend_and_the_record_shows_why(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    org, headers = await intermediary(client, world)
    officer = await login(client, (await world.user(Role.supervisor)).username)
    first, owner1 = await award_directly(client, world, org.uscc, 1)
    path = f"/api/v1/service-requests/{first}/assessment"
    assert (await client.post(path, json={"outcome": "delivered"}, headers=owner1)).status_code == 422  # scores needed
    rated = await client.post(path, json={"outcome": "delivered", "quality": 85, "timeliness": 90}, headers=owner1)
    assert rated.status_code == 201 and rated.json()["average_score"] == "87.5"
    assert (await client.post(path, json={"outcome": "abandoned"}, headers=owner1)).status_code == 409  # once
    for day in (2, 3):
        request_id, owner = await award_directly(client, world, org.uscc, day)
        await client.post(
            f"/api/v1/service-requests/{request_id}/assessment", json={"outcome": "abandoned"}, headers=owner
        )
    record = (await client.get(f"/api/v1/intermediaries/{org.uscc}/record", headers=officer)).json()
    assert (record["won"], record["abandoned"]) == (3, 2)
    assert record["suspended"]["reason"].startswith("abandoned 2 services after winning")
    eligibility = (await client.get("/api/v1/intermediaries/eligibility?category=COST", headers=headers)).json()
    assert eligibility["eligible"] is False and eligibility["reasons"][0].startswith("suspended: abandoned 2")
    assert (await client.get(f"/api/v1/intermediaries/{org.uscc}/record", headers=headers)).status_code == 403


NOW = datetime(2026, 12, 1, tzinfo=SHANGHAI)
scores = st.integers(min_value=0, max_value=100)


@given(st.lists(st.tuples(scores, scores), max_size=8))
def test_the_rule_suspends_exactly_a_poor_average_over_enough_services(ratings: list[tuple[int, int]]) -> None:
    history = [Assessed("delivered", q, t, NOW) for q, t in ratings]
    total = sum((Decimal(q + t) / 2 for q, t in ratings), Decimal(0))
    average = (total / len(ratings)).quantize(Decimal("0.1"), ROUND_HALF_UP) if ratings else None
    expected = len(ratings) >= DEFAULT_RULE.min_scored and average is not None and average < 60
    assert (suspension_reason(history, NOW) is not None) == expected


def test_old_abandonments_no_longer_count() -> None:
    old = datetime(2025, 6, 1, tzinfo=SHANGHAI)
    history = [Assessed("abandoned", None, None, old), Assessed("abandoned", None, None, NOW)]
    assert suspension_reason(history, NOW) is None
