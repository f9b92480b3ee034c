"""From candidates to contract through the HTTP API, on PostgreSQL: the sweep publishes the
checked candidates 3 days after the report at the latest, with the committee's names; a bidder
objects during publicity and the award waits; an unanswered objection is flagged to the
supervisors after 3 days; the answer, a complaint and the supervisors' decision; the award to the
first candidate, its refusal and the next one's award; the contract with its document and the
bid-bond refund day; and the refusals on the way (who may object, when, bad contract fields,
cancellation needing a supervisor)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from app.core.clock import FrozenClock
from tests.bids import new_bidder
from tests.bonds import assert_ledgers_balanced, bonds_of, pay_instructions
from tests.conftest import World, login
from tests.evaluations import Scene, drawn_committee, signed_report
from tests.steps import run_step

SHANGHAI = ZoneInfo("Asia/Shanghai")

PRICES = ["7990000.00", "8100000.00", "8236500.00", "8300000.00"]


async def award_of(scene: Scene, headers: dict[str, str]) -> dict[str, Any]:
    answer = await scene.client.get(f"{scene.url}/award", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def step(world: World, event: str) -> int:
    async with world.sessions() as session:
        return await run_step(session, world.clock, event, world.settings, world.sessions)


async def period(client: AsyncTestClient[Litestar], start: date | datetime, days: int) -> dict[str, Any]:
    """What an officer checks a deadline with: GET /api/v1/calendar/period."""
    start_text = start.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if isinstance(start, datetime) else str(start)
    answer = await client.get("/api/v1/calendar/period", params={"from": start_text, "days": days})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def award_document(scene: Scene, headers: dict[str, str], filename: str, content: bytes) -> str:
    """Upload a document of the award (a contract, evidence) as the user of `headers`: its id."""
    uploaded = await scene.client.post(
        f"{scene.url}/award/documents",
        params={"filename": filename},
        content=content,
        headers={**headers, "content-type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    return str(uploaded.json()["id"])


async def contract_signed_today(
    scene: Scene, clock: FrozenClock, amount: str, days: int = 364, filename: str = "合同.pdf"
) -> Any:
    """The agency records the contract signed today at `amount`, running `days` days: the answer."""
    document = await award_document(scene, scene.tender.desk.agency_headers, filename, b"%PDF-1.4 contract")
    today = clock.now().astimezone(SHANGHAI).date()
    body = {
        "document": document,
        "amount": amount,
        "signed_on": today.isoformat(),
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=days)).isoformat(),
    }
    return await scene.client.post(f"{scene.url}/award/contract", json=body, headers=scene.tender.desk.agency_headers)


async def notices(client: AsyncTestClient[Litestar], headers: dict[str, str]) -> list[str]:
    return [n["kind"] for n in (await client.get("/api/v1/notifications", headers=headers)).json()]


async def test_from_candidates_through_publicity_objection_complaint_award_refusal_to_contract(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world, prices=PRICES, bonds=True)  # each posted a cash bond
    signed = await signed_report(scene, clock)
    assert signed["tender_status"] == "candidates"
    desk = scene.tender.desk
    first, second, third, fourth = scene.bidders
    outsider = await new_bidder(client, world, "局外投标人")

    # Before publicity: no candidates, no committee for bidders; the agency sees the 3-day limit.
    assert (await award_of(scene, first.headers))["publicity"] is None
    publish_by = datetime.fromisoformat((await award_of(scene, desk.agency_headers))["publish_by"])
    # 3 days from the day after the report, to 24:00 of the last day (民法典 arts. 201, 203)
    assert publish_by == datetime.fromisoformat((await period(client, clock.now(), 3))["ends_at"])
    assert publish_by.astimezone(SHANGHAI).time() == time(0)
    assert await step(world, "publicity-start") == 0  # within the 3 days: the agency may still publish

    # Three days after the report the sweep publishes them itself, with the committee's names.
    clock.set(publish_by - timedelta(seconds=1))
    assert await step(world, "publicity-start") == 0
    clock.set(publish_by + timedelta(seconds=1))
    assert await step(world, "publicity-start") == 1
    seen = await award_of(scene, fourth.headers)
    assert seen["status"] == "publicity"
    publicity = seen["publicity"]
    assert [c["price"] for c in publicity["candidates"]] == PRICES[:3]
    assert [c["candidate_rank"] for c in publicity["candidates"]] == [1, 2, 3]
    # What 10号令 art. 6 lists: duration, quality, the project manager and certificate, the
    # qualifying responses, and how (and until when) to object.
    first_shown = publicity["candidates"][0]
    assert (first_shown["duration_days"], first_shown["quality"]) == (365, "合格")
    assert (first_shown["project_manager"], first_shown["project_manager_certificate"]) == (
        "张建国",
        "一级注册建造师 鄂142202012345",
    )
    assert first_shown["qualifications"].startswith("建筑工程施工总承包一级")
    assert publicity["objections"]["until"] == publicity["ends_at"]
    assert publicity["objections"]["how"].endswith("(投标人或其他利害关系人；非投标人说明利害关系 interest)")
    assert publicity["committee"] is None  # secret until the award notice (Tendering Law art. 37 ¶5)
    assert (await award_of(scene, desk.agency_headers))["publicity"]["committee"] is None
    officer_view = (await award_of(scene, desk.officer_headers))["publicity"]["committee"]
    assert len(officer_view) == 5 and all(officer_view)
    assert "publicity" in await notices(client, fourth.headers)

    # A bidder of the tender objects, or another party stating its interest; only during
    # publicity, with grounds.
    url = f"{scene.url}/award/objections"
    outsider_tried = await client.post(url, json={"grounds": "不服"}, headers=outsider.headers)
    assert outsider_tried.status_code == 422, outsider_tried.text
    assert outsider_tried.json()["invalid-params"][0]["name"] == "interest"
    empty = await client.post(url, json={"grounds": "  "}, headers=fourth.headers)
    assert empty.status_code == 422 and empty.json()["invalid-params"][0]["name"] == "grounds"
    attachment = await client.post(
        f"{scene.url}/award/documents",
        params={"filename": "证据.pdf"},
        content=b"%PDF-1.4 evidence",
        headers={**fourth.headers, "content-type": "application/pdf"},
    )
    assert attachment.status_code == 201, attachment.text
    objection = await client.post(
        url,
        json={"grounds": "第一中标候选人业绩造假", "attachments": [attachment.json()["id"]]},
        headers=fourth.headers,
    )
    assert objection.status_code == 201, objection.text
    objection_id = objection.json()["id"]
    assert "objection" in await notices(client, desk.agency_headers)
    others = await award_of(scene, third.headers)
    assert others["objections"] == []  # a bidder sees its own objections only

    # The publicity ends but the objection is open: nothing is awarded; 3 days on, supervisors are told.
    due_at = datetime.fromisoformat(objection.json()["due_at"])
    assert due_at == datetime.fromisoformat((await period(client, clock.now(), 3))["ends_at"])
    clock.set(max(due_at, datetime.fromisoformat(publicity["ends_at"])) + timedelta(seconds=1))
    assert await step(world, "award-decision-reminder") == 0  # nothing to decide while an objection is open
    decision_url = f"{scene.url}/award/decision"
    first_bid = publicity["candidates"][0]["bid"]
    waiting = await client.post(decision_url, json={"bid": first_bid}, headers=desk.agency_headers)
    assert waiting.status_code == 409 and "objection" in waiting.json()["detail"]
    assert await step(world, "objection-overdue") == 1
    assert await step(world, "objection-overdue") == 0  # once
    assert "objection_overdue" in await notices(client, desk.officer_headers)
    late = await client.post(url, json={"grounds": "再提异议"}, headers=third.headers)
    assert late.status_code == 409  # the publicity is over

    # The agency dismisses it; the objector complains to the supervisors, who dismiss it too.
    answer_url = f"{url}/{objection_id}/answer"
    by_bidder = await client.post(answer_url, json={"outcome": "dismissed", "answer": "x"}, headers=fourth.headers)
    assert by_bidder.status_code == 403
    answered = await client.post(
        answer_url, json={"outcome": "dismissed", "answer": "经核查业绩真实"}, headers=desk.agency_headers
    )
    assert answered.status_code == 200 and answered.json()["outcome"] == "dismissed", answered.text
    complaint = await client.post(
        f"{url}/{objection_id}/complaint", json={"grounds": "答复不实"}, headers=fourth.headers
    )
    assert complaint.status_code == 201, complaint.text
    assert await step(world, "award-decision-reminder") == 0  # the complaint is open
    agency_decides = await client.post(
        f"{url}/{complaint.json()['id']}/answer",
        json={"outcome": "dismissed", "answer": "x"},
        headers=desk.agency_headers,
    )
    assert agency_decides.status_code == 403  # the supervisors decide a complaint
    # Accepted or not within 3 working days; decided within 30 working days of the acceptance (Regs 61).
    accept_by = datetime.fromisoformat(complaint.json()["due_at"])
    three = await client.get(
        "/api/v1/calendar/period",
        params={"from": clock.now().astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"), "days": 3, "working": "true"},
    )
    assert accept_by == datetime.fromisoformat(three.json()["ends_at"])
    unaccepted = await client.post(
        f"{url}/{complaint.json()['id']}/answer",
        json={"outcome": "dismissed", "answer": "x"},
        headers=desk.officer_headers,
    )
    assert unaccepted.status_code == 409 and "accepted" in unaccepted.json()["detail"]
    accepted = await client.post(
        f"{url}/{complaint.json()['id']}/acceptance", json={"accept": True}, headers=desk.officer_headers
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["accepted_at"] and datetime.fromisoformat(accepted.json()["due_at"]) > accept_by
    decided = await client.post(
        f"{url}/{complaint.json()['id']}/answer",
        json={"outcome": "dismissed", "answer": "投诉缺乏事实根据"},
        headers=desk.officer_headers,
    )
    assert decided.status_code == 200, decided.text

    # The platform awards no one: it reminds the agency, once; the tenderee decides (Law art. 40).
    assert await step(world, "award-decision-reminder") == 1
    assert await step(world, "award-decision-reminder") == 0
    assert "award_decision_due" in await notices(client, desk.agency_headers)
    assert (await award_of(scene, desk.agency_headers))["awaiting_decision"] is True
    by_bidder = await client.post(decision_url, json={"bid": first_bid}, headers=first.headers)
    assert by_bidder.status_code == 403
    second_bid = publicity["candidates"][1]["bid"]
    out_of_order = await client.post(decision_url, json={"bid": second_bid, "reason": "x"}, headers=desk.agency_headers)
    assert out_of_order.status_code == 422 and out_of_order.json()["invalid-params"][0]["code"] == "rank_order"
    both = await client.post(decision_url, json={"bid": first_bid, "retender": True}, headers=desk.agency_headers)
    assert both.status_code == 422
    assert {p["name"] for p in both.json()["invalid-params"]} == {"bid", "reason"}
    chosen = await client.post(decision_url, json={"bid": first_bid}, headers=desk.agency_headers)
    assert chosen.status_code == 200, chosen.text

    # The first candidate is awarded; every bidder gets the result, the winner the notice.
    awarded = await award_of(scene, desk.agency_headers)
    assert awarded["status"] == "awarded"
    assert sorted((await award_of(scene, fourth.headers))["publicity"]["committee"]) == sorted(officer_view)
    assert [(a["bidder_uscc"], a["status"]) for a in awarded["awards"]] == [(first.org.uscc, "notified")]
    assert "award_notice" in await notices(client, first.headers)
    assert "result_notice" in await notices(client, second.headers)
    page = (await client.get(f"/console/tenders/{scene.tender.id}", headers=first.headers)).text  # as people read it
    assert "¥7,990,000.00" in page and "人民币柒佰玖拾玖万元整" in page and "已发中标通知" in page

    # The winner declines: the tenderee decides the next candidate; supervisors are told of the breach.
    someone_else = await client.post(f"{scene.url}/award/decline", json={"reason": "x"}, headers=second.headers)
    assert someone_else.status_code == 403
    declined = await client.post(f"{scene.url}/award/decline", json={"reason": "资金周转困难"}, headers=first.headers)
    assert declined.status_code == 200, declined.text
    assert [(a["bidder_uscc"], a["status"]) for a in declined.json()["awards"]] == [(first.org.uscc, "declined")]
    assert declined.json()["awaiting_decision"] is False  # what the decliner sees: not its decision
    assert (await award_of(scene, desk.agency_headers))["awaiting_decision"] is True
    assert "award_declined" in await notices(client, desk.officer_headers)
    assert "award_declined" in await notices(client, desk.agency_headers)
    again = await client.post(decision_url, json={"bid": first_bid}, headers=desk.agency_headers)
    assert again.status_code == 422 and again.json()["invalid-params"][0]["code"] == "not_a_candidate"
    next_one = await client.post(decision_url, json={"bid": second_bid}, headers=desk.agency_headers)
    assert next_one.status_code == 200, next_one.text
    awards = next_one.json()["awards"]
    assert [(a["bidder_uscc"], a["status"]) for a in awards] == [
        (first.org.uscc, "declined"),
        (second.org.uscc, "notified"),
    ]

    # The contract: every bad field named at once, then recorded with its uploaded document.
    contract_url = f"{scene.url}/award/contract"
    today = clock.now().astimezone(SHANGHAI).date()
    bad = await client.post(
        contract_url,
        json={
            "document": attachment.json()["id"],  # the bidder's, not the agency's
            "amount": "-1",
            "signed_on": (today + timedelta(days=1)).isoformat(),
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
        },
        headers=desk.agency_headers,
    )
    assert bad.status_code == 422, bad.text
    names = {p["name"] for p in bad.json()["invalid-params"]}
    assert {"amount"} <= names or "amount" in bad.text
    document = await client.post(
        f"{scene.url}/award/documents",
        params={"filename": "合同.pdf"},
        content=b"%PDF-1.4 contract",
        headers={**desk.agency_headers, "content-type": "application/pdf"},
    )
    # A contract that departs from the award (price, or a term longer than the bid's 365 days) needs a reason.
    departing = {
        "document": document.json()["id"],
        "amount": "8200000.00",
        "signed_on": today.isoformat(),
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=400)).isoformat(),
    }
    unexplained = await client.post(contract_url, json=departing, headers=desk.agency_headers)
    assert unexplained.status_code == 422, unexplained.text
    [problem] = unexplained.json()["invalid-params"]
    assert problem["name"] == "difference_reason" and "8200000.00 differs from the awarded price" in problem["reason"]
    assert "term of 401 days exceeds the 365 days" in problem["reason"]
    contract = await client.post(
        contract_url,
        json={
            "document": document.json()["id"],
            "amount": "8100000.00",
            "signed_on": today.isoformat(),
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=364)).isoformat(),
        },
        headers=desk.agency_headers,
    )
    assert contract.status_code == 200, contract.text
    assert contract.json()["awards"][-1]["contract"]["differences"] == []
    done = contract.json()
    assert done["status"] == "contracted"
    signed_contract = done["awards"][-1]["contract"]
    assert signed_contract["amount"] == "8100000.00"
    refund_due = (await period(client, today, 5))["last_day"]

    # Every bond but the decliner's is instructed back at once, due within 5 days of the contract
    # (实施条例 art. 57); the decliner's waits for the tenderee's decision (art. 74).
    assert await step(world, "bond-refund") == 3
    bonds = await bonds_of(client, scene.tender.id, desk.officer_headers)
    refunding = {uscc: b["refund_due"] for uscc, b in bonds.items() if b["status"] == "refunding"}
    assert refunding == {b.org.uscc: refund_due for b in (second, third, fourth)}
    assert bonds[first.org.uscc]["status"] == "held"
    # Not paid after 24:00 of that day: supervisors are told; then the bank pays.
    clock.set(datetime.combine(date.fromisoformat(refund_due), time(23, 59), SHANGHAI))
    assert await step(world, "bond-refund-late") == 0
    clock.set(datetime.combine(date.fromisoformat(refund_due) + timedelta(days=1), time(0, 1), SHANGHAI))
    assert await step(world, "bond-refund-late") == 3
    assert "bond_refund_late" in await notices(client, desk.officer_headers)
    assert len(await pay_instructions(client, world.settings)) == 3
    kept = await client.post(
        f"{scene.url}/bonds/{bonds[first.org.uscc]['id']}/forfeiture",
        json={"reason": "refused_contract", "note": "第一中标候选人无正当理由放弃中标"},
        headers=desk.agency_headers,
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["status"] == "forfeited" and kept.json()["decision"]["article"] == "实施条例 art. 74"
    # The winner's performance bond: at most 10 % of the contract (art. 58), recorded once.
    performance = f"{scene.url}/award/performance-bond"
    above = await client.post(
        performance, json={"amount": "810000.01", "form": "transfer"}, headers=desk.agency_headers
    )
    assert above.status_code == 422 and above.json()["invalid-params"][0]["code"] == "above_cap"
    posted = await client.post(
        performance, json={"amount": "810000.00", "form": "bank_guarantee"}, headers=desk.agency_headers
    )
    assert posted.status_code == 200, posted.text
    assert (posted.json()["kind"], posted.json()["bidder"], posted.json()["status"]) == (
        "performance",
        second.org.uscc,
        "held",
    )
    again = await client.post(performance, json={"amount": "1.00", "form": "transfer"}, headers=desk.agency_headers)
    assert again.status_code == 409
    await assert_ledgers_balanced(world)
    cancel = await client.post(f"{scene.url}/termination", json={"reason": "x"}, headers=desk.agency_headers)
    assert cancel.status_code == 409  # a contracted tender is not terminated


async def test_an_upheld_objection_disqualifies_a_candidate_and_the_tenderee_terminates_with_notice(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world, prices=PRICES)
    await signed_report(scene, clock)
    desk = scene.tender.desk
    first, _second, _third, fourth = scene.bidders
    published = await client.post(f"{scene.url}/award/publicity", headers=desk.agency_headers)
    assert published.status_code == 200, published.text
    again = await client.post(f"{scene.url}/award/publicity", headers=desk.agency_headers)
    assert again.status_code == 409
    first_bid = published.json()["publicity"]["candidates"][0]["bid"]
    objection = await client.post(f"{scene.url}/award/objections", json={"grounds": "资质不符"}, headers=fourth.headers)
    wrong = await client.post(
        f"{scene.url}/award/objections/{objection.json()['id']}/answer",
        json={"outcome": "disqualification", "answer": "成立", "disqualified_bid": "not-a-bid"},
        headers=desk.agency_headers,
    )
    assert wrong.status_code == 422 and wrong.json()["invalid-params"][0]["name"] == "disqualified_bid"
    upheld = await client.post(
        f"{scene.url}/award/objections/{objection.json()['id']}/answer",
        json={"outcome": "disqualification", "answer": "异议成立", "disqualified_bid": first_bid},
        headers=desk.agency_headers,
    )
    assert upheld.status_code == 200, upheld.text
    after = await award_of(scene, first.headers)
    assert first_bid not in [c["bid"] for c in after["publicity"]["candidates"]]
    assert after["publicity"]["round"] == 2  # the changed list is published again
    assert after["publicity"]["disqualified"][0]["bid"] == first_bid

    # Termination (实施条例 art. 31): the tenderee's own act, with its reason, announced at once;
    # the holders and bidders are told, the supervisors too; no one's approval is needed.
    url = f"{scene.url}/termination"
    nobody = await client.post(url, json={"reason": " "}, headers=desk.agency_headers)
    assert nobody.status_code == 422
    bidder_user = await world.user(Role.bidder, first.org)
    bidder = await login(client, bidder_user.username)
    forbidden = await client.post(url, json={"reason": "x"}, headers=bidder)
    assert forbidden.status_code == 403
    terminated = await client.post(url, json={"reason": "项目资金取消"}, headers=desk.agency_headers)
    assert terminated.status_code == 201, terminated.text
    final = await award_of(scene, desk.agency_headers)
    assert final["status"] == "cancelled"
    assert (final["cancellations"][0]["status"], final["cancellations"][0]["reason"]) == ("confirmed", "项目资金取消")
    assert "tender_terminated" in await notices(client, bidder)
    assert "tender_terminated" in await notices(client, desk.officer_headers)
    again = await client.post(url, json={"reason": "再次终止"}, headers=desk.agency_headers)
    assert again.status_code == 409

    # A re-tender (重新招标) names the cancelled tender, once; a live tender cannot be named.
    retender = await desk.new_filing(retender_of=scene.tender.id)
    assert (await desk.submit(retender)).status_code == 200
    accepted = await desk.decide(retender, "accept")
    assert accepted.status_code == 200, accepted.text
    new_tender_id = accepted.json()["tender_id"]
    new_tender = (await client.get(f"/api/v1/tenders/{new_tender_id}", headers=first.headers)).json()
    assert new_tender["retender_of"] == scene.tender.id
    for named, reason in ((scene.tender.id, "already been re-tendered"), (new_tender_id, "only a failed or cancelled")):
        refused = await desk.submit(await desk.new_filing(retender_of=named))
        assert refused.status_code == 422, refused.text
        [deficiency] = [d for d in refused.json()["deficiencies"] if d["target"] == "retender_of"]
        assert reason in deficiency["message_en"]


async def test_an_objection_upheld_for_reevaluation_goes_back_to_the_same_committee_and_publicity_restarts(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world, prices=PRICES)
    await signed_report(scene, clock)
    desk = scene.tender.desk
    first, _second, _third, fourth = scene.bidders
    published = await client.post(f"{scene.url}/award/publicity", headers=desk.agency_headers)
    assert [c["price"] for c in published.json()["publicity"]["candidates"]] == PRICES[:3]
    # A tendering project has no re-review of the agency's own: only an upheld objection orders one.
    own = await client.post(
        f"{scene.url}/evaluation/re-review",
        json={"case": "arithmetic_error", "reason": "技术分漏计"},
        headers=desk.agency_headers,
    )
    assert own.status_code == 409 and "government procurement" in own.json()["detail"]
    objection = await client.post(
        f"{scene.url}/award/objections", json={"grounds": "技术分计算错误"}, headers=fourth.headers
    )
    upheld = await client.post(
        f"{scene.url}/award/objections/{objection.json()['id']}/answer",
        json={"outcome": "reevaluation", "answer": "异议成立，由原评标委员会复核"},
        headers=desk.agency_headers,
    )
    assert upheld.status_code == 200, upheld.text
    assert (await award_of(scene, desk.agency_headers))["status"] == "evaluated"
    clock.advance(timedelta(days=4))
    assert await step(world, "award-decision-reminder") == 0  # nothing to decide while it is re-evaluated

    # The same committee corrects the arithmetic error (MOF order 87 art. 64): the report is
    # revised, its candidates checked again, and published for a new period.
    bids = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()["bids"]
    fourth_bid = next(b["bid"] for b in bids if b["uscc"] == fourth.org.uscc)
    members = [s["name"] for s in await scene.committee() if s["status"] == "seated"]
    for member in members:  # each member corrects their own sheet
        corrected = await client.post(
            f"{scene.url}/evaluation/corrections",
            json={"bid": fourth_bid, "item": "t1", "value": "40", "case": "arithmetic_error", "reason": "技术分漏计"},
            headers=await scene.headers_of(member),
        )
        assert corrected.status_code == 200, corrected.text
    assert corrected.json()["result"]["candidates"][0] == fourth_bid
    # The revised report stands once every member has signed it again; the changed result is
    # reported to the supervisors.
    assert (await award_of(scene, desk.agency_headers))["status"] == "evaluated"
    for member in members:
        resigned = await client.post(
            f"{scene.url}/evaluation/signatures", json={"decision": "sign"}, headers=await scene.headers_of(member)
        )
        assert resigned.status_code == 200, resigned.text
    assert (await award_of(scene, desk.agency_headers))["status"] == "candidates"
    assert "re_review_changed" in await notices(client, desk.officer_headers)
    again = await client.post(f"{scene.url}/award/publicity", headers=desk.agency_headers)
    assert again.status_code == 200, again.text
    publicity = again.json()["publicity"]
    assert publicity["round"] == 2
    assert [c["price"] for c in publicity["candidates"]] == [PRICES[3], PRICES[0], PRICES[1]]
    assert publicity["candidates"][0]["bid"] == fourth_bid and first.org.uscc not in str(publicity["disqualified"])


async def test_a_tenderee_not_state_funded_chooses_with_a_reason_and_may_re_tender(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world, prices=PRICES, state_funded=False)
    await signed_report(scene, clock)
    desk = scene.tender.desk
    _first, second, third, _fourth = scene.bidders
    published = await client.post(f"{scene.url}/award/publicity", headers=desk.agency_headers)
    candidates = published.json()["publicity"]["candidates"]
    decision_url = f"{scene.url}/award/decision"
    early = await client.post(decision_url, json={"bid": candidates[0]["bid"]}, headers=desk.agency_headers)
    assert early.status_code == 409 and "after the publicity" in early.json()["detail"]
    clock.set(datetime.fromisoformat(published.json()["publicity"]["ends_at"]) + timedelta(seconds=1))

    # Not the first candidate: allowed without state funds (Regs art. 55 binds those), with a reason.
    silent = await client.post(decision_url, json={"bid": candidates[1]["bid"]}, headers=desk.agency_headers)
    assert silent.status_code == 422 and silent.json()["invalid-params"][0]["name"] == "reason"
    reason = "第一中标候选人项目经理已在他项目任职，经评标委员会复核不能履约"
    chosen = await client.post(
        decision_url, json={"bid": candidates[1]["bid"], "reason": reason}, headers=desk.agency_headers
    )
    assert chosen.status_code == 200, chosen.text
    [award] = chosen.json()["awards"]
    assert (award["bidder_uscc"], award["candidate_rank"], award["decision_reason"]) == (second.org.uscc, 2, reason)

    # The written report to the supervision department is due 15 days after the award (Law art. 47).
    draft = (await client.get(f"{scene.url}/award/report", headers=desk.agency_headers)).json()
    assert draft["status"] == "draft" and draft["report"]["awards"][0]["decision_reason"] == reason
    fifteen = await period(client, datetime.fromisoformat(award["awarded_at"]), 15)
    assert draft["report"]["due_at"] == datetime.fromisoformat(fifteen["ends_at"]).astimezone(UTC).isoformat()
    by_bidder = await client.get(f"{scene.url}/award/report", headers=second.headers)
    assert by_bidder.status_code == 403
    assert await step(world, "award-report-late") == 0
    clock.set(datetime.fromisoformat(fifteen["ends_at"]) + timedelta(seconds=1))
    assert await step(world, "award-report-late") == 1
    assert "award_report_late" in await notices(client, desk.officer_headers)
    submitted = await client.post(f"{scene.url}/award/report", headers=desk.agency_headers)
    assert submitted.status_code == 201 and submitted.json()["status"] == "submitted", submitted.text
    assert (await client.post(f"{scene.url}/award/report", headers=desk.agency_headers)).status_code == 409
    assert "award_report" in await notices(client, desk.officer_headers)

    # The winner declines; the tenderee re-tenders instead, with its reason: the tender fails.
    declined = await client.post(f"{scene.url}/award/decline", json={"reason": "放弃"}, headers=second.headers)
    assert declined.status_code == 200, declined.text
    no_reason = await client.post(decision_url, json={"retender": True}, headers=desk.agency_headers)
    assert no_reason.status_code == 422 and no_reason.json()["invalid-params"][0]["name"] == "reason"
    why = "剩余候选人报价均超出调整后的预算"
    retender = await client.post(decision_url, json={"retender": True, "reason": why}, headers=desk.agency_headers)
    assert retender.status_code == 200, retender.text
    assert (retender.json()["status"], retender.json()["retender_reason"]) == ("failed", why)
    assert "retender" in await notices(client, third.headers)
    after = await client.post(decision_url, json={"bid": candidates[2]["bid"]}, headers=desk.agency_headers)
    assert after.status_code == 409  # decided


async def test_an_unanswered_objection_may_be_complained_of_and_a_complaint_not_accepted_closes(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world, prices=PRICES)
    await signed_report(scene, clock)
    desk = scene.tender.desk
    fourth = scene.bidders[3]
    await client.post(f"{scene.url}/award/publicity", headers=desk.agency_headers)
    url = f"{scene.url}/award/objections"
    objection = (await client.post(url, json={"grounds": "报价计算错误"}, headers=fourth.headers)).json()
    too_soon = await client.post(f"{url}/{objection['id']}/complaint", json={"grounds": "x"}, headers=fourth.headers)
    assert too_soon.status_code == 409  # the tenderee still has time to answer
    clock.set(datetime.fromisoformat(objection["due_at"]) + timedelta(seconds=1))  # no answer came
    complaint = await client.post(
        f"{url}/{objection['id']}/complaint", json={"grounds": "招标人逾期未答复异议"}, headers=fourth.headers
    )
    assert complaint.status_code == 201, complaint.text
    acceptance = f"{url}/{complaint.json()['id']}/acceptance"
    silent = await client.post(acceptance, json={"accept": False}, headers=desk.officer_headers)
    assert silent.status_code == 422 and silent.json()["invalid-params"][0]["name"] == "reason"
    by_agency = await client.post(acceptance, json={"accept": True}, headers=desk.agency_headers)
    assert by_agency.status_code == 403
    refused = await client.post(
        acceptance, json={"accept": False, "reason": "投诉事项不属于本部门管辖"}, headers=desk.officer_headers
    )
    assert refused.status_code == 200, refused.text
    assert (refused.json()["status"], refused.json()["outcome"]) == ("answered", "not_accepted")
    assert "complaint_acceptance" in await notices(client, fourth.headers)
    again = await client.post(acceptance, json={"accept": True}, headers=desk.officer_headers)
    assert again.status_code == 409
