"""竞争性磋商 (competitive consultation, 财库〔2014〕214号) through the HTTP API on PostgreSQL: a GP
method only, 10 days from the documents to the responses, a panel of 3; after the opening the
panel consults in rounds, its changed terms valid once the purchaser confirms them in writing and
then told to every supplier still in, excluded suppliers told why; the final quotes sealed until
the panel's deadline; at least 3 finalists (2 in a listed case) go on to scoring at their final
quotes within the consultation's price weights, fewer fail the procurement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.clock import FrozenClock
from tests.bidding.award.test_award_api import award_of, notices
from tests.conftest import World
from tests.evaluations import Scene, drawn_committee, scored_and_signed, seated_committee
from tests.filings import open_desk

PRICES = ["820000.00", "790000.00", "860000.00", "900000.00"]
PANEL = [
    {"specialty": "construction.civil", "members": 2, "reserves": 2},
    {"specialty": "economics.cost", "members": 1, "reserves": 1},
]
# services: the price weight 20 / (40 + 10 + 20) = 28.57 %, within 10-30 %
CONSULTATION_TEMPLATE = {
    "method": "comprehensive",
    "category": "services",
    "aggregation": "mean",
    "price": {"formula": "low_price_first", "full": "20"},
    "items": [
        {"id": "t1", "max": "40", "group": "technical", "kind": "subjective"},
        {"id": "b1", "max": "10", "group": "business", "kind": "objective"},
        {"id": "q", "kind": "pass_fail"},
    ],
}


async def consulting(client: AsyncTestClient[Litestar], world: World, clock: FrozenClock) -> tuple[Scene, Any]:
    """A GP services consultation with four responses, its panel of 3 seated, the evaluation started."""
    scene = await drawn_committee(
        client,
        world,
        prices=PRICES,
        quotas=PANEL,
        project_type="government_procurement",
        procurement_method="consultation",
        budget="950000.00",
        draw_before_opening=timedelta(hours=3),
        template=CONSULTATION_TEMPLATE,
    )
    heads = await seated_committee(scene, clock)
    return scene, heads


async def quoted_by(scene: Scene, member: dict[str, str], clock: FrozenClock, suppliers: tuple[int, ...]) -> None:
    """The panel calls the final quotes for an hour; the `suppliers` quote; the hour passes."""
    url = f"{scene.url}/consultation"
    until = clock.now() + timedelta(hours=1)
    called = await scene.client.post(f"{url}/final-quotes", json={"until": until.isoformat()}, headers=member)
    assert called.status_code == 200, called.text
    for i in suppliers:
        quoted = await scene.client.put(
            f"{url}/final-quote", json={"price": "700000.00"}, headers=scene.bidders[i].headers
        )
        assert quoted.status_code == 200, quoted.text
    clock.set(until)


async def deficiencies(desk: Any, filing_id: str) -> dict[str, str]:
    """The refused submission's deficiencies: code -> Chinese message."""
    refused = await desk.submit(filing_id)
    assert refused.status_code == 422, refused.text
    return {d["code"]: d["message_zh"] for d in refused.json()["deficiencies"]}


async def test_a_consultation_is_filed_as_gp_with_10_days_and_a_panel_of_3(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    desk = await open_desk(client, world, clock)
    works = await desk.new_filing("construction", procurement_method="consultation", committee_size=3)
    found = await deficiencies(desk, works)
    assert "method_of_other_regime" in found and "committee_size_invalid" not in found
    deadline = clock.now().replace(hour=9, minute=30) + timedelta(days=9)
    short = await desk.new_filing(
        "government_procurement",
        procurement_method="consultation",
        committee_size=2,
        bid_deadline=deadline.isoformat(),
        opening_time=deadline.isoformat(),
    )
    found = await deficiencies(desk, short)
    assert {"bid_period_too_short", "committee_size_invalid"} <= set(found)
    assert "磋商小组应为3人以上单数" in found["committee_size_invalid"]


async def test_a_consultation_through_two_rounds_to_its_award(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene, heads = await consulting(client, world, clock)
    desk, suppliers = scene.tender.desk, scene.bidders
    member = next(iter(heads.values()))
    url = f"{scene.url}/consultation"
    state = (await client.get(url, headers=desk.agency_headers)).json()
    assert state["status"] == "consulting" and len(state["remaining"]) == 4
    evaluation = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()
    assert evaluation["status"] == "consulting"
    bid_of = {b["uscc"]: b["bid"] for b in evaluation["bids"]}
    early = await client.put(f"{scene.url}/evaluation/scores", json={"scores": {}, "submit": False}, headers=member)
    assert early.status_code == 409 and "consultation closes" in early.json()["detail"]

    # Round 1: the panel changes a term and excludes the fourth supplier, with its reason.
    fourth = bid_of[suppliers[3].org.uscc]
    nameless = await client.post(
        f"{url}/rounds",
        json={"changes": "交付期由60日调整为45日", "excluded": [{"bid": fourth, "reason": " "}]},
        headers=member,
    )
    assert nameless.status_code == 422 and nameless.json()["invalid-params"][0]["name"] == "excluded[0].reason"
    first_round = await client.post(
        f"{url}/rounds",
        json={"changes": "交付期由60日调整为45日", "excluded": [{"bid": fourth, "reason": "未提供有效的资质证书"}]},
        headers=member,
    )
    assert first_round.status_code == 201, first_round.text
    assert first_round.json()["number"] == 1 and first_round.json()["confirmation"] is None
    assert "consultation_excluded" in await notices(client, suppliers[3].headers)
    assert "consultation_change" in await notices(client, desk.agency_headers)
    # The consultation's page: the agency confirms for the purchaser, the panel records rounds.
    page_url = f"/console/tenders/{scene.tender.id}/consultation"
    agency_page = (await client.get(page_url, headers=desk.agency_headers)).text
    assert 'id="confirm-round-1"' in agency_page and "待采购人确认" in agency_page
    assert 'id="consultation-round"' in (await client.get(page_url, headers=member)).text
    tender_page = (await client.get(f"/console/tenders/{scene.tender.id}", headers=suppliers[0].headers)).text
    assert f'href="{page_url}"' in tender_page
    # The change is not told, nor are final quotes called, before the purchaser confirms it in writing.
    seen = (await client.get(url, headers=suppliers[0].headers)).json()
    assert seen["rounds"][0]["changes"] is None and seen["in_consultation"] is True
    pending = await client.post(f"{url}/final-quotes", json={"until": clock.now().isoformat()}, headers=member)
    assert pending.status_code in (409, 422)
    pending = await client.post(
        f"{url}/final-quotes", json={"until": (clock.now() + timedelta(hours=2)).isoformat()}, headers=member
    )
    assert pending.status_code == 409 and "confirmation" in pending.json()["detail"]
    by_supplier = await client.post(
        f"{url}/rounds/1/confirmation", json={"confirmed": True, "text": "同意"}, headers=suppliers[0].headers
    )
    assert by_supplier.status_code == 403
    confirmed = await client.post(
        f"{url}/rounds/1/confirmation",
        json={"confirmed": True, "text": "采购人同意将交付期调整为45日（采购人代表签字）"},
        headers=desk.agency_headers,
    )
    assert confirmed.status_code == 200 and confirmed.json()["confirmation"] == "confirmed"
    for supplier in suppliers[:3]:
        assert "consultation_terms_changed" in await notices(client, supplier.headers)
    assert "consultation_terms_changed" not in await notices(client, suppliers[3].headers)
    seen = (await client.get(url, headers=suppliers[0].headers)).json()
    assert seen["rounds"][0]["changes"] == "交付期由60日调整为45日"
    out = (await client.get(url, headers=suppliers[3].headers)).json()
    assert out["in_consultation"] is False and out["excluded"][0]["reason"] == "未提供有效的资质证书"

    # Round 2, no change; then the final quotes, sealed until the panel's time.
    second_round = await client.post(f"{url}/rounds", json={}, headers=member)
    assert second_round.status_code == 201 and second_round.json()["number"] == 2
    until = clock.now() + timedelta(hours=2)
    called = await client.post(f"{url}/final-quotes", json={"until": until.isoformat()}, headers=member)
    assert called.status_code == 200 and called.json()["status"] == "quoting", called.text
    assert (await client.post(f"{url}/rounds", json={}, headers=member)).status_code == 409
    excluded_quote = await client.put(f"{url}/final-quote", json={"price": "1.00"}, headers=suppliers[3].headers)
    assert excluded_quote.status_code == 404
    bad = await client.put(f"{url}/final-quote", json={"price": "-5"}, headers=suppliers[0].headers)
    assert bad.status_code == 422 and bad.json()["invalid-params"][0]["name"] == "price"
    quotes = {0: "780000.00", 1: "760000.00", 2: "800000.00"}
    for i, price in quotes.items():
        quoted = await client.put(f"{url}/final-quote", json={"price": price}, headers=suppliers[i].headers)
        assert quoted.status_code == 200, quoted.text
    supplier_page = (await client.get(page_url, headers=suppliers[0].headers)).text
    assert 'id="final-quote"' in supplier_page and "最后报价已密封提交" in supplier_page
    assert 'id="final-quote"' not in (await client.get(page_url, headers=suppliers[3].headers)).text
    lower = await client.put(f"{url}/final-quote", json={"price": "750000.00"}, headers=suppliers[0].headers)
    assert lower.status_code == 200  # a later quote replaces the earlier
    panel_view = (await client.get(url, headers=member)).json()
    assert len(panel_view["quoted"]) == 3 and panel_view["finalists"] is None
    assert "750000" not in str(panel_view)  # nobody reads a quote before the deadline
    too_early = await client.post(f"{url}/close", json={}, headers=member)
    assert too_early.status_code == 409 and too_early.json()["type"].endswith("/too-early")
    clock.set(until)
    late = await client.put(f"{url}/final-quote", json={"price": "700000.00"}, headers=suppliers[1].headers)
    assert late.status_code == 409 and late.json()["type"].endswith("/period-ended")

    # The close opens the quotes: three finalists, scored at their final quotes.
    closed = await client.post(f"{url}/close", json={}, headers=member)
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.text
    finalists = {f["bid"]: f["price"] for f in closed.json()["finalists"]}
    expected = {bid_of[suppliers[i].org.uscc]: p for i, p in {0: "750000.00", 1: "760000.00", 2: "800000.00"}.items()}
    assert finalists == expected
    evaluation = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()
    assert evaluation["status"] == "scoring" and {b["bid"]: b["price"] for b in evaluation["bids"]} == expected
    assert {b["bid"]: b["response_price"] for b in evaluation["bids"]} == {
        bid_of[suppliers[i].org.uscc]: PRICES[i] for i in range(3)
    }
    sheet = {bid: {"t1": "30", "b1": "8", "q": True} for bid in expected}
    assert (await scored_and_signed(scene, list(heads.values()), sheet))["tender_status"] == "candidates"
    report = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()["report"]
    winner = bid_of[suppliers[0].org.uscc]  # the lowest final quote
    assert report["result"]["ranking"][0] == winner
    # The GP award: the purchaser confirms the first.
    recommended = (await award_of(scene, desk.agency_headers))["recommended"]
    assert recommended[0]["bid"] == winner
    confirmed = await client.post(f"{scene.url}/award/decision", json={"bid": winner}, headers=desk.agency_headers)
    assert confirmed.status_code == 200, confirmed.text
    assert (await award_of(scene, suppliers[1].headers))["result"]["winner"]["bid"] == winner


async def test_a_consultation_with_two_final_suppliers_fails_unless_a_listed_case(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene, heads = await consulting(client, world, clock)
    desk, member, url = scene.tender.desk, next(iter(heads.values())), f"{scene.url}/consultation"
    await quoted_by(scene, member, clock, (0, 1))
    unknown = await client.post(f"{url}/close", json={"listed_case": "urgent"}, headers=member)
    assert unknown.status_code == 422 and unknown.json()["invalid-params"][0]["name"] == "listed_case"
    failed = await client.post(f"{url}/close", json={}, headers=member)
    assert failed.status_code == 200 and failed.json()["status"] == "failed", failed.text
    tender = (await client.get(scene.url, headers=desk.agency_headers)).json()
    assert tender["status"] == "failed"
    assert "consultation_failed" in await notices(client, desk.officer_headers)
    # a failed procurement is over: its panel no longer acts on it
    assert (await client.post(f"{url}/close", json={"listed_case": "research"}, headers=member)).status_code == 404


async def test_two_final_suppliers_go_on_in_a_listed_case_and_the_weights_are_the_consultations(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene, heads = await consulting(client, world, clock)
    desk, member, url = scene.tender.desk, next(iter(heads.values())), f"{scene.url}/consultation"
    await quoted_by(scene, member, clock, (0, 2))
    closed = await client.post(f"{url}/close", json={"listed_case": "government_services"}, headers=member)
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.text
    assert len(closed.json()["finalists"]) == 2 and closed.json()["listed_case"] == "government_services"
    evaluation = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()
    assert evaluation["status"] == "scoring" and len(evaluation["bids"]) == 2
    # Outsiders see nothing of it.
    stranger = await client.get(url, headers=(await _stranger(client, world)).headers)
    assert stranger.status_code == 404


async def _stranger(client: AsyncTestClient[Litestar], world: World) -> Any:
    from tests.bids import new_bidder

    return await new_bidder(client, world, "局外单位")


async def test_a_consultations_template_keeps_the_price_weight_in_its_range(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    from tests.bids import published_tender

    tender = await published_tender(
        client,
        world,
        project_type="government_procurement",
        procurement_method="consultation",
        committee_size=3,
        budget="950000.00",
    )
    url = f"/api/v1/tenders/{tender.id}/evaluation/template"
    heavy = {**CONSULTATION_TEMPLATE, "price": {"formula": "low_price_first", "full": "30"}}  # 37.5 % for services
    refused = await client.put(url, json=heavy, headers=tender.desk.agency_headers)
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["invalid-params"]
    assert problem["name"] == "price.full" and "10%-30% for services" in problem["reason"]
    tender_procedure = await client.put(
        url, json={**CONSULTATION_TEMPLATE, "procedure": "tender"}, headers=tender.desk.agency_headers
    )
    assert tender_procedure.status_code == 422 and tender_procedure.json()["invalid-params"][0]["name"] == "procedure"
    taken = await client.put(url, json=CONSULTATION_TEMPLATE, headers=tender.desk.agency_headers)
    assert taken.status_code == 200 and taken.json()["procedure"] == "consultation"


async def test_fifty_final_quotes_at_once_through_two_workers_leave_one_sealed_quote(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock, two_servers: list[str]
) -> None:
    """A supplier's client retrying in a storm: 50 quotes at once through two web workers, each
    answered (no 500), one quote kept per supplier — the last one sealed wins at the close."""
    import asyncio

    import httpx

    scene, heads = await consulting(client, world, clock)
    member, url = next(iter(heads.values())), f"{scene.url}/consultation"
    until = clock.now() + timedelta(hours=2)
    called = await client.post(f"{url}/final-quotes", json={"until": until.isoformat()}, headers=member)
    assert called.status_code == 200, called.text
    supplier = scene.bidders[0]
    async with httpx.AsyncClient(timeout=60) as http:
        answers = await asyncio.gather(
            *(
                http.put(
                    f"{two_servers[i % 2]}{url}/final-quote",
                    json={"price": f"{700000 + i}.00"},
                    headers=supplier.headers,
                )
                for i in range(50)
            )
        )
    assert {a.status_code for a in answers} == {200}, {a.status_code: a.text for a in answers}
    panel = (await client.get(url, headers=member)).json()
    assert len(panel["quoted"]) == 1
    mine = (await client.get(url, headers=supplier.headers)).json()["my_quote"]
    assert mine["commitment"] in {a.json()["commitment"] for a in answers}
