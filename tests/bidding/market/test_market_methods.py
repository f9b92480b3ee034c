"""The other ways to select an intermediary: sealed one-shot quotes, a verifiable random draw,
direct selection with a justification, and posting a failed request again."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.identity.models import OrgKind
from bidding.market.draw import verify
from tests.bidding.market.test_market import at, intermediary, post_request, registered
from tests.conftest import World, login
from tests.steps import run_step


async def test_sealed_quotes_open_at_the_end_and_the_lowest_wins(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, owner = await post_request(client, world, method="sealed_quotes", decrement_amount=None)
    (a, a_h), (b, b_h), (c, c_h) = await registered(client, world, request_id, 3)
    quotes = f"/api/v1/service-requests/{request_id}/quotes"
    assert (await client.post(quotes, json={"price": "200000.00"}, headers=a_h)).status_code == 409  # window not open
    clock.set(at("2026-12-01T09:35"))
    assert (await client.post(quotes, json={"price": "310000.00"}, headers=a_h)).json()["invalid-params"][0][
        "code"
    ] == "above_ceiling"
    assert (await client.post(quotes, json={"price": "210000.00"}, headers=a_h)).status_code == 201
    assert (await client.post(quotes, json={"price": "200000.00"}, headers=a_h)).status_code == 409  # one shot
    clock.advance(timedelta(minutes=1))
    assert (await client.post(quotes, json={"price": "180000.00"}, headers=b_h)).status_code == 201
    clock.advance(timedelta(minutes=1))
    assert (await client.post(quotes, json={"price": "180000.00"}, headers=c_h)).status_code == 201  # a tie, later
    before = (await client.get(f"/api/v1/service-requests/{request_id}/result", headers=owner)).json()
    assert before["winner"] is None and before["award_price"] is None  # sealed until the end
    clock.set(at("2026-12-01T10:00"))
    async with world.sessions() as session:
        assert await run_step(session, clock, "auction-close", world.settings, world.sessions) == 1
    after = (await client.get(f"/api/v1/service-requests/{request_id}/result", headers=owner)).json()
    assert (after["winner"], after["award_price"], after["savings"]) == (b.uscc, "180000.00", "120000.00")
    assert after["savings_rate"] == "0.4000"
    assert a.uscc != c.uscc


async def test_a_random_draw_is_committed_before_and_verifiable_after(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, owner = await post_request(client, world, method="random_draw", decrement_amount=None)
    posted = (await client.get(f"/api/v1/service-requests/{request_id}", headers=owner)).json()
    commitment = posted["draw_commitment"]
    assert len(commitment) == 64 and "draw_seed" not in posted
    early = (await client.get(f"/api/v1/service-requests/{request_id}/result", headers=owner)).json()
    assert early["draw"] == {"commitment": commitment}  # the seed stays hidden until the draw
    bidders = await registered(client, world, request_id, 4)
    clock.set(at("2026-12-01T09:00"))
    result = (await client.get(f"/api/v1/service-requests/{request_id}/result", headers=owner)).json()
    assert result["status"] == "awarded" and result["award_price"] == "300000.00"
    drawn = result["draw"]
    assert sorted(drawn["candidates"]) == sorted(org.uscc for org, _ in bidders)
    assert verify(drawn["seed"], commitment, drawn["candidates"], result["winner"])


async def test_direct_selection_needs_an_eligible_intermediary_and_a_justification(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    request_id, owner = await post_request(client, world, method="direct", decrement_amount=None)
    chosen, _ = await intermediary(client, world)
    unqualified, _ = await intermediary(client, world, expires=None)
    path = f"/api/v1/service-requests/{request_id}/direct-selection"
    short = await client.post(
        path, json={"org_uscc": chosen.uscc, "price": "280000.00", "justification": "熟悉"}, headers=owner
    )
    assert short.status_code == 422 and short.json()["invalid-params"][0]["name"] == "justification"
    why = "该项目涉及保密工程，须由已承担前期造价咨询的机构继续服务。"
    refused = await client.post(
        path, json={"org_uscc": unqualified.uscc, "price": "280000.00", "justification": why}, headers=owner
    )
    assert refused.status_code == 422 and refused.json()["type"].endswith("/not-eligible")
    stranger = await world.user(Role.agency, await world.org(OrgKind.tenderee))
    other = await client.post(
        path,
        json={"org_uscc": chosen.uscc, "price": "280000.00", "justification": why},
        headers=await login(client, stranger.username),
    )
    assert other.status_code == 404
    done = await client.post(
        path, json={"org_uscc": chosen.uscc, "price": "280000.00", "justification": why}, headers=owner
    )
    assert done.status_code == 200 and (done.json()["winner"], done.json()["savings"]) == (chosen.uscc, "20000.00")
    officer = await world.user(Role.supervisor)
    seen = (
        await client.get(f"/api/v1/service-requests/{request_id}", headers=await login(client, officer.username))
    ).json()
    assert seen["justification"] == why and seen["status"] == "awarded"


async def test_a_failed_request_is_posted_again_with_new_windows(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, owner = await post_request(client, world)
    path = f"/api/v1/service-requests/{request_id}/repost"
    windows = {
        "registration_closes": at("2026-12-08T09:00").isoformat(),
        "bidding_starts": at("2026-12-08T09:30").isoformat(),
        "bidding_ends": at("2026-12-08T10:00").isoformat(),
    }
    assert (await client.post(path, json=windows, headers=owner)).status_code == 409  # not failed (yet)
    clock.set(at("2026-12-01T09:30"))
    await client.get(f"/api/v1/service-requests/{request_id}/result", headers=owner)  # nobody registered: 流标
    again = await client.post(path, json=windows, headers=owner)
    assert again.status_code == 201, again.text
    assert again.json()["reposted_from"] == request_id and again.json()["status"] == "registering"
    assert again.json()["ceiling"] == "300000.00"
