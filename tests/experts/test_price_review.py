"""Prices as the law sets them, through the HTTP API on PostgreSQL (实施条例 arts. 27, 51, 52): the
ceiling price is filed (never above the budget) and published, the 标底 stays secret until the
opening reads it out; at evaluation a bid above the ceiling is rejected with its reason, a bid
under the below-cost line gets a written clarification request, its bidder answers once, the
committee decides, and the report keeps all of it."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.clock import FrozenClock
from tests.conftest import World
from tests.evaluations import TEMPLATE, drawn_committee, seated_committee
from tests.filings import complete_draft, open_desk

CEILING, REFERENCE = "8800000.00", "8500000.00"
# above the ceiling; two ordinary; one under 85 % of the mean of the three within the ceiling
PRICES = ["9000000.00", "8100000.00", "8300000.00", "5000000.00"]


async def test_a_ceiling_above_the_budget_or_not_positive_is_refused_naming_the_field(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    desk = await open_desk(client, world, clock)
    for changes, bad in (
        ({"ceiling_price": "13000000.00"}, {"ceiling_price"}),  # the budget is 12,500,000.00
        ({"ceiling_price": "0"}, {"ceiling_price"}),
        ({"ceiling_price": "-1", "reference_price": "12500000.01"}, {"ceiling_price", "reference_price"}),
    ):
        refused = await client.post(
            "/api/v1/filings", json=complete_draft(clock.now(), desk.tenderee, **changes), headers=desk.agency_headers
        )
        assert refused.status_code == 422, refused.text
        assert {p["name"] for p in refused.json()["invalid-params"]} == bad
    listed = await client.get("/api/v1/filings", headers=desk.agency_headers)
    assert listed.json()["total"] == 0  # nothing half-written


async def test_ceiling_and_below_cost_prices_are_decided_by_the_committee_with_the_bidders_answer(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world, prices=PRICES, ceiling_price=CEILING, reference_price=REFERENCE)
    above, first, second, low = scene.bidders
    desk = scene.tender.desk

    # Published: the ceiling for everyone, the 标底 for nobody before the opening.
    seen = (await client.get(scene.url, headers=first.headers)).json()
    assert seen["ceiling_price"] == CEILING and "reference_price" not in seen
    assert REFERENCE not in (await client.get(scene.url, headers=first.headers)).text

    # The opening reads both out; the evaluation opens a request to the low bidder only.
    heads = await seated_committee(scene, clock)
    record = (await client.get(f"{scene.url}/opening", headers=first.headers)).json()["record"]
    assert (record["ceiling_price"], record["reference_price"]) == (CEILING, REFERENCE)
    [request] = (await client.get(f"{scene.url}/price-clarifications", headers=low.headers)).json()
    assert request["price"] == "5000000.00" and "below 85% of the mean of the bids" in request["suspected"]
    assert (await client.get(f"{scene.url}/price-clarifications", headers=first.headers)).json() == []

    # Every member scores; the report cannot be signed before the committee decides the price.
    members = list(heads)
    bids = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()["bids"]
    bid_of = {b["uscc"]: b["bid"] for b in bids}
    sheet = {b["bid"]: {"t1": "30", "b1": "8", "q": True} for b in bids}
    for name in members:
        saved = await client.put(
            f"{scene.url}/evaluation/scores", json={"scores": sheet, "submit": True}, headers=heads[name]
        )
        assert saved.status_code == 200, saved.text
    view = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()
    assert any("suspected below cost" in b for b in view["blockers"])
    early = await client.post(
        f"{scene.url}/evaluation/signatures", json={"decision": "sign"}, headers=heads[members[0]]
    )
    assert early.status_code == 409, early.text

    # The bidder answers once, in writing; a rival cannot answer for it.
    answer_url = f"{scene.url}/price-clarifications/{request['id']}/answer"
    rival = await client.post(answer_url, json={"answer": "我方成本更低"}, headers=first.headers)
    assert rival.status_code == 404
    explanation = "自有设备，无租赁费用，详见成本分析表"
    answered = await client.post(answer_url, json={"answer": explanation}, headers=low.headers)
    assert answered.status_code == 200 and answered.json()["answer"].startswith("自有设备"), answered.text
    again = await client.post(answer_url, json={"answer": "补充：再降价"}, headers=low.headers)
    assert again.status_code == 409

    # The committee decides; a bad decision is refused naming every bad field.
    decisions = f"{scene.url}/evaluation/price-decisions"
    bad = await client.post(
        decisions, json={"bid": bid_of[low.org.uscc], "decision": "maybe", "reason": ""}, headers=heads[members[0]]
    )
    assert bad.status_code == 422 and {p["name"] for p in bad.json()["invalid-params"]} == {"decision", "reason"}
    outsider = await client.post(
        decisions, json={"bid": bid_of[low.org.uscc], "decision": "reject", "reason": "x"}, headers=low.headers
    )
    assert outsider.status_code == 403
    decided = await client.post(
        decisions,
        json={"bid": bid_of[low.org.uscc], "decision": "reject", "reason": "说明不能证明报价不低于成本"},
        headers=heads[members[1]],
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "reject", decided.text

    result = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()["result"]
    assert result["excluded"][bid_of[above.org.uscc]].startswith("above_ceiling: the price 9000000.00 exceeds")
    assert result["excluded"][bid_of[low.org.uscc]] == "below_cost: 说明不能证明报价不低于成本"
    assert result["candidates"] == [bid_of[first.org.uscc], bid_of[second.org.uscc]]
    for name in members:
        signed = await client.post(f"{scene.url}/evaluation/signatures", json={"decision": "sign"}, headers=heads[name])
        assert signed.status_code == 200, signed.text
    report = (await client.get(f"{scene.url}/evaluation", headers=desk.agency_headers)).json()["report"]
    [kept] = report["price_clarifications"]
    assert (kept["answer"], kept["decision"]) == (explanation, "reject")
    assert report["ceiling_price"] == CEILING
    late = await client.post(answer_url, json={"answer": "迟到的说明"}, headers=low.headers)
    assert late.status_code == 409


async def test_the_lowest_evaluated_price_ranks_by_evaluated_price_not_the_declared_one(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    template = {
        "method": "lowest_price",
        "items": [{"id": "q", "kind": "pass_fail"}, {"id": "warranty", "kind": "price_adjustment", "max": "500000"}],
    }
    prices = ["8000000.00", "8100000.00", "8300000.00"]
    scene = await drawn_committee(
        client, world, prices=prices, template=template, evaluation_method="lowest_evaluated_price"
    )
    cheapest, second, _third = scene.bidders
    heads = await seated_committee(scene, clock)
    bids = (await client.get(f"{scene.url}/evaluation", headers=scene.tender.desk.officer_headers)).json()["bids"]
    bid_of = {b["uscc"]: b["bid"] for b in bids}
    # the cheapest declared price offers a short warranty: the committee adds 300,000 yuan to it
    adjustment = {bid_of[cheapest.org.uscc]: "300000"}
    sheet = {b["bid"]: {"q": True, "warranty": adjustment.get(b["bid"], "0")} for b in bids}
    for name in heads:
        saved = await client.put(
            f"{scene.url}/evaluation/scores", json={"scores": sheet, "submit": True}, headers=heads[name]
        )
        assert saved.status_code == 200, saved.text
    result = (await client.get(f"{scene.url}/evaluation", headers=scene.tender.desk.officer_headers)).json()["result"]
    assert result["evaluated_prices"][bid_of[cheapest.org.uscc]] == "8300000.00"
    assert result["ranking"][0] == bid_of[second.org.uscc]  # 8,100,000 evaluated beats 8,300,000
    assert TEMPLATE["method"] == "comprehensive"  # the shared template is untouched
