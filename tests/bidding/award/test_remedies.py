"""Remedies through the HTTP API, on PostgreSQL (实施条例 arts. 22, 54, 60–62, 78): an objection to
the tender documents by a holder of them, 10 days before the deadline at the latest, holds the
tender (the opening waits) until the answer, which cites the amendment that changed the documents
and moved the deadline; a party that did not bid objects to the candidates stating its interest; a
complaint made directly on another matter within 10 days of knowing, accepted, its excluded time
recorded, the activity suspended by order and resumed by the decision, which is published."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.clock import FrozenClock
from tests.bidding.award.test_award_api import PRICES, notices, period, step
from tests.bids import new_bidder, published_tender
from tests.conftest import SHANGHAI, World
from tests.evaluations import drawn_committee, signed_report


async def award_view(client: AsyncTestClient[Litestar], url: str, headers: dict[str, str]) -> dict[str, Any]:
    answer = await client.get(f"{url}/award", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def status_of(client: AsyncTestClient[Litestar], url: str, headers: dict[str, str]) -> str:
    return str((await client.get(url, headers=headers)).json()["status"])


async def test_an_objection_to_the_documents_holds_the_opening_until_answered_and_an_amendment_moves_the_deadline(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    desk, url = tender.desk, f"/api/v1/tenders/{tender.id}"
    holder = await new_bidder(client, world, "甲建设")
    outsider = await new_bidder(client, world, "乙建设")
    documents = (await client.get(f"{url}/documents", headers=holder.headers)).json()
    tender_document = next(d for d in documents if d["kind"] == "tender_document")
    assert (await client.get(f"{url}/documents/{tender_document['id']}", headers=holder.headers)).status_code == 200
    deadline = datetime.fromisoformat((await client.get(url, headers=holder.headers)).json()["bid_deadline"])
    objections = f"{url}/documents/objections"

    # Only a holder of the documents objects to them; every bad field at once, nothing written.
    grounds = {"grounds": "资格条件要求类似业绩五项，排斥潜在投标人"}
    assert (await client.post(objections, json=grounds, headers=outsider.headers)).status_code == 403
    bad = await client.post(
        objections, json={"grounds": " ", "attachments": [str(uuid.uuid4())]}, headers=holder.headers
    )
    assert bad.status_code == 422
    assert {p["name"] for p in bad.json()["invalid-params"]} == {"grounds", "attachments[0]"}
    assert (await award_view(client, url, holder.headers))["holds"] == []

    # Eleven days before the deadline: raised, the agency told, the tender held for all to see.
    clock.set(deadline - timedelta(days=11))
    raised = await client.post(objections, json=grounds, headers=holder.headers)
    assert raised.status_code == 201, raised.text
    objection = raised.json()
    assert objection["matter"] == "documents"
    due = await period(client, clock.now(), 3)
    assert datetime.fromisoformat(objection["due_at"]) == datetime.fromisoformat(due["ends_at"])
    assert "objection" in await notices(client, desk.agency_headers)
    held = (await award_view(client, url, outsider.headers))["holds"]
    assert [h["kind"] for h in held] == ["document_objection"]

    # The answer "amended" cites an amendment issued after the objection; none yet.
    answer_url = f"{url}/award/objections/{objection['id']}/answer"
    premature = await client.post(
        answer_url, json={"outcome": "amended", "answer": "已修改", "amendment": 1}, headers=desk.agency_headers
    )
    assert premature.status_code == 422 and premature.json()["invalid-params"][0]["name"] == "amendment"
    wrong = await client.post(answer_url, json={"outcome": "reevaluation", "answer": "x"}, headers=desk.agency_headers)
    assert wrong.status_code == 422 and wrong.json()["invalid-params"][0]["name"] == "outcome"
    change = await client.post(
        f"{url}/amendments",
        json={"kind": "change", "summary": "类似业绩要求由五项改为一项"},
        headers=desk.agency_headers,
    )
    assert change.status_code == 201 and change.json()["deadline_moved"], change.text  # 15 days again (Law art. 23)
    moved = datetime.fromisoformat(change.json()["deadline_after"])
    assert moved - clock.now() >= timedelta(days=15)
    answered = await client.post(
        answer_url,
        json={"outcome": "amended", "answer": "异议成立，已发布第1号修改", "amendment": 1},
        headers=desk.agency_headers,
    )
    assert answered.status_code == 200, answered.text
    assert (answered.json()["outcome"], answered.json()["amendment"]) == ("amended", 1)
    assert (await award_view(client, url, outsider.headers))["holds"] == []
    assert "objection_answer" in await notices(client, holder.headers)

    # A second objection holds the opening past its time until it is answered.
    again = await client.post(objections, json={"grounds": "修改后的工期要求仍不合理"}, headers=holder.headers)
    assert again.status_code == 201, again.text
    clock.set(moved + timedelta(minutes=1))
    await step(world, "opening-start")
    assert await status_of(client, url, desk.agency_headers) == "published"  # held: the opening waits
    refused_late = await client.post(objections, json=grounds, headers=holder.headers)
    assert refused_late.status_code == 409  # the tender is past its deadline
    dismissed = await client.post(
        f"{url}/award/objections/{again.json()['id']}/answer",
        json={"outcome": "dismissed", "answer": "工期按定额测算，要求合理"},
        headers=desk.agency_headers,
    )
    assert dismissed.status_code == 200, dismissed.text
    await step(world, "opening-start")
    assert await status_of(client, url, desk.agency_headers) == "failed"  # opened: fewer than three bids


async def test_an_objection_to_the_documents_less_than_ten_days_before_the_deadline_is_refused_naming_the_end(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    url = f"/api/v1/tenders/{tender.id}"
    holder = await new_bidder(client, world, "甲建设")
    documents = (await client.get(f"{url}/documents", headers=holder.headers)).json()
    await client.get(f"{url}/documents/{documents[0]['id']}", headers=holder.headers)
    deadline = datetime.fromisoformat((await client.get(url, headers=holder.headers)).json()["bid_deadline"])
    clock.set(deadline - timedelta(days=10) + timedelta(minutes=1))
    late = await client.post(f"{url}/documents/objections", json={"grounds": "工期不合理"}, headers=holder.headers)
    assert late.status_code == 409
    last = (deadline - timedelta(days=10)).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert "10 days before the bid deadline" in late.json()["detail"] and last in late.json()["detail"]
    assert (await award_view(client, url, holder.headers))["holds"] == []


async def test_a_party_that_did_not_bid_objects_to_the_candidates_stating_its_interest(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world, prices=PRICES)
    await signed_report(scene, clock)
    desk = scene.tender.desk
    await client.post(f"{scene.url}/award/publicity", headers=desk.agency_headers)
    subcontractor = await new_bidder(client, world, "丁劳务")
    url = f"{scene.url}/award/objections"
    silent = await client.post(url, json={"grounds": "第一候选人项目经理在建"}, headers=subcontractor.headers)
    assert silent.status_code == 422 and silent.json()["invalid-params"][0]["name"] == "interest"
    stated = await client.post(
        url,
        json={"grounds": "第一候选人项目经理在建", "interest": "拟定的分包单位，结果影响本单位合同"},
        headers=subcontractor.headers,
    )
    assert stated.status_code == 201, stated.text
    assert stated.json()["interest"] == "拟定的分包单位，结果影响本单位合同"
    assert "objection" in await notices(client, desk.agency_headers)


async def test_a_direct_complaint_is_accepted_its_excluded_time_added_the_activity_suspended_and_the_decision_published(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    desk, url = tender.desk, f"/api/v1/tenders/{tender.id}"
    bidder = await new_bidder(client, world, "甲建设")
    complaints = f"{url}/award/complaints"
    today = clock.now().astimezone(SHANGHAI).date()

    # Every bad field at once; an objection comes first on the documents and the candidates.
    first = await client.post(complaints, json={"matter": "documents", "grounds": " "}, headers=bidder.headers)
    assert first.status_code == 422
    assert {p["name"] for p in first.json()["invalid-params"]} == {"matter", "grounds"}
    no_day = await client.post(complaints, json={"matter": "other", "grounds": "x"}, headers=bidder.headers)
    assert no_day.status_code == 422 and no_day.json()["invalid-params"][0]["name"] == "known_on"
    opening = await client.post(complaints, json={"matter": "opening", "grounds": "x"}, headers=bidder.headers)
    assert opening.status_code == 422  # no objection at the opening answered on the spot
    # Known on Wednesday 18 November: ten days end on Saturday the 28th, moved to Monday the 30th,
    # today (民法典 art. 203); known on Tuesday the 17th, they ended on Friday the 27th.
    in_time = {"matter": "other", "grounds": "代理机构收取不合理费用", "known_on": str(today - timedelta(days=12))}
    stale = await client.post(
        complaints, json={**in_time, "known_on": str(today - timedelta(days=13))}, headers=bidder.headers
    )
    assert stale.status_code == 409 and "within 10 days of knowing" in stale.json()["detail"]
    assert "the period ended 2026-11-27 24:00" in stale.json()["detail"]

    made = await client.post(complaints, json=in_time, headers=bidder.headers)
    assert made.status_code == 201, made.text
    complaint = made.json()
    assert (complaint["kind"], complaint["matter"], complaint["parent"]) == ("complaint", "other", None)
    assert "complaint" in await notices(client, desk.officer_headers)
    base = f"{url}/award/objections/{complaint['id']}"
    exclude = {"kind": "expert_review", "from": str(today), "to": str(today + timedelta(days=6)), "reason": "专家评审"}
    early = await client.post(f"{base}/excluded-time", json=exclude, headers=desk.officer_headers)
    assert early.status_code == 409  # not accepted yet
    accepted = await client.post(f"{base}/acceptance", json={"accept": True}, headers=desk.officer_headers)
    assert accepted.status_code == 200, accepted.text
    accepted_at = datetime.fromisoformat(accepted.json()["accepted_at"])

    # Seven days of expert review, five of them working days, move the decision's day.
    backwards = {**exclude, "to": str(today - timedelta(days=1))}
    bad = await client.post(f"{base}/excluded-time", json=backwards, headers=desk.officer_headers)
    assert bad.status_code == 422 and {p["name"] for p in bad.json()["invalid-params"]} == {"to"}
    by_agency = await client.post(f"{base}/excluded-time", json=exclude, headers=desk.agency_headers)
    assert by_agency.status_code == 403
    excluded = await client.post(f"{base}/excluded-time", json=exclude, headers=desk.officer_headers)
    assert excluded.status_code == 200, excluded.text
    working = excluded.json()["excluded"][0]["working_days"]
    assert working == 5  # 2026-11-30 (Mon) to 2026-12-06 (Sun)
    expected = await client.get(
        "/api/v1/calendar/period",
        params={
            "from": accepted_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
            "days": 30 + working,
            "working": "true",
        },
    )
    assert datetime.fromisoformat(excluded.json()["due_at"]) == datetime.fromisoformat(expected.json()["ends_at"])

    # A suspension order holds the tender: the opening waits past its time.
    silent = await client.post(f"{base}/suspension", json={"suspend": True, "reason": ""}, headers=desk.officer_headers)
    assert silent.status_code == 422
    ordered = await client.post(
        f"{base}/suspension",
        json={"suspend": True, "reason": "投诉涉及收费，暂停以待处理"},
        headers=desk.officer_headers,
    )
    assert ordered.status_code == 200, ordered.text
    assert "suspension_order" in await notices(client, desk.agency_headers)
    assert [h["kind"] for h in (await award_view(client, url, bidder.headers))["holds"]] == ["suspension_order"]
    twice = await client.post(f"{base}/suspension", json={"suspend": True, "reason": "x"}, headers=desk.officer_headers)
    assert twice.status_code == 409
    deadline = datetime.fromisoformat((await client.get(url, headers=bidder.headers)).json()["opening_time"])
    clock.set(deadline + timedelta(minutes=5))
    await step(world, "opening-start")
    assert await status_of(client, url, desk.agency_headers) == "published"

    # The decision lifts the order and is published, for anyone to read.
    decided = await client.post(
        f"{base}/answer",
        json={"outcome": "upheld", "answer": "投诉成立，责令代理机构退还所收费用"},
        headers=desk.officer_headers,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["suspension_lifted_at"] is not None
    assert (await award_view(client, url, bidder.headers))["holds"] == []
    published = await client.get("/api/v1/complaint-decisions")
    assert published.status_code == 200
    mine = [d for d in published.json() if d["tender"] == tender.id]
    assert [(d["matter"], d["outcome"], d["decision"]) for d in mine] == [
        ("other", "upheld", "投诉成立，责令代理机构退还所收费用")
    ]
    assert mine[0]["complainant"] == bidder.org.name
    after = await client.post(f"{base}/suspension", json={"suspend": True, "reason": "x"}, headers=desk.officer_headers)
    assert after.status_code == 409
    await step(world, "opening-start")
    assert await status_of(client, url, desk.agency_headers) == "failed"
