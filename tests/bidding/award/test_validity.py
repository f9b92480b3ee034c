"""Bid validity (实施条例 art. 25) through the HTTP API on PostgreSQL: the tender states the period
and its end is counted from the bid deadline as the law counts days; the scheduler reminds the
agency once when fewer than 30 working days remain; the agency asks the bidders to extend and
each answers for itself; after the validity the tenderee cannot choose a candidate whose bid
lapsed, and the next valid one is the first in rank order."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.clock import FrozenClock
from tests.bidding.award.test_award_api import PRICES, award_of, notices, step
from tests.conftest import World
from tests.evaluations import drawn_committee, signed_report

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def test_bidders_extend_their_validity_one_by_one_and_a_lapsed_bid_is_passed_over(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world, prices=PRICES)
    await signed_report(scene, clock)
    desk = scene.tender.desk
    first, second, third, _fourth = scene.bidders
    url = f"{scene.url}/validity"

    # 90 days from the bid deadline, counted as the 民法典 counts them.
    tender = (await client.get(scene.url, headers=first.headers)).json()
    assert tender["bid_validity_days"] == 90
    deadline = datetime.fromisoformat(tender["bid_deadline"]).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    expected = (await client.get("/api/v1/calendar/period", params={"from": deadline, "days": 90})).json()
    validity = (await client.get(url, headers=first.headers)).json()
    ends_at = datetime.fromisoformat(validity["ends_at"])
    assert ends_at == datetime.fromisoformat(expected["ends_at"]) and validity["extensions"] == []

    # Reminded once, when fewer than 30 working days remain and nothing is awarded.
    assert await step(world, "validity-reminder") == 0
    clock.set(ends_at - timedelta(days=20))
    assert await step(world, "validity-reminder") == 1
    assert await step(world, "validity-reminder") == 0
    assert "validity_expiring" in await notices(client, desk.agency_headers)

    # The agency asks; every bad field named at once; bidders do not ask.
    extensions = f"{url}/extensions"
    bad = await client.post(
        extensions, json={"until": expected["last_day"], "reason": " "}, headers=desk.agency_headers
    )
    assert bad.status_code == 422, bad.text
    assert {p["name"] for p in bad.json()["invalid-params"]} == {"until", "reason"}
    by_bidder = await client.post(extensions, json={"until": "2027-12-31", "reason": "x"}, headers=first.headers)
    assert by_bidder.status_code == 403
    later = (ends_at + timedelta(days=30)).astimezone(SHANGHAI).date().isoformat()
    asked = await client.post(
        extensions, json={"until": later, "reason": "投诉处理中，无法按期定标"}, headers=desk.agency_headers
    )
    assert asked.status_code == 201, asked.text
    [extension] = asked.json()["extensions"]
    assert "validity_extension" in await notices(client, second.headers)

    # Each bidder answers for itself, once; a rival sees only its own answer.
    answer_url = f"{extensions}/{extension['id']}/answer"
    refused = await client.post(answer_url, json={"consent": False}, headers=first.headers)
    assert refused.status_code == 200, refused.text
    again = await client.post(answer_url, json={"consent": True}, headers=first.headers)
    assert again.status_code == 409
    consented = await client.post(answer_url, json={"consent": True}, headers=second.headers)
    assert consented.json()["extensions"][0]["answers"] == {second.org.uscc: True}
    assert consented.json()["own_valid_until"] > validity["ends_at"]
    officer = (await client.get(url, headers=desk.officer_headers)).json()
    assert officer["extensions"][0]["answers"] == {first.org.uscc: False, second.org.uscc: True}

    # The publicity ends after the validity: the first candidate's bid has lapsed, the second is awarded.
    published = await client.post(f"{scene.url}/award/publicity", headers=desk.agency_headers)
    assert published.status_code == 200, published.text
    clock.set(max(ends_at, datetime.fromisoformat(published.json()["publicity"]["ends_at"])) + timedelta(seconds=1))
    too_late = await client.post(answer_url, json={"consent": True}, headers=third.headers)
    assert too_late.status_code == 409 and "ended" in too_late.json()["detail"]
    candidates = published.json()["publicity"]["candidates"]
    decision_url = f"{scene.url}/award/decision"
    lapsed = await client.post(decision_url, json={"bid": candidates[0]["bid"]}, headers=desk.agency_headers)
    assert lapsed.status_code == 422 and lapsed.json()["invalid-params"][0]["code"] == "validity_lapsed"
    # state-funded: the first candidate whose bid is still valid, in rank order
    decided = await client.post(decision_url, json={"bid": candidates[1]["bid"]}, headers=desk.agency_headers)
    assert decided.status_code == 200, decided.text
    awarded = await award_of(scene, desk.agency_headers)
    assert [(a["bidder_uscc"], a["candidate_rank"]) for a in awarded["awards"]] == [(second.org.uscc, 2)]
