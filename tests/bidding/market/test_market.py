"""The intermediary supermarket: eligibility with reasons, registration, too few registrants,
and the live auction through the API: rules, anonymity, anti-sniping, close, award, savings,
and concurrent bids at one price."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.models import AuditEvent
from app.identity.models import OrgKind
from bidding.market.models import AuctionBid, Suspension
from tests.conftest import SHANGHAI, World, login
from tests.steps import run_step

SURVEYING = "测绘资质"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


REQUEST = {
    "project_name": "江城市第三中学教学楼地形测绘",
    "category": "SURVEY",
    "ceiling": "300000.00",
    "floor": "100000.00",
    "registration_closes": at("2026-12-01T09:00").isoformat(),
    "bidding_starts": at("2026-12-01T09:30").isoformat(),
    "bidding_ends": at("2026-12-01T10:00").isoformat(),
    "max_end": at("2026-12-01T10:20").isoformat(),
    "decrement_amount": "1000.00",
}


async def intermediary(
    client: AsyncTestClient[Litestar], world: World, expires: str | None = "2028-12-31"
) -> tuple[Any, dict[str, str]]:
    org = await world.org(OrgKind.intermediary)
    user = await world.user(Role.intermediary, org)
    headers = await login(client, user.username)
    offered = await client.post("/api/v1/intermediaries/services", json={"categories": ["SURVEY"]}, headers=headers)
    assert offered.status_code == 200, offered.text
    if expires:
        body = {"certificate_type": SURVEYING, "grade": "甲级", "number": f"GZ-{org.uscc[-6:]}", "expires_on": expires}
        assert (
            await client.post("/api/v1/intermediaries/qualifications", json=body, headers=headers)
        ).status_code == 201
    return org, headers


async def post_request(client: AsyncTestClient[Litestar], world: World, **changes: Any) -> tuple[str, dict[str, str]]:
    owner = await world.user(Role.agency, await world.org(OrgKind.tenderee))
    headers = await login(client, owner.username)
    body = REQUEST | changes
    response = await client.post("/api/v1/service-requests", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"]), headers


async def test_eligibility_is_explained_and_enforced(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, _ = await post_request(client, world)
    _none, no_qualification = await intermediary(client, world, expires=None)
    _old, expired = await intermediary(client, world, expires="2026-06-30")
    banned, suspended = await intermediary(client, world)
    async with world.sessions() as session:
        session.add(Suspension(org_uscc=banned.uscc, reason="连续两次中选后放弃", since=clock.now()))
        await session.commit()
    expectations = [
        (no_qualification, f"no {SURVEYING} registered"),
        (expired, f"{SURVEYING} expired on 2026-06-30"),
        (suspended, "suspended: 连续两次中选后放弃"),
    ]
    for headers, reason in expectations:
        eligibility = (await client.get("/api/v1/intermediaries/eligibility?category=SURVEY", headers=headers)).json()
        assert eligibility["eligible"] is False and eligibility["reasons"] == [reason]
        refused = await client.post(f"/api/v1/service-requests/{request_id}/registrations", headers=headers)
        assert refused.status_code == 422 and refused.json()["reasons"] == [reason]


async def test_a_request_may_ask_for_a_grade_and_categories_must_be_offered(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    request_id, _ = await post_request(client, world, required_grade="甲级")
    graded, graded_headers = await intermediary(client, world)
    assert (
        await client.post(f"/api/v1/service-requests/{request_id}/registrations", headers=graded_headers)
    ).status_code == 201
    _lower, lower = await intermediary(client, world, expires=None)
    body = {"certificate_type": SURVEYING, "grade": "乙级", "number": "GZ-2", "expires_on": "2028-12-31"}
    await client.post("/api/v1/intermediaries/qualifications", json=body, headers=lower)
    refused = await client.post(f"/api/v1/service-requests/{request_id}/registrations", headers=lower)
    assert refused.json()["reasons"] == [f"no {SURVEYING} (甲级) registered"]
    await client.post("/api/v1/intermediaries/services", json={"categories": ["EIA"]}, headers=graded_headers)
    eligibility = (
        await client.get("/api/v1/intermediaries/eligibility?category=SURVEY", headers=graded_headers)
    ).json()
    assert eligibility["reasons"] == ["does not offer 测绘 (SURVEY) in the supermarket"]
    unknown = await client.post(
        "/api/v1/intermediaries/services", json={"categories": ["COFFEE"]}, headers=graded_headers
    )
    assert unknown.status_code == 422 and graded.uscc


async def test_too_few_eligible_registrants_fail_the_request(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, owner = await post_request(client, world)
    for _ in range(2):
        _org, headers = await intermediary(client, world)
        assert (
            await client.post(f"/api/v1/service-requests/{request_id}/registrations", headers=headers)
        ).status_code == 201
    clock.set(at("2026-12-01T09:30"))
    assert (await client.get(f"/api/v1/service-requests/{request_id}/auction", headers=owner)).status_code == 404
    assert (await client.get(f"/api/v1/service-requests/{request_id}", headers=owner)).json()["status"] == "failed"


async def registered(
    client: AsyncTestClient[Litestar], world: World, request_id: str, count: int
) -> list[tuple[Any, dict[str, str]]]:
    bidders = []
    for _ in range(count):
        org, headers = await intermediary(client, world)
        assert (
            await client.post(f"/api/v1/service-requests/{request_id}/registrations", headers=headers)
        ).status_code == 201
        bidders.append((org, headers))
    return bidders


async def test_a_continuous_auction_from_the_first_bid_to_the_award(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, owner = await post_request(client, world)
    (a, a_headers), (_b, b_headers), (c, c_headers) = await registered(client, world, request_id, 3)
    bid = f"/api/v1/service-requests/{request_id}/auction/bids"
    early = await client.post(bid, json={"price": "290000.00"}, headers=a_headers)
    assert early.status_code == 409  # registration still open: no auction yet
    clock.set(at("2026-12-01T09:31"))
    first = await client.post(bid, json={"price": "290000.00"}, headers=a_headers)
    assert first.status_code == 200, first.text
    assert first.json()["rank"] == 1 and first.json()["seconds_left"] == 29 * 60
    refused = await client.post(bid, json={"price": "289500.00"}, headers=b_headers)
    assert refused.status_code == 422 and refused.json()["code"] == "not_low_enough"
    assert "bid at most 289000.00" in refused.json()["detail"] and refused.json()["server_time"]
    assert (await client.post(bid, json={"price": "280000.00"}, headers=b_headers)).json()["rank"] == 1

    view = (await client.get(f"/api/v1/service-requests/{request_id}/auction", headers=c_headers)).json()
    assert [(s["bidder"], s["price"]) for s in view["standings"][:2]] == [("B", "280000.00"), ("A", "290000.00")]
    assert view["you"] == "C" and a.uscc not in str(view)  # prices and ranks, not who
    clock.set(at("2026-12-01T09:59"))  # the last two minutes: a bid extends the end
    late = (await client.post(bid, json={"price": "250000.00"}, headers=c_headers)).json()
    assert late["extended"] and datetime.fromisoformat(late["ends_at"]) == at("2026-12-01T10:04")

    clock.set(at("2026-12-01T10:04"))
    assert (await client.post(bid, json={"price": "240000.00"}, headers=a_headers)).json()["code"] == "closed"
    async with world.sessions() as session:
        assert await run_step(session, clock, "auction-close", world.settings, world.sessions) == 1
    async with world.sessions() as session:
        assert await run_step(session, clock, "auction-close", world.settings, world.sessions) == 0  # idempotent
    result = (await client.get(f"/api/v1/service-requests/{request_id}/auction", headers=owner)).json()
    assert (result["winner"], result["award_price"], result["savings"]) == (c.uscc, "250000.00", "50000.00")
    assert result["standings"][0]["bidder"] == c.uscc  # names are shown after the close
    assert (await client.get(f"/api/v1/service-requests/{request_id}", headers=owner)).json()["status"] == "awarded"


async def test_concurrent_bids_at_one_price_make_one_best(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, _owner = await post_request(client, world)
    bidders = await registered(client, world, request_id, 4)
    clock.set(at("2026-12-01T09:40"))
    bid = f"/api/v1/service-requests/{request_id}/auction/bids"
    answers = await asyncio.gather(*(client.post(bid, json={"price": "290000.00"}, headers=h) for _org, h in bidders))
    assert sorted(r.status_code for r in answers) == [200, 422, 422, 422]
    assert all(r.json()["code"] == "not_low_enough" for r in answers if r.status_code == 422)
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuctionBid)) == 4  # every bid kept
        assert await session.scalar(select(func.count()).where(AuctionBid.accepted.is_(True))) == 1
        audited = select(func.count()).where(
            AuditEvent.object_id == request_id, AuditEvent.action.in_(["auction.bid", "auction.bid_rejected"])
        )
        assert await session.scalar(audited) == 4  # every bid received is in the audit trail


async def test_a_request_with_bad_terms_names_every_problem(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    owner = await world.user(Role.agency, await world.org(OrgKind.tenderee))
    headers = await login(client, owner.username)
    body = {
        "project_name": "x",
        "category": "NOPE",
        "ceiling": "100.00",
        "floor": "200.00",
        "registration_closes": at("2026-12-01T09:00").isoformat(),
        "bidding_starts": at("2026-11-01T09:30").isoformat(),
        "bidding_ends": at("2026-12-01T10:00").isoformat(),
    }
    response = await client.post("/api/v1/service-requests", json=body, headers=headers)
    assert response.status_code == 422
    assert {item["name"] for item in response.json()["invalid-params"]} == {
        "category",
        "floor",
        "bidding_starts",
        "decrement_amount",
    }


async def test_a_rounds_auction_through_the_api(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, owner = await post_request(client, world, mode="rounds", rounds=2, turn_seconds=60, pause_seconds=30)
    bidders = await registered(client, world, request_id, 3)
    clock.set(at("2026-12-01T09:30"))
    view = (await client.get(f"/api/v1/service-requests/{request_id}/auction", headers=owner)).json()
    assert view["ends_at"] == at("2026-12-01T09:37").astimezone().isoformat().replace(
        "+00:00", "Z"
    )  # 2 × (3 × 60 s + 30 s)
    first_turn = view["current_turn"]
    assert first_turn == "C"  # all at the ceiling: the latest registered bids first, the leader last
    bid = f"/api/v1/service-requests/{request_id}/auction/bids"
    labels = {"A": bidders[0][1], "B": bidders[1][1], "C": bidders[2][1]}
    not_yours = await client.post(bid, json={"price": "290000.00"}, headers=labels["A"])
    assert not_yours.status_code == 422 and not_yours.json()["code"] == "not_your_turn"
    assert (await client.post(bid, json={"price": "290000.00"}, headers=labels["C"])).status_code == 200
    async with world.sessions() as session:
        assert await run_step(session, clock, "auction-turn", world.settings, world.sessions) == 1
        assert (
            await run_step(session, clock, "auction-turn", world.settings, world.sessions) == 0
        )  # each turn announced once
    clock.set(at("2026-12-01T09:31"))
    assert (await client.get(f"/api/v1/service-requests/{request_id}/auction", headers=owner)).json()[
        "current_turn"
    ] == "B"
    clock.set(at("2026-12-01T09:37"))
    async with world.sessions() as session:
        assert await run_step(session, clock, "auction-close", world.settings, world.sessions) == 1
    result = (await client.get(f"/api/v1/service-requests/{request_id}/result", headers=owner)).json()
    assert (result["winner"], result["award_price"]) == (bidders[2][0].uscc, "290000.00")


async def test_an_abolished_qualification_is_never_an_entry_condition(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    """工程造价咨询企业资质 (国发〔2021〕7号) and 环评资质 (2018) are gone: an intermediary holding
    nothing is eligible, and a request cannot ask for a grade of them (实施条例 art. 32)."""
    _org, headers = await intermediary(client, world, expires=None)
    await client.post("/api/v1/intermediaries/services", json={"categories": ["COST", "EIA"]}, headers=headers)
    url = "/api/v1/intermediaries/eligibility"
    for category in ("COST", "EIA"):
        answer = await client.get(url, params={"category": category}, headers=headers)
        assert answer.json() == {"category": category, "eligible": True, "reasons": []}
    listed = (await client.get("/api/v1/service-categories", headers=headers)).json()
    qualification = {c["code"]: c["qualification"] for c in listed}
    assert (qualification["COST"], qualification["EIA"], qualification["SURVEY"]) == (None, None, "测绘资质")
    owner = await login(client, (await world.user(Role.agency, await world.org(OrgKind.tenderee))).username)
    body = {
        "project_name": "江城市第三中学教学楼全过程造价咨询",
        "category": "COST",
        "ceiling": "300000.00",
        "registration_closes": at("2026-12-01T09:00").isoformat(),
        "bidding_starts": at("2026-12-01T09:30").isoformat(),
        "bidding_ends": at("2026-12-01T10:00").isoformat(),
        "decrement_amount": "1000.00",
        "required_grade": "甲级",
    }
    refused = await client.post("/api/v1/service-requests", json=body, headers=owner)
    assert refused.status_code == 422, refused.text
    assert [p["name"] for p in refused.json()["invalid-params"]] == ["required_grade"]
