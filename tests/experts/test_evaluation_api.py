"""The whole evaluation through the HTTP API on PostgreSQL: the pool imported, the committee
drawn and verified, kept secret, replaced through the reserves, the bids read (audited), the
scores with an abnormal total explained, the report signed (with a dissent and a refusal),
an art. 64 correction and a refused fifth case, and the members rated."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.core.clock import FrozenClock
from app.core.models import AuditEvent
from app.identity.models import User
from experts import draw
from experts.models import Expert
from tests.bids import DECLARED, SECRET_DOCUMENT, published_tender
from tests.conftest import SHANGHAI, World, login
from tests.evaluations import BEACON, TEMPLATE, Scene, csv_of, drawn_committee, row
from tests.openings import at_opening_time, hand_in, share_words, wait_for


async def actions(world: World, action: str) -> list[AuditEvent]:
    async with world.sessions() as session:
        return list(
            await session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
        )


async def test_the_pool_import_is_all_or_nothing_and_idempotent(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    from app.core.actor import Role

    admin = await login(client, (await world.user(Role.admin)).username)
    headers = {**admin, "content-type": "text/csv"}
    rows = [row("li.ming", "construction.civil"), row("wang.fang", "economics.cost")]
    first = await client.post("/api/v1/experts/import", content=csv_of(rows), headers=headers)
    assert first.json() == {"added": ["li.ming", "wang.fang"], "changed": [], "unchanged": 0}
    again = await client.post("/api/v1/experts/import", content=csv_of(rows), headers=headers)
    assert again.json() == {"added": [], "changed": [], "unchanged": 2}
    assert len(await actions(world, "expert_pool.import")) == 1  # the second import wrote nothing

    bad = [
        rows[0] | {"title": "教授"},
        row("zhao", "mining"),
        row("qian.li", "economics.cost", birth_date="1970-02-30"),
    ]
    refused = await client.post("/api/v1/experts/import", content=csv_of(bad), headers=headers)
    assert refused.status_code == 422
    assert [(r["line"], r["field"]) for r in refused.json()["rows"]] == [(3, "specialties"), (4, "birth_date")]
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Expert)) == 2
        assert (
            await session.scalar(select(Expert.title).where(Expert.name == "专家li.ming")) == "高级工程师"
        )  # unchanged
    changed = await client.post("/api/v1/experts/import", content=csv_of([bad[0]]), headers=headers)
    assert changed.json() == {"added": [], "changed": ["li.ming"], "unchanged": 0}
    bidder_headers = await login(client, (await world.user(Role.bidder, await world.org())).username)
    assert (await client.post("/api/v1/experts/import", content=b"x", headers=bidder_headers)).status_code == 403


def seat_of(seats: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(s for s in seats if s["name"] == name)


async def sheet_for(scene: Scene, abnormal: bool = False) -> dict[str, dict[str, Any]]:
    bids = [
        b["bid"]
        for b in (await scene.client.get(scene.url + "/evaluation", headers=scene.tender.desk.officer_headers)).json()[
            "bids"
        ]
    ]
    t1 = ["30", "32", "40" if abnormal else "28"]
    return {bid: {"t1": t1[i], "b1": "8", "q": True} for i, bid in enumerate(bids)}


async def test_from_an_opened_tender_to_a_signed_report(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    # A GP service: its template names the category and the SME deduction; the first bidder
    # declares itself small but encloses no SME declaration, the second medium.
    gp_template = {**TEMPLATE, "category": "services", "sme_deduction": "0.10"}
    fields = {0: {**DECLARED, "sme": "small"}, 1: {**DECLARED, "sme": "medium"}}
    scene = await drawn_committee(
        client,
        world,
        project_type="government_procurement",
        budget="9500000.00",  # under 10 million yuan: a committee of 5 is enough (87号令 art. 47)
        draw_before_opening=timedelta(hours=3),  # GP: within 2 working days of the review
        template=gp_template,
        fields=fields,
    )
    desk = scene.tender.desk
    bidder = scene.bidders[0].headers

    # The draw: its commitment is public, its seed and seats are for supervisors only, and the
    # revealed seed and snapshot replay to exactly the seats drawn.
    public = (await client.get(f"{scene.url}/draw", headers=bidder)).json()
    assert public["status"] == "drawn" and len(public["commitment"]) == 128
    assert "seed" not in public and "seats" not in public and "snapshot" not in public
    revealed = (await client.get(f"{scene.url}/draw", headers=desk.officer_headers)).json()
    beacon = draw.Beacon(revealed["beacon"]["entry"], revealed["beacon"]["head_size"], revealed["beacon"]["head_root"])
    assert beacon.entry == BEACON and "beacon" not in public
    committed, drawn_at = datetime.fromisoformat(public["committed_at"]), datetime.fromisoformat(public["drawn_at"])
    assert drawn_at - committed >= timedelta(minutes=10)  # the commitment came the lead before the draw
    assert committed <= datetime.fromisoformat(public["entered_at"]) < drawn_at
    replay = draw.verify(revealed["snapshot"].encode(), revealed["seed"], revealed["commitment"], beacon)
    drawn = {(s["expert"], s["specialty"], s["order"]) for s in revealed["seats"]}
    assert drawn == {(s.expert_id, s.specialty, s.order) for s in (*replay.members, *replay.reserves)}
    snapshot = json.loads(revealed["snapshot"])
    reasons = sorted(r for reasons in snapshot["excluded"].values() for r in reasons)
    assert reasons == sorted(
        [
            "employed_by_tenderee",
            "employed_by_agency",
            "employed_by_bidder",
            "over_age",
            "dismissed",
            "suspended",
            "unavailable",
        ]
    )
    [commit] = await actions(world, "draw.commit")
    [drawn_event] = await actions(world, "draw.drawn")
    assert commit.seq < drawn_event.seq  # the commitment was in the trail before the seats

    # Nobody but supervisors learns the committee before the evaluation: 404 for the rest.
    for headers in (bidder, desk.agency_headers):
        hidden = await client.get(f"{scene.url}/committee", headers=headers)
        assert hidden.status_code == 404 and "专家" not in hidden.text
    seats = await scene.committee()
    members = [s for s in seats if s["status"] == "drawn"]
    assert len(members) == 5 and sum(s["status"] == "reserve" for s in seats) == 3
    civil = [s for s in members if s["specialty"] == "construction.civil"]

    first_civil = await scene.headers_of(civil[0]["name"])
    assert (await client.get(f"{scene.url}/committee", headers=first_civil)).status_code == 404  # not yet started
    [assignment] = (await client.get("/api/v1/experts/me/assignments", headers=first_civil)).json()
    assert assignment["tender"] is None and assignment["evaluation_on"] == scene.evaluation_on.isoformat()

    # A member declines without a cause: the first civil reserve is called in.
    declined = await client.post(
        f"/api/v1/expert-assignments/{assignment['seat']}/decline", json={}, headers=first_civil
    )
    assert declined.status_code == 200 and declined.json()["reason"] == "declined_without_cause"
    seats = await scene.committee()
    civil_reserves = sorted(
        (s for s in seats if s["specialty"] == "construction.civil" and s["order"] > 3), key=lambda s: s["order"]
    )
    assert civil_reserves[0]["status"] == "drawn" and civil_reserves[1]["status"] == "reserve"

    # The opening, then the evaluation.
    await at_opening_time(client, scene.tender, clock)
    for role in ("agency", "supervisor"):
        words, headers = await share_words(client, scene.tender, role)
        await hand_in(client, scene.tender, words, headers)
    await wait_for(client, scene.tender, "read_out")
    started = await client.post(f"{scene.url}/evaluation/start", headers=desk.agency_headers)
    assert started.status_code == 200 and started.json() == {
        "tender": scene.tender.id,
        "status": "evaluation",
        "bids": 3,
    }

    members = [s for s in await scene.committee() if s["status"] == "drawn"]
    names = [s["name"] for s in members]
    heads = {name: await scene.headers_of(name) for name in names}
    one = names[0]
    view = (await client.get(f"{scene.url}/committee", headers=heads[one])).json()
    assert sorted(s["name"] for s in view["seats"]) == sorted(names)  # members know each other now
    assignments = (await client.get("/api/v1/experts/me/assignments", headers=heads[one])).json()
    assert assignments[0]["tender"]["id"] == scene.tender.id

    # A cost member declares a conflict: the cost reserve replaces them.
    conflicted = next(s["name"] for s in members if s["specialty"] == "economics.cost")
    answer = await client.post(
        f"{scene.url}/evaluation/declaration",
        json={"conflict": True, "statement": "曾在投标单位0任职"},
        headers=heads[conflicted],
    )
    assert answer.json()["status"] == "replaced"
    members = [s for s in await scene.committee() if s["status"] == "drawn"]
    names = [s["name"] for s in members]
    heads = {name: await scene.headers_of(name) for name in names}
    assert conflicted not in names and len(names) == 5

    bid_list = (await client.get(f"{scene.url}/evaluation", headers=heads[names[0]])).json()["bids"]
    document_url = f"{scene.url}/evaluation/bids/{bid_list[0]['bid']}/documents/0"
    assert (await client.get(document_url, headers=heads[names[0]])).status_code == 409  # declare first
    for name in names:
        ok = await client.post(f"{scene.url}/evaluation/declaration", json={"conflict": False}, headers=heads[name])
        assert ok.json()["status"] == "seated"
    document = await client.get(document_url, headers=heads[names[0]])
    assert document.status_code == 200 and document.content == SECRET_DOCUMENT
    assert len(await actions(world, "bid.document_read")) == 1
    assert (await client.get(document_url, headers=desk.agency_headers)).status_code == 403

    # Who read the bid is a committee member's name: the audit trail shows it to supervisors only
    # (the admin, who gets 404 from /committee, reads "评标专家"; the digests stay the same).
    reader = next(r["username"] for r in scene.rows if r["name"] == names[0])
    trail = {"object_type": "bid", "object_id": bid_list[0]["bid"]}
    as_officer = (await client.get("/api/v1/audit-events", params=trail, headers=desk.officer_headers)).json()
    as_admin = (await client.get("/api/v1/audit-events", params=trail, headers=scene.admin_headers)).json()
    [officer_read] = [e for e in as_officer if e["action"] == "bid.document_read"]
    [admin_read] = [e for e in as_admin if e["action"] == "bid.document_read"]
    assert officer_read["actor"] == reader and officer_read["actor_id"] is not None
    assert admin_read["actor"] == "评标专家" and admin_read["actor_id"] is None and admin_read["client_ip"] is None
    assert admin_read["leaf_hash"] == officer_read["leaf_hash"]
    page = await client.get(f"/console/audit/bid/{bid_list[0]['bid']}", headers=scene.admin_headers)
    assert page.status_code == 200 and reader not in page.text and "评标专家" in page.text

    # The agency sees the evaluation's status, not who evaluates or how.
    agency_view = (await client.get(f"{scene.url}/evaluation", headers=desk.agency_headers)).json()
    assert set(agency_view) == {"tender", "status", "tender_status"}

    # Scores: out of range refused naming the item; one member scores a bid abnormally high.
    bad = await client.put(
        f"{scene.url}/evaluation/scores", json={"scores": {bid_list[0]["bid"]: {"t1": "41"}}}, headers=heads[names[0]]
    )
    assert bad.status_code == 422 and "item t1 is scored within [0, 40]" in bad.text
    for typed in ("３０", "30e0", " 30", "+30", "٣٠"):  # full-width, exponent, space, sign, Arabic-Indic digits
        odd = await client.put(
            f"{scene.url}/evaluation/scores",
            json={"scores": {bid_list[0]["bid"]: {"t1": typed}}},
            headers=heads[names[0]],
        )
        assert odd.status_code == 422 and "ASCII digits" in odd.text, typed
    abnormal = names[0]
    late = names[-1]
    for name in names[:-1]:
        saved = await client.put(
            f"{scene.url}/evaluation/scores",
            json={"scores": await sheet_for(scene, name == abnormal), "submit": True},
            headers=heads[name],
        )
        assert saved.status_code == 200, saved.text
    before = (await client.get(f"{scene.url}/evaluation/scores", headers=heads[late])).json()
    assert "members" not in before  # nobody else's scores before one's own are in
    await client.put(
        f"{scene.url}/evaluation/scores", json={"scores": await sheet_for(scene), "submit": True}, headers=heads[late]
    )
    after = (await client.get(f"{scene.url}/evaluation/scores", headers=heads[late])).json()
    assert len(after["members"]) == 4

    # A civil member who has scored declares a conflict after all: their scores are void and the
    # second civil reserve re-evaluates.
    civil_names = [s["name"] for s in members if s["specialty"] == "construction.civil" and s["name"] != abnormal]
    leaving = civil_names[0]
    await client.post(
        f"{scene.url}/evaluation/declaration",
        json={"conflict": True, "statement": "亲属在投标单位1"},
        headers=heads[leaving],
    )
    members = [s for s in await scene.committee() if s["status"] in ("drawn", "seated")]
    newcomer = next(s["name"] for s in members if s["name"] not in names)
    heads[newcomer] = await scene.headers_of(newcomer)
    progress = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()["progress"]
    assert {p["name"] for p in progress} == (set(names) - {leaving}) | {newcomer}
    await client.post(f"{scene.url}/evaluation/declaration", json={"conflict": False}, headers=heads[newcomer])
    names = [n for n in names if n != leaving] + [newcomer]
    await client.put(
        f"{scene.url}/evaluation/scores",
        json={"scores": await sheet_for(scene), "submit": True},
        headers=heads[newcomer],
    )

    state = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()
    by_bid = [b["bid"] for b in state["bids"]]
    result = state["result"]
    # prices 8236500, 8100000, 7990000: price scores 29.10, 29.59, 30.00; t1 drops 40 among five
    assert result["price_scores"] == {by_bid[0]: "29.10", by_bid[1]: "29.59", by_bid[2]: "30.00"}
    assert result["totals"] == {by_bid[0]: "67.10", by_bid[1]: "69.59", by_bid[2]: "66.00"}
    assert result["ranking"] == [by_bid[1], by_bid[0], by_bid[2]]
    # No deduction without the declaration, and the committee sees why; the prices scored are shown.
    assert list(result["sme_notes"]) == [by_bid[0]] and result["sme_notes"][by_bid[0]].startswith("no_declaration")
    assert result["evaluated_prices"] == {by_bid[0]: "8236500.00", by_bid[1]: "8100000.00", by_bid[2]: "7990000.00"}
    [anomaly] = result["anomalies"]
    assert anomaly["bid"] == by_bid[2] and anomaly["deviation"] == "0.3333"  # 48 against 36

    # The report cannot be signed before the abnormal total is explained.
    refused = await client.post(
        f"{scene.url}/evaluation/signatures", json={"decision": "sign"}, headers=heads[names[1]]
    )
    assert refused.status_code == 409 and any("abnormal" in b for b in refused.json()["blockers"])
    explained = await client.post(
        f"{scene.url}/evaluation/explanations",
        json={"bid": by_bid[2], "explanation": "该投标人的装配式方案明显优于其他投标人"},
        headers=heads[abnormal],
    )
    assert explained.status_code == 200
    decisions = ["sign", "dissent", "refuse", "sign", "sign"]
    for name, decision in zip(names, decisions, strict=True):
        body = (
            {"decision": decision, "reason": "价格分计算方法不合理"}
            if decision == "dissent"
            else {"decision": decision}
        )
        signed = await client.post(f"{scene.url}/evaluation/signatures", json=body, headers=heads[name])
        assert signed.status_code == 200, signed.text
    # The last signature signs the report; the credit check of the candidates runs in the same
    # transaction (nobody is listed here): the tender has its candidate winners.
    assert signed.json() == {"decision": "sign", "revision": 0, "evaluation": "signed", "tender_status": "candidates"}
    tender_view = (await client.get(f"/api/v1/tenders/{scene.tender.id}", headers=bidder)).json()
    assert tender_view["status"] == "candidates"
    [announced] = await actions(world, "evaluation.report_signed")
    assert announced.object_id == scene.tender.id

    report = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()["report"]
    assert report["result"]["candidates"] == [by_bid[1], by_bid[0], by_bid[2]]
    assert [d["reason"] for d in report["dissent"]] == ["价格分计算方法不合理"]
    assert {m["name"] for m in report["members"]} == set(names)
    agency_report = (await client.get(f"{scene.url}/evaluation", headers=desk.agency_headers)).json()["report"]
    assert all(m["name"].startswith("评委") for m in agency_report["members"])
    assert not any(name in json.dumps(agency_report, ensure_ascii=False) for name in names)

    # After signing a score changes only in a re-review by the original committee, which the
    # agency opens in government procurement for a case of MOF order 87 art. 64.
    unopened = await client.post(
        f"{scene.url}/evaluation/corrections",
        json={"bid": by_bid[2], "item": "t1", "value": "28", "case": "abnormal_score", "reason": "修正畸高分"},
        headers=heads[abnormal],
    )
    assert unopened.status_code == 409 and "POST …/evaluation/re-review" in unopened.json()["detail"]
    re_review = f"{scene.url}/evaluation/re-review"
    vague = await client.post(re_review, json={"case": "changed_mind", "reason": " "}, headers=desk.agency_headers)
    assert vague.status_code == 422 and {p["name"] for p in vague.json()["invalid-params"]} == {"case", "reason"}
    by_bidder = await client.post(re_review, json={"case": "abnormal_score", "reason": "x"}, headers=bidder)
    assert by_bidder.status_code == 403
    opened = await client.post(
        re_review, json={"case": "abnormal_score", "reason": "评委对投标3技术分畸高"}, headers=desk.agency_headers
    )
    assert opened.status_code == 200 and opened.json()["status"] == "evaluated", opened.text
    assert opened.json()["revision"] == 1  # the re-review's report is the next revision
    # Only the four art. 64 cases change a score.
    fifth = await client.post(
        f"{scene.url}/evaluation/corrections",
        json={"bid": by_bid[2], "item": "t1", "value": "28", "case": "changed_mind", "reason": "再想想"},
        headers=heads[abnormal],
    )
    assert fifth.status_code == 422 and "arithmetic_error" in fifth.text
    corrected = await client.post(
        f"{scene.url}/evaluation/corrections",
        json={
            "bid": by_bid[2],
            "item": "t1",
            "value": "28",
            "case": "abnormal_score",
            "reason": "评委会复核后修正畸高分",
        },
        headers=heads[abnormal],
    )
    assert corrected.status_code == 200 and corrected.json()["revision"] == 2
    assert corrected.json()["result"]["anomalies"] == []
    # Every member signs the revised report again; a later correction makes an earlier signature lapse.
    early = await client.post(f"{scene.url}/evaluation/signatures", json={"decision": "sign"}, headers=heads[names[0]])
    assert early.status_code == 200 and early.json()["revision"] == 2 and early.json()["tender_status"] == "evaluated"
    twice = await client.post(f"{scene.url}/evaluation/signatures", json={"decision": "sign"}, headers=heads[names[0]])
    assert twice.status_code == 409 and "revision 2" in twice.json()["detail"]
    for revision, (case, value) in enumerate(
        [("arithmetic_error", "30"), ("out_of_range", "31"), ("objective_inconsistent", "8")], start=3
    ):
        item = "b1" if case == "objective_inconsistent" else "t1"
        again = await client.post(
            f"{scene.url}/evaluation/corrections",
            json={"bid": by_bid[0], "item": item, "value": value, "case": case, "reason": f"复核：{case}"},
            headers=heads[abnormal],
        )
        assert again.status_code == 200 and again.json()["revision"] == revision
    during = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()
    assert during["report"]["revision"] == 0  # the signed report stands until the revision is signed
    assert [p["signed"] for p in during["progress"]] == [False] * 5
    final = again.json()["result"]["candidates"]
    for name in names:
        resigned = await client.post(
            f"{scene.url}/evaluation/signatures", json={"decision": "sign"}, headers=heads[name]
        )
        assert resigned.status_code == 200, resigned.text
    assert resigned.json() == {"decision": "sign", "revision": 5, "evaluation": "signed", "tender_status": "candidates"}
    revised = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()["report"]
    assert revised["revision"] == 5 and [c["case"] for c in revised["corrections"]] == [
        "abnormal_score",
        "arithmetic_error",
        "out_of_range",
        "objective_inconsistent",
    ]
    assert [s["member"] for s in revised["signatures"]] == [m["name"] for m in revised["members"]] and revised[
        "dissent"
    ] == []
    [review] = revised["re_reviews"]
    assert review["case"] == "abnormal_score" and review["candidates"] == [by_bid[1], by_bid[0], by_bid[2]]
    assert review["candidates_after"] == final == review["candidates"] and review["changed"] is False
    # The result stands: nothing to report to the finance department (a changed one is:
    # tests/bidding/award/test_award_api.py).
    told = [n["kind"] for n in (await client.get("/api/v1/notifications", headers=desk.officer_headers)).json()]
    assert "re_review_changed" not in told
    [closed] = await actions(world, "evaluation.re_review_signed")
    assert closed.object_id == str(scene.tender.id)

    # The assessment: the agency rates a member; the decline without cause is on record.
    seat = seat_of(await scene.committee(), names[1])
    rated = await client.post(
        f"{scene.url}/evaluation/ratings", json={"seat": seat["seat"], "score": 88}, headers=desk.agency_headers
    )
    assert rated.status_code == 201
    again = await client.post(
        f"{scene.url}/evaluation/ratings", json={"seat": seat["seat"], "score": 10}, headers=desk.agency_headers
    )
    assert again.status_code == 409
    record = (await client.get(f"/api/v1/experts/{seat['expert']}/record", headers=desk.officer_headers)).json()
    assert record["average_rating"] == "88.00"
    decliner = seat_of(await scene.committee(), civil[0]["name"])
    decliner_record = (
        await client.get(f"/api/v1/experts/{decliner['expert']}/record", headers=desk.officer_headers)
    ).json()
    assert [i["kind"] for i in decliner_record["incidents"]] == ["decline_without_cause"]


async def test_days_an_expert_declares_survive_every_import_of_the_pool(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    from app.core.actor import Role

    admin = await login(client, (await world.user(Role.admin)).username)
    headers = {**admin, "content-type": "text/csv"}
    rows = [row("li.ming", "construction.civil", unavailable="2026-12-20/2026-12-21")]
    assert (await client.post("/api/v1/experts/import", content=csv_of(rows), headers=headers)).is_success
    async with world.sessions() as session:
        user_id = await session.scalar(select(User.id).where(User.username == "li.ming"))
    password = {"new_password": "专家密码-correct-horse"}
    assert (await client.post(f"/api/v1/users/{user_id}/password", json=password, headers=admin)).is_success
    expert = await login(client, "li.ming", "专家密码-correct-horse")
    declared = {"blocks": [{"starts_on": "2027-01-05", "ends_on": "2027-01-05"}]}
    assert (await client.put("/api/v1/experts/me/unavailability", json=declared, headers=expert)).is_success

    # The same file again changes nothing, and the declared day stays.
    again = await client.post("/api/v1/experts/import", content=csv_of(rows), headers=headers)
    assert again.json() == {"added": [], "changed": [], "unchanged": 1}
    mine = (await client.get("/api/v1/experts/me", headers=expert)).json()
    assert mine["unavailable"] == [["2026-12-20", "2026-12-21"]]
    assert mine["declared_unavailable"] == [["2027-01-05", "2027-01-05"]]

    # A file that moves the pool's days replaces those only; the expert's stay theirs.
    moved = [rows[0] | {"unavailable": "2026-12-28/2026-12-28"}]
    changed = await client.post("/api/v1/experts/import", content=csv_of(moved), headers=headers)
    assert changed.json()["changed"] == ["li.ming"]
    mine = (await client.get("/api/v1/experts/me", headers=expert)).json()
    assert mine["unavailable"] == [["2026-12-28", "2026-12-28"]]
    assert mine["declared_unavailable"] == [["2027-01-05", "2027-01-05"]]
    # … and the expert's own list replaces only theirs.
    cleared = await client.put("/api/v1/experts/me/unavailability", json={"blocks": []}, headers=expert)
    assert (
        cleared.json()["unavailable"] == [["2026-12-28", "2026-12-28"]] and cleared.json()["declared_unavailable"] == []
    )


async def test_a_gp_committee_is_drawn_within_2_working_days_of_the_review(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    tender = await published_tender(client, world, project_type="government_procurement", budget="9500000.00")
    detail = (await client.get(f"/api/v1/tenders/{tender.id}", headers=tender.desk.officer_headers)).json()
    opening = datetime.fromisoformat(detail["opening_time"])
    evaluation_on = opening.astimezone(SHANGHAI).date()
    url, quotas = (
        f"/api/v1/tenders/{tender.id}/draw",
        [{"specialty": "construction.civil", "members": 7, "reserves": 2}],
    )
    early = {
        "draw_at": (opening - timedelta(days=7)).isoformat(),
        "evaluation_on": str(evaluation_on),
        "quotas": quotas,
    }
    refused = await client.put(url, json=early, headers=tender.desk.agency_headers)
    assert refused.status_code == 422
    [problem] = [p for p in refused.json()["invalid-params"] if p["name"] == "draw_at"]
    assert problem["code"] == "too_early" and "2 working days" in problem["reason"]
    timely = {**early, "draw_at": (opening - timedelta(hours=3)).isoformat()}
    answer = await client.put(url, json=timely, headers=tender.desk.agency_headers)
    assert answer.status_code == 200, answer.text


async def test_a_gp_tenders_template_meets_gps_price_rules(client: AsyncTestClient[Litestar], world: World) -> None:
    tender = await published_tender(client, world, project_type="government_procurement")
    url, headers = f"/api/v1/tenders/{tender.id}/evaluation/template", tender.desk.agency_headers
    deviation = {**TEMPLATE, "price": {"formula": "deviation", "full": "30"}, "sme_deduction": "0.30"}
    refused = await client.put(url, json=deviation, headers=headers)
    assert refused.status_code == 422
    named = {p["name"] for p in refused.json()["invalid-params"]}
    assert named == {"price.formula", "category"}
    too_much = await client.put(url, json={**TEMPLATE, "category": "goods", "sme_deduction": "0.30"}, headers=headers)
    assert too_much.status_code == 422 and "10%-20% for goods" in too_much.text
    wrong_regime = await client.put(url, json={**TEMPLATE, "regime": "tendering"}, headers=headers)
    assert wrong_regime.status_code == 422 and wrong_regime.json()["invalid-params"][0]["name"] == "regime"
    assert (await client.get(url, headers=headers)).status_code == 404  # nothing kept
    fixed = await client.put(url, json={**TEMPLATE, "category": "goods", "aggregation": "mean"}, headers=headers)
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["regime"] == "government_procurement" and fixed.json()["category"] == "goods"

    works = await published_tender(client, world, tender.desk)  # a tendering project: no SME deduction
    answer = await client.put(
        f"/api/v1/tenders/{works.id}/evaluation/template",
        json={**TEMPLATE, "sme_deduction": "0.10"},
        headers=works.desk.agency_headers,
    )
    assert answer.status_code == 422 and answer.json()["invalid-params"][0]["name"] == "sme_deduction"


async def test_members_signing_at_once_sign_the_report_exactly_once(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock, two_servers: list[str]
) -> None:
    """Five members sign at the same moment through two web workers: the signatures queue on the
    evaluation, so the last one sees the others and signs the report, once."""
    import asyncio

    import httpx

    from tests.evaluations import seated_committee

    scene = await drawn_committee(client, world)
    heads = await seated_committee(scene, clock)
    bids = (await client.get(f"{scene.url}/evaluation", headers=scene.tender.desk.officer_headers)).json()["bids"]
    sheet = {b["bid"]: {"t1": "30", "b1": "8", "q": True} for b in bids}
    for headers in heads.values():
        saved = await client.put(
            f"{scene.url}/evaluation/scores", json={"scores": sheet, "submit": True}, headers=headers
        )
        assert saved.status_code == 200, saved.text
    async with httpx.AsyncClient(timeout=30) as http:
        answers = await asyncio.gather(
            *(
                http.post(
                    f"{two_servers[i % 2]}{scene.url}/evaluation/signatures", json={"decision": "sign"}, headers=headers
                )
                for i, headers in enumerate(heads.values())
            )
        )
    assert [a.status_code for a in answers] == [200] * 5, [a.text for a in answers]
    assert [a.json()["evaluation"] for a in answers].count("signed") >= 1
    view = (await client.get(f"{scene.url}/evaluation", headers=scene.tender.desk.officer_headers)).json()
    assert view["status"] == "signed" and view["tender_status"] == "candidates"
    assert len(await actions(world, "evaluation.report_signed")) == 1
