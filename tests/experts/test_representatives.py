"""The purchaser's (tenderee's) representative on the committee, through the HTTP API on
PostgreSQL: at most a third of the seats (the experts at least two thirds: Tendering Law art. 37;
财政部令第87号 art. 47), named by the agency from the tenderee's logins after the draw; the
representative declares, scores and signs like the experts, is never the chair the committee
elects, and is not rated as a pool expert."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from app.core.clock import FrozenClock
from tests.conftest import World, login
from tests.evaluations import drawn_committee, scored_and_signed, started_evaluation

FOUR_EXPERTS = [
    {"specialty": "construction.civil", "members": 3, "reserves": 2},
    {"specialty": "economics.cost", "members": 1, "reserves": 1},
]


async def test_a_representative_sits_scores_and_signs_but_never_chairs(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(
        client,
        world,
        project_type="government_procurement",
        budget="9500000.00",
        draw_before_opening=timedelta(hours=3),
        template={
            "method": "comprehensive",
            "category": "services",
            "price": {"formula": "low_price_first", "full": "30"},
            "items": [
                {"id": "t1", "max": "40", "group": "technical", "kind": "subjective"},
                {"id": "b1", "max": "10", "group": "business", "kind": "objective"},
            ],
        },
        quotas=FOUR_EXPERTS,
        representatives=1,
    )
    desk = scene.tender.desk
    # Two representatives of five would leave the experts under two thirds.
    detail = (await client.get(f"{scene.url}/draw", headers=desk.agency_headers)).json()
    assert detail["committee_size"] == 5 and detail["representatives"] == 1
    too_many = await client.put(
        f"{scene.url}/draw",
        json={
            "draw_at": (clock.now() + timedelta(hours=1)).isoformat(),
            "evaluation_on": detail["evaluation_on"],
            "quotas": [{"specialty": "construction.civil", "members": 3, "reserves": 1}],
            "representatives": 2,
        },
        headers=desk.agency_headers,
    )
    assert too_many.status_code == 422
    assert "representatives" in {p["name"] for p in too_many.json()["invalid-params"]}

    # The agency names a login of the tenderee with the expert role; nobody else, and only one.
    url = f"{scene.url}/committee/representatives"
    representative = await world.user(Role.expert, desk.tenderee, username="rep.purchaser")
    outsider = await world.user(Role.expert, scene.bidders[0].org, username="rep.bidder")
    by_bidder = await client.post(url, json={"username": "rep.purchaser"}, headers=scene.bidders[1].headers)
    assert by_bidder.status_code == 403
    wrong = await client.post(url, json={"username": outsider.username}, headers=desk.agency_headers)
    assert wrong.status_code == 422 and wrong.json()["invalid-params"][0]["name"] == "username"
    named = await client.post(url, json={"username": representative.username}, headers=desk.agency_headers)
    assert named.status_code == 201, named.text
    assert named.json()["representative"] is True and named.json()["expert"] is None
    second = await world.user(Role.expert, desk.tenderee, username="rep.second")
    full = await client.post(url, json={"username": second.username}, headers=desk.agency_headers)
    assert full.status_code == 409 and "seat(s) are taken" in full.json()["detail"]

    # The opening, the evaluation: everyone declares, the representative too.
    await started_evaluation(scene, clock)
    seats = [s for s in await scene.committee() if s["status"] == "drawn"]
    assert len(seats) == 5 and [s["representative"] for s in seats].count(True) == 1
    rep_headers = await login(client, representative.username)
    heads = {s["seat"]: rep_headers if s["representative"] else await scene.headers_of(s["name"]) for s in seats}
    for headers in heads.values():
        declared = await client.post(f"{scene.url}/evaluation/declaration", json={"conflict": False}, headers=headers)
        assert declared.json()["status"] == "seated", declared.text
    rep_seat = next(s["seat"] for s in seats if s["representative"])
    expert_seat = next(s["seat"] for s in seats if not s["representative"])

    # The committee elects its chair from the experts; the representative cannot chair it.
    chair_url = f"{scene.url}/evaluation/chair"
    refused = await client.post(chair_url, json={"seat": rep_seat}, headers=rep_headers)
    assert refused.status_code == 422 and refused.json()["invalid-params"][0]["code"] == "representative"
    elected = await client.post(chair_url, json={"seat": expert_seat}, headers=rep_headers)
    assert elected.status_code == 200, elected.text

    bids = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()["bids"]
    sheet = {b["bid"]: {"t1": "30", "b1": "8"} for b in bids}
    assert (await scored_and_signed(scene, list(heads.values()), sheet))["tender_status"] == "candidates"
    report = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()["report"]
    [rep_member] = [m for m in report["members"] if m["representative"]]
    assert rep_member["name"] == representative.display_name
    assert report["chair"] == next(m["name"] for m in report["members"] if m["seat"] == expert_seat)
    assert len(report["signatures"]) == 5

    # The assessment rates pool experts, not the purchaser's representative.
    rated = await client.post(
        f"{scene.url}/evaluation/ratings", json={"seat": rep_seat, "score": 90}, headers=desk.agency_headers
    )
    assert rated.status_code == 409 and "not a pool expert" in rated.json()["detail"]
