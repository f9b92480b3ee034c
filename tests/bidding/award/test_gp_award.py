"""Government procurement from the report to the result, through the HTTP API on PostgreSQL: no
candidate publicity; the purchaser confirms in order within 5 working days (a reason to pass the
first), or is deemed to confirm the first (87号令 art. 68); the result notice names the committee;
a 质疑 on the result within 7 working days of it, answered within 7; a 投诉 within 15 working days
of the answer period's end, accepted within 5 and decided within 30 (政府采购法 arts. 52–56;
政府采购法实施条例 art. 43; 94号令); no complaint without a 质疑 first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.calendar.service import periods
from app.core.clock import FrozenClock
from bidding.award import states
from tests.bidding.award.test_award_api import award_document, award_of, notices, step
from tests.bids import DECLARED, new_bidder, published_tender
from tests.conftest import SHANGHAI, World
from tests.credit.helpers import entry_row, import_list, officers
from tests.evaluations import TEMPLATE, Scene, drawn_committee, signed_report

PRICES = ["7990000.00", "8100000.00", "8236500.00"]


async def gp_candidates(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock, barred: int | None = None, bonds: bool = False
) -> Scene:
    """A GP services tender with three bids through its signed report; the bidder `barred` is put
    on the dishonest-debtor list after bidding (its bid taken, with a warning)."""
    scene = await drawn_committee(
        client,
        world,
        prices=PRICES,
        project_type="government_procurement",
        budget="9500000.00",
        draw_before_opening=timedelta(hours=3),
        template={**TEMPLATE, "category": "services", "sme_deduction": "0.10"},
        # the lowest bidder, ranked first, declares itself small, its declaration enclosed
        fields={0: {**DECLARED, "sme": "small", "sme_declaration": "施工组织设计.pdf"}},
        bonds=bonds,
    )
    if barred is not None:
        admin, _ = await officers(client, world)
        org = scene.bidders[barred].org
        imported = await import_list(client, admin, "dishonest_debtor", [entry_row(org.name, uscc=org.uscc)])
        assert imported.status_code == 200, imported.text
    assert (await signed_report(scene, clock))["tender_status"] == "candidates"
    return scene


async def working_days_after(world: World, start: Any, rule: states.PeriodRule) -> Any:
    async with world.sessions() as session:
        return (await periods(session, SHANGHAI)).end_of(start, rule)


async def test_a_gp_tender_goes_from_the_report_to_the_result_without_publicity(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await gp_candidates(client, world, clock)
    desk, first, second, _third = scene.tender.desk, *scene.bidders
    view = await award_of(scene, desk.agency_headers)
    assert view["regime"] == "government_procurement" and view["publicity"] is None
    confirm_by = await working_days_after(world, clock.now(), states.GP_CONFIRM_WITHIN)
    assert view["confirm_by"] == confirm_by.isoformat() and view["awaiting_decision"] is True
    recommended = [c["bid"] for c in view["recommended"]]
    assert len(recommended) == 3
    assert (await award_of(scene, first.headers))["recommended"] is None  # not published before the result

    refused = await client.post(f"{scene.url}/award/publicity", headers=desk.agency_headers)
    assert refused.status_code == 409 and refused.json()["type"].endswith("/no-publicity")
    clock.advance(timedelta(days=4))
    assert await step(world, "publicity-start") == 0  # no sweep publishes GP candidates
    assert await step(world, "gp-confirmation-deemed") == 0  # still within the 5 working days

    # The agency's tender page offers the confirmation, the report's candidates in order.
    agency_page = await client.get(f"/console/tenders/{scene.tender.id}", headers=desk.agency_headers)
    assert 'id="confirm-winner"' in agency_page.text and "采购人确定中标人" in agency_page.text
    assert agency_page.text.index(recommended[0]) < agency_page.text.index(recommended[1])
    assert (
        'id="confirm-winner"'
        not in (await client.get(f"/console/tenders/{scene.tender.id}", headers=first.headers)).text
    )

    # The purchaser confirms in order: passing the first needs a reason.
    decision_url = f"{scene.url}/award/decision"
    unexplained = await client.post(decision_url, json={"bid": recommended[1]}, headers=desk.agency_headers)
    assert unexplained.status_code == 422 and unexplained.json()["invalid-params"][0]["name"] == "reason"
    confirmed = await client.post(decision_url, json={"bid": recommended[0]}, headers=desk.agency_headers)
    assert confirmed.status_code == 200, confirmed.text
    seen = await award_of(scene, second.headers)
    assert seen["status"] == "awarded"
    result = seen["result"]
    assert result["published_at"] == clock.now().isoformat()  # at once: within its 2 working days
    assert result["winner"]["bid"] == recommended[0] and len(result["committee"]) == 5 and all(result["committee"])

    # The tender page shows the result notice with the committee, and offers a bidder the 质疑.
    bidder_page = (await client.get(f"/console/tenders/{scene.tender.id}", headers=second.headers)).text
    assert "中标结果公告" in bidder_page and "、".join(result["committee"]) in bidder_page
    assert 'id="result-question"' in bidder_page and "对采购结果提出质疑" in bidder_page

    # A 质疑 on the result, answered within 7 working days; the complaint counts 15 working days
    # from the end of that period, accepted within 5 and decided within 30.
    question = await client.post(f"{scene.url}/award/objections", json={"grounds": "评分有误"}, headers=second.headers)
    assert question.status_code == 201, question.text
    raised = clock.now()
    answer_by = await working_days_after(world, raised, states.GP_ANSWER_WITHIN)
    assert question.json()["due_at"] == answer_by.isoformat() and question.json()["matter"] == "result"
    agency_page = (await client.get(f"/console/tenders/{scene.tender.id}", headers=desk.agency_headers)).text
    assert "<td>采购结果</td>" in agency_page and "评分有误" in agency_page
    answered = await client.post(
        f"{scene.url}/award/objections/{question.json()['id']}/answer",
        json={"outcome": "dismissed", "answer": "经复核，评分无误"},
        headers=desk.agency_headers,
    )
    assert answered.status_code == 200, answered.text
    complaint_url = f"{scene.url}/award/objections/{question.json()['id']}/complaint"
    complain_by = await working_days_after(world, answer_by, states.GP_COMPLAIN_WITHIN)
    clock.set(complain_by + timedelta(seconds=1))
    late = await client.post(complaint_url, json={"grounds": "答复不满意"}, headers=second.headers)
    assert late.status_code == 409 and "15 working days" in late.json()["detail"]
    clock.set(complain_by - timedelta(hours=1))
    complaint = await client.post(complaint_url, json={"grounds": "答复不满意"}, headers=second.headers)
    assert complaint.status_code == 201, complaint.text
    accept_by = await working_days_after(world, clock.now(), states.GP_ACCEPT_WITHIN)
    assert complaint.json()["due_at"] == accept_by.isoformat()
    accepted = await client.post(
        f"{scene.url}/award/objections/{complaint.json()['id']}/acceptance",
        json={"accept": True},
        headers=desk.officer_headers,
    )
    assert accepted.status_code == 200, accepted.text
    decide_by = await working_days_after(world, clock.now(), states.GP_DECIDE_WITHIN)
    assert accepted.json()["due_at"] == decide_by.isoformat()

    # A 质疑 after its 7 working days is refused, naming the start and the end; no complaint without one.
    question_until = await working_days_after(world, raised, states.GP_QUESTION_WITHIN)
    clock.set(question_until + timedelta(seconds=1))
    too_late = await client.post(f"{scene.url}/award/objections", json={"grounds": "迟到"}, headers=first.headers)
    assert too_late.status_code == 409 and too_late.json()["type"].endswith("/period-ended")
    assert "from " in too_late.json()["detail"] and " until " in too_late.json()["detail"]
    direct = await client.post(
        f"{scene.url}/award/complaints",
        json={"matter": "other", "known_on": str(clock.now().astimezone(SHANGHAI).date()), "grounds": "直接投诉"},
        headers=first.headers,
    )
    assert direct.status_code == 422 and direct.json()["invalid-params"][0]["code"] == "objection_first"

    # The centre's GP figures: the tender by method, the savings, the SME's award, the 质疑 answered
    # on time and the 投诉 still open.
    stats_url = "/api/v1/gp/stats"
    period_of = {"start": "2026-11-01", "end": "2027-03-31"}
    assert (await client.get(stats_url, params=period_of, headers=first.headers)).status_code == 403
    backwards = await client.get(
        stats_url, params={"start": "2027-01-31", "end": "2026-11-01"}, headers=desk.officer_headers
    )
    assert backwards.status_code == 422 and backwards.json()["invalid-params"][0]["name"] == "end"
    stats = (await client.get(stats_url, params=period_of, headers=desk.officer_headers)).json()
    assert stats["by_method"] == [{"method": "open", "tenders": 1, "budget": "9500000.00"}]
    assert (stats["awards"], stats["awarded_budget"], stats["awarded_value"]) == (1, "9500000.00", "7990000.00")
    assert (stats["savings"], stats["savings_rate"]) == ("1510000.00", "0.1589")
    assert (stats["sme_awards"], stats["sme_share"]) == (1, "1.0000")
    assert stats["questions"] == {"received": 1, "answered": 1, "on_time": 1, "open": 0}
    assert stats["complaints"] == {"received": 1, "answered": 0, "on_time": 0, "open": 1}


async def test_a_purchaser_silent_for_5_working_days_is_deemed_to_confirm_the_first(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    # The lowest bidder is on a credit list: refused at the qualification review, not only flagged as a candidate.
    scene = await gp_candidates(client, world, clock, barred=0)
    desk = scene.tender.desk
    evaluated = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()
    lowest = next(b["bid"] for b in evaluated["bids"] if b["uscc"] == scene.bidders[0].org.uscc)
    assert evaluated["result"]["excluded"][lowest].startswith("qualification: credit: barred by dishonest_debtor")
    view = await award_of(scene, desk.agency_headers)
    assert lowest not in [c["bid"] for c in view["recommended"]]
    first_bid = view["recommended"][0]["bid"]
    clock.set(await working_days_after(world, clock.now(), states.GP_CONFIRM_WITHIN) - timedelta(seconds=1))
    assert await step(world, "gp-confirmation-deemed") == 0
    clock.advance(timedelta(seconds=2))
    assert await step(world, "gp-confirmation-deemed") == 1
    assert await step(world, "gp-confirmation-deemed") == 0  # once
    seen = await award_of(scene, desk.agency_headers)
    assert seen["status"] == "awarded" and seen["result"]["winner"]["bid"] == first_bid
    [award] = seen["awards"]
    assert "87号第六十八条" in award["decision_reason"]

    # The contract: published when recorded (2 working days from signing), filed (备案) within 7.
    document = await award_document(scene, desk.agency_headers, "政府采购合同.pdf", b"%PDF-1.4 contract")
    today = clock.now().astimezone(SHANGHAI).date()
    contract = {
        "document": document,
        "amount": seen["result"]["winner"]["price"],
        "signed_on": today.isoformat(),
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=300)).isoformat(),
    }
    recorded = await client.post(f"{scene.url}/award/contract", json=contract, headers=desk.agency_headers)
    assert recorded.status_code == 200, recorded.text
    signed = recorded.json()["awards"][0]["contract"]
    assert (
        signed["publish_by"] == (await working_days_after(world, today, states.GP_CONTRACT_PUBLISH_WITHIN)).isoformat()
    )
    file_by = await working_days_after(world, today, states.GP_CONTRACT_FILE_WITHIN)
    assert signed["file_by"] == file_by.isoformat() and signed["published_late"] is False
    filing_url = f"{scene.url}/award/contract/filing"
    early = {"filed_on": (today - timedelta(days=1)).isoformat(), "number": " "}
    refused = await client.post(filing_url, json=early, headers=desk.agency_headers)
    assert refused.status_code == 422 and {p["name"] for p in refused.json()["invalid-params"]} == {
        "filed_on",
        "number",
    }
    clock.set(file_by + timedelta(seconds=1))
    # not filed in 7 working days: the supervisors are told (the bonds' refunds are bidding.bonds' own)
    assert await step(world, "award-late") == 1
    assert await step(world, "award-late") == 0
    filed = await client.post(
        filing_url,
        json={"filed_on": str(clock.now().astimezone(SHANGHAI).date()), "number": "江财采备〔2027〕15号"},
        headers=desk.agency_headers,
    )
    assert filed.status_code == 200, filed.text
    contract_view = filed.json()["awards"][0]["contract"]
    assert contract_view["filing_number"] == "江财采备〔2027〕15号" and contract_view["filing_late"] is True
    again = await client.post(filing_url, json={"filed_on": str(today), "number": "x"}, headers=desk.agency_headers)
    assert again.status_code == 409


async def test_a_question_on_the_gp_documents_counts_7_working_days_from_obtaining_them(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world, project_type="government_procurement", budget="9500000.00")
    url = f"/api/v1/tenders/{tender.id}"
    early, late = await new_bidder(client, world, "甲服务"), await new_bidder(client, world, "乙服务")
    documents = (await client.get(f"{url}/documents", headers=early.headers)).json()
    await client.get(f"{url}/documents/{documents[0]['id']}", headers=early.headers)
    obtained = clock.now()
    until = await working_days_after(world, obtained, states.GP_QUESTION_WITHIN)
    clock.set(until - timedelta(days=2))
    await client.get(f"{url}/documents/{documents[0]['id']}", headers=late.headers)  # obtained later: its own 7 days
    clock.set(until + timedelta(seconds=1))
    refused = await client.post(f"{url}/documents/objections", json={"grounds": "资格条件排斥"}, headers=early.headers)
    assert refused.status_code == 409 and refused.json()["type"].endswith("/period-ended")
    shown = (until - timedelta(seconds=1)).astimezone(SHANGHAI).strftime("%Y-%m-%d 24:00")  # the last day, to its end
    assert "7 working days of obtaining" in refused.json()["detail"] and shown in refused.json()["detail"]
    taken = await client.post(f"{url}/documents/objections", json={"grounds": "资格条件排斥"}, headers=late.headers)
    assert taken.status_code == 201, taken.text
    answer_by = await working_days_after(world, clock.now(), states.GP_ANSWER_WITHIN)
    assert taken.json()["due_at"] == answer_by.isoformat()
    # The answer is told to the other holders of the documents, without the questioner or its grounds.
    answered = await client.post(
        f"{url}/award/objections/{taken.json()['id']}/answer",
        json={"outcome": "dismissed", "answer": "资格条件符合采购需求"},
        headers=tender.desk.agency_headers,
    )
    assert answered.status_code == 200, answered.text
    assert "question_answer_notice" in await notices(client, early.headers)
    assert "question_answer_notice" not in await notices(client, late.headers)
    told = (await award_of_tender(client, tender.id, early.headers))["question_answers"]
    assert told == [
        {
            "matter": "documents",
            "outcome": "dismissed",
            "answer": "资格条件符合采购需求",
            "answered_at": answered.json()["answered_at"],
        }
    ]


async def award_of_tender(client: AsyncTestClient[Litestar], tender_id: Any, headers: dict[str, str]) -> Any:
    return (await client.get(f"/api/v1/tenders/{tender_id}/award", headers=headers)).json()


async def test_a_question_on_the_gp_procedure_counts_from_its_stages_end_and_a_suspension_lapses_after_30_days(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await gp_candidates(client, world, clock)
    desk, first, second, third = scene.tender.desk, *scene.bidders
    settled = clock.now()  # the report's candidates settled: the evaluation's end
    outsider = await new_bidder(client, world, "丙服务")
    url = f"{scene.url}/procedure/objections"
    unknown = await client.post(url, json={"stage": "award", "grounds": "x"}, headers=second.headers)
    assert unknown.status_code == 422 and unknown.json()["invalid-params"][0]["name"] == "stage"
    stranger = await client.post(url, json={"stage": "opening", "grounds": "开标程序违法"}, headers=outsider.headers)
    assert stranger.status_code == 403

    # The evaluation ended when its report's candidates were settled: 7 working days from then.
    question = await client.post(url, json={"stage": "evaluation", "grounds": "评审专家未回避"}, headers=second.headers)
    assert question.status_code == 201, question.text
    assert question.json()["matter"] == "evaluation"
    answer_by = await working_days_after(world, clock.now(), states.GP_ANSWER_WITHIN)
    assert question.json()["due_at"] == answer_by.isoformat()
    answered = await client.post(
        f"{scene.url}/award/objections/{question.json()['id']}/answer",
        json={"outcome": "dismissed", "answer": "经核实，评审专家与供应商无利害关系"},
        headers=desk.agency_headers,
    )
    assert answered.status_code == 200, answered.text
    # The questioner is answered; the other suppliers of the tender are told of the answer.
    assert "objection_answer" in await notices(client, second.headers)
    for other in (first, third):
        assert "question_answer_notice" in await notices(client, other.headers)
        [told] = (await award_of(scene, other.headers))["question_answers"]
        assert told["answer"] == "经核实，评审专家与供应商无利害关系" and "grounds" not in told
    assert (await award_of(scene, second.headers))["question_answers"] == []  # its own is in `objections`
    page = (await client.get(f"/console/tenders/{scene.tender.id}", headers=first.headers)).text
    assert 'id="procedure-question"' in page and "对采购过程提出质疑" in page
    assert 'id="question-answers"' in page and "经核实，评审专家与供应商无利害关系" in page and "评审环节" in page

    # The 投诉 on it: the finance department suspends the procurement, for 30 days at most.
    complaint = await client.post(
        f"{scene.url}/award/objections/{question.json()['id']}/complaint",
        json={"grounds": "答复不实"},
        headers=second.headers,
    )
    assert complaint.status_code == 201, complaint.text
    complaint_url = f"{scene.url}/award/objections/{complaint.json()['id']}"
    accepted = await client.post(f"{complaint_url}/acceptance", json={"accept": True}, headers=desk.officer_headers)
    assert accepted.status_code == 200, accepted.text
    suspended = await client.post(
        f"{complaint_url}/suspension", json={"suspend": True, "reason": "调查期间暂停"}, headers=desk.officer_headers
    )
    assert suspended.status_code == 200, suspended.text
    ends = clock.now() + timedelta(days=30)
    assert suspended.json()["suspension_ends_at"] == ends.isoformat()
    assert [h["kind"] for h in (await award_of(scene, first.headers))["holds"]] == ["suspension_order"]
    clock.set(ends - timedelta(seconds=1))
    assert await step(world, "gp-suspension-lapsed") == 0
    clock.set(ends)
    assert await step(world, "gp-suspension-lapsed") == 1
    assert await step(world, "gp-suspension-lapsed") == 0  # once
    resumed = await award_of(scene, first.headers)
    assert resumed["holds"] == [] and "suspension_lapsed" in await notices(client, first.headers)
    [lapsed] = [o for o in (await award_of(scene, desk.officer_headers))["objections"] if o["kind"] == "complaint"]
    assert lapsed["suspension_lifted_at"] == ends.isoformat()
    again = await client.post(
        f"{complaint_url}/suspension", json={"suspend": True, "reason": "继续暂停"}, headers=desk.officer_headers
    )
    assert again.status_code == 409 and again.json()["type"].endswith("/period-ended")
    assert "30 days at most" in again.json()["detail"]

    # 7 working days after its stage ended, a 质疑 is refused naming the start and the end.
    until = await working_days_after(world, settled, states.GP_QUESTION_WITHIN)
    assert clock.now() > until
    late = await client.post(url, json={"stage": "opening", "grounds": "唱标有误"}, headers=third.headers)
    assert late.status_code == 409 and late.json()["type"].endswith("/period-ended")
    assert "7 working days of its end" in late.json()["detail"] and " until " in late.json()["detail"]

    # A tendering project has no such 质疑: its opening is objected to at the opening.
    tendering = await published_tender(client, world, desk=desk)
    not_gp = await client.post(
        f"/api/v1/tenders/{tendering.id}/procedure/objections",
        json={"stage": "opening", "grounds": "开标程序违法"},
        headers=outsider.headers,
    )
    assert not_gp.status_code == 409 and "实施条例 art. 44" in not_gp.json()["detail"]


async def test_an_upheld_question_on_the_result_voids_it_and_the_purchaser_confirms_another(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    """94号令 art. 16: a 质疑 on the result upheld before the contract voids the award; the purchaser
    confirms another of the qualified candidates (a new result notice) or procures again."""
    scene = await gp_candidates(client, world, clock)
    desk, first, second, third = scene.tender.desk, *scene.bidders
    recommended = [c["bid"] for c in (await award_of(scene, desk.agency_headers))["recommended"]]
    decision_url = f"{scene.url}/award/decision"
    confirmed = await client.post(decision_url, json={"bid": recommended[0]}, headers=desk.agency_headers)
    assert confirmed.status_code == 200, confirmed.text
    question = await client.post(
        f"{scene.url}/award/objections", json={"grounds": "中标供应商资格证书过期"}, headers=second.headers
    )
    upheld = await client.post(
        f"{scene.url}/award/objections/{question.json()['id']}/answer",
        json={"outcome": "upheld", "answer": "质疑成立，中标结果无效，另行确定中标供应商"},
        headers=desk.agency_headers,
    )
    assert upheld.status_code == 200, upheld.text
    view = await award_of(scene, desk.agency_headers)
    assert view["status"] == "awarded" and view["result"] is None  # no result stands
    assert [a["status"] for a in view["awards"]] == ["voided"] and view["awaiting_decision"] is True
    assert "result_voided" in await notices(client, desk.officer_headers)
    again = await client.post(decision_url, json={"bid": recommended[0]}, headers=desk.agency_headers)
    assert again.status_code == 422 and again.json()["invalid-params"][0]["code"] == "not_a_candidate"
    other = await client.post(
        decision_url, json={"bid": recommended[1], "reason": "第一候选人中标结果无效"}, headers=desk.agency_headers
    )
    assert other.status_code == 200, other.text
    result = (await award_of(scene, third.headers))["result"]
    assert result["winner"]["bid"] == recommended[1] and result["published_at"] == clock.now().isoformat()

    # Once the contract is signed an upheld 质疑 no longer voids it: the finance department decides.
    document = await award_document(scene, desk.agency_headers, "合同.pdf", b"%PDF-1.4 contract")
    today = clock.now().astimezone(SHANGHAI).date()
    contract = {
        "document": document,
        "amount": result["winner"]["price"],
        "signed_on": today.isoformat(),
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=300)).isoformat(),
    }
    assert (await client.post(f"{scene.url}/award/contract", json=contract, headers=desk.agency_headers)).is_success
    late = await client.post(
        f"{scene.url}/award/objections", json={"grounds": "第二中标人业绩不实"}, headers=first.headers
    )
    assert late.status_code == 201, late.text
    refused = await client.post(
        f"{scene.url}/award/objections/{late.json()['id']}/answer",
        json={"outcome": "upheld", "answer": "质疑成立"},
        headers=desk.agency_headers,
    )
    assert refused.status_code == 409 and "94号令 art. 32" in refused.json()["detail"]
    assert [a["status"] for a in (await award_of(scene, desk.agency_headers))["awards"]] == ["voided", "contracted"]
