"""A government procurement open tender (政府采购公开招标) from its filing to its contract's
publication and filing, through the HTTP API on PostgreSQL — the GP regime's path where it differs
from the Tendering Law's: the filing, the sealed bids with an SME declaration, the draw within 2
working days of the review, the opening, every supplier's credit at the qualification review, the
scoring with the SME deduction, the signed report; then no publicity: the purchaser confirms the
winner, the result notice names the committee; a 质疑 on the result answered in writing (the other
suppliers told), a 投诉 accepted and decided (the decision published); the contract published and
filed (备案). Read it to learn the GP regime, one step per block (`gp_candidates` walks the filing to
the signed report through the same API)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.clock import FrozenClock
from bidding.award import states
from bidding.bonds import rules as bond_rules
from tests.bidding.award.test_award_api import award_of, contract_signed_today, notices, step
from tests.bidding.award.test_gp_award import PRICES, gp_candidates, working_days_after
from tests.bonds import BOND, assert_ledgers_balanced, bonds_of, pay_instructions
from tests.conftest import SHANGHAI, World
from tests.ocds import parse, problems


async def test_a_gp_open_tender_from_its_filing_to_its_contract_filed(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    # Filing to signed report: the lowest bidder declared itself small, its 声明函 enclosed.
    scene = await gp_candidates(client, world, clock, bonds=True)  # each posted a cash bond
    desk, first, second, third = scene.tender.desk, *scene.bidders
    tender = (await client.get(scene.url, headers=first.headers)).json()
    assert tender["regime"] == "government_procurement"
    evaluation = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()
    report = evaluation["report"]
    # the committee saw each supplier's bond: paid in full from its basic account before the deadline
    assert {uscc: b["valid"] for uscc, b in evaluation["bonds"].items()} == {b.org.uscc: True for b in scene.bidders}
    lowest = next(b["bid"] for b in report["bids"] if b["uscc"] == first.org.uscc)
    assert report["result"]["evaluated_prices"][lowest] == "7191000.00"  # 7,990,000.00 less 10 %, for scoring only
    assert report["result"]["ranking"][0] == lowest

    # No publicity: the purchaser confirms the first; the result notice names the committee.
    view = await award_of(scene, desk.agency_headers)
    assert view["publicity"] is None and view["recommended"][0]["bid"] == lowest
    confirmed = await client.post(f"{scene.url}/award/decision", json={"bid": lowest}, headers=desk.agency_headers)
    assert confirmed.status_code == 200, confirmed.text
    result = (await award_of(scene, third.headers))["result"]
    assert result["winner"]["bid"] == lowest and result["winner"]["price"] == PRICES[0]
    assert len(result["committee"]) == 5

    # The unsuccessful suppliers' bonds go back within 5 working days of the award notice (GPR
    # art. 33), instructed at once; the winner's waits for the contract.
    assert await step(world, "bond-refund") == 2
    ends = await working_days_after(world, clock.now(), bond_rules.GP_LOSERS)  # 24:00 of the 5th working day
    refund_by = ends.astimezone(SHANGHAI).date() - timedelta(days=1)
    paid = await pay_instructions(client, world.settings)
    assert len(paid) == 2 and all(i["principal"] == BOND for i in paid)
    bonds = await bonds_of(client, scene.tender.id, desk.officer_headers)
    for loser in (second, third):
        assert bonds[loser.org.uscc]["status"] == "refunded"
        assert bonds[loser.org.uscc]["refund_due"] == refund_by.isoformat()
    assert bonds[first.org.uscc]["status"] == "held"

    # A 质疑 on the result within 7 working days, answered in writing; the other suppliers told.
    question = await client.post(
        f"{scene.url}/award/objections", json={"grounds": "中标供应商中小企业声明不实"}, headers=second.headers
    )
    assert question.status_code == 201, question.text
    answer_by = await working_days_after(world, clock.now(), states.GP_ANSWER_WITHIN)
    assert question.json()["due_at"] == answer_by.isoformat()
    clock.advance(timedelta(days=2))
    answered = await client.post(
        f"{scene.url}/award/objections/{question.json()['id']}/answer",
        json={"outcome": "dismissed", "answer": "经核实，中标供应商的中小企业声明函真实有效"},
        headers=desk.agency_headers,
    )
    assert answered.status_code == 200, answered.text
    assert "question_answer_notice" in await notices(client, third.headers)

    # The questioner complains to the finance department; accepted, then decided and published.
    complaint = await client.post(
        f"{scene.url}/award/objections/{question.json()['id']}/complaint",
        json={"grounds": "对质疑答复不满意"},
        headers=second.headers,
    )
    assert complaint.status_code == 201, complaint.text
    base = f"{scene.url}/award/objections/{complaint.json()['id']}"
    accepted = await client.post(f"{base}/acceptance", json={"accept": True}, headers=desk.officer_headers)
    assert accepted.status_code == 200, accepted.text
    decide_by = await working_days_after(world, clock.now(), states.GP_DECIDE_WITHIN)
    assert accepted.json()["due_at"] == decide_by.isoformat()
    clock.advance(timedelta(days=10))
    decided = await client.post(
        f"{base}/answer",
        json={"outcome": "dismissed", "answer": "投诉缺乏事实依据，驳回投诉"},
        headers=desk.officer_headers,
    )
    assert decided.status_code == 200, decided.text
    published = [d for d in (await client.get("/api/v1/complaint-decisions")).json() if d["tender"] == scene.tender.id]
    assert [(d["outcome"], d["decision"]) for d in published] == [("dismissed", "投诉缺乏事实依据，驳回投诉")]

    # The contract: published on the platform when recorded, filed (备案) within 7 working days.
    recorded = await contract_signed_today(scene, clock, PRICES[0], days=300, filename="政府采购合同.pdf")
    today = clock.now().astimezone(SHANGHAI).date()
    assert recorded.status_code == 200, recorded.text
    contract = recorded.json()["awards"][0]["contract"]
    assert contract["published_late"] is False
    filed = await client.post(
        f"{scene.url}/award/contract/filing",
        json={"filed_on": today.isoformat(), "number": "江财采备〔2027〕21号"},
        headers=desk.agency_headers,
    )
    assert filed.status_code == 200, filed.text
    assert filed.json()["awards"][0]["contract"]["filing_late"] is False
    assert (await client.get(scene.url, headers=first.headers)).json()["status"] == "contracted"
    assert await step(world, "bond-refund") == 1  # the winner's, within 5 working days of the contract
    [winners] = await pay_instructions(client, world.settings)
    bond = (await client.get(f"/api/v1/tenders/{scene.tender.id}/bond", headers=first.headers)).json()
    assert bond["status"] == "refunded" and bond["refund_rule"].startswith("政府采购法实施条例 art. 33")
    assert bond["refunded"] == str(Decimal(BOND) + Decimal(bond["interest"]))
    assert winners["key"] == bond["instructions"][0]["key"]
    await assert_ledgers_balanced(world)

    # The open data: the GP regime named, the contract released, the package valid.
    releases = parse((await client.get("/api/v1/ocds/releases")).content)
    assert problems(releases) == []
    ours = [r for r in releases["releases"] if r["ocid"].endswith(scene.tender.id)]
    assert "政府采购" in ours[0]["tender"]["procurementMethodDetails"]
    assert ours[-1]["contracts"][0]["value"]["amount"] == parse(PRICES[0])
