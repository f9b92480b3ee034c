"""The credit check wired to real candidates, on PostgreSQL, through the HTTP API: a signed
evaluation report triggers the check of the ranked bids; a legal representative listed by the
hash of the resident ID, a listed consortium member, a name-only review; the original
committee's re-review of a flagged candidate (nobody moves up), to fewer and to none; re-runs and
their history; the statistics; and the same check at bid submission, at intermediary
registration and in the expert draw."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.models import AuditEvent
from app.identity.models import OrgKind, User
from bidding.bids.models import Bid
from bidding.opening.models import BidOpening
from bidding.sealing.keys import bidder_public_key, generate_bidder_key
from credit.hooks import expert_bars
from experts.models import Expert
from experts.pool import COLUMNS
from tests.bidding.market.test_market import REQUEST, at, intermediary, post_request
from tests.bids import Bidder, new_bidder, published_tender, sealed_bid, submit
from tests.conftest import World, login, random_uscc
from tests.credit.helpers import entry_row, import_list, officers
from tests.evaluations import committee_review, drawn_committee, row, signed_report

REP_ID = "11010519491231002X"
PRICES = ["7990000.00", "8100000.00", "8236500.00", "8300000.00"]  # ranked in this order


async def ranking_of(client: AsyncTestClient[Litestar], url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    history = (await client.get(f"{url}/credit-checks", headers=headers)).json()
    return history[0]["ranking"]  # type: ignore[no-any-return]


async def test_a_listed_legal_representative_flags_the_first_and_the_committee_disqualifies_it(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    admin, supervisor = await officers(client, world)
    first = await world.org(
        OrgKind.bidder, "一号建设有限公司", legal_representative="张三", legal_representative_id=REP_ID
    )
    bidders = [await new_bidder(client, world, f"投标单位{i}") for i in range(1, 4)]
    user = await world.user(Role.bidder, first)
    headers = await login(client, user.username)
    key = generate_bidder_key()
    await client.post("/api/v1/keys/bid-signing", json={"public_key": bidder_public_key(key).text()}, headers=headers)
    bidders.insert(0, Bidder(first, headers, key))
    scene = await drawn_committee(client, world, prices=PRICES, bidders=bidders)
    # Listed after the bids were in: the result at evaluation time decides.
    person = entry_row("张三", subject_kind="person", person_id=REP_ID, document="(2026)京01执9号")
    assert (await import_list(client, admin, "dishonest_debtor", [person])).status_code == 200
    signed = await signed_report(scene, clock)
    assert signed["tender_status"] == "evaluated"  # the platform reports; the committee decides

    officer = scene.tender.desk.officer_headers
    history = (await client.get(f"{scene.url}/credit-checks", headers=officer)).json()
    [run] = history
    by_bid = {r["bid"]: r for r in run["ranking"]}
    ranked = [r["uscc"] for r in run["ranking"]]
    assert ranked == [b.org.uscc for b in bidders]
    assert [r["status"] for r in run["ranking"]] == ["flagged", "candidate", "candidate", "not_checked"]
    assert run["outcome"] == "review" and run["flagged"] == [run["ranking"][0]["bid"]] and run["disqualified"] == []
    [reason] = by_bid[run["flagged"][0]]["reasons"]
    assert reason["subject"]["role"] == "legal_representative" and reason["list_type"] == "dishonest_debtor"
    assert reason["legal_basis"] == "法〔2016〕285号；财库〔2016〕125号"
    evidence = [c for c in run["checks"] if c["outcome"] == "barred"]
    assert len(evidence) == 1 and evidence[0]["hits"][0]["entry"]["document"] == "(2026)京01执9号"
    assert {lst["list_type"] for lst in evidence[0]["lists"]} >= {"dishonest_debtor", "wage_arrears"}
    assert len({c["subject"]["uscc"] for c in run["checks"] if c["subject"]["role"] == "bidder"}) == 3
    assert "candidate_review" in [
        n["kind"] for n in (await client.get("/api/v1/notifications", headers=officer)).json()
    ]

    # The original committee re-reviews: nothing before every flagged candidate has a decision.
    review_url = f"{scene.url}/evaluation/candidate-review"
    review = (await client.get(review_url, headers=officer)).json()
    assert [f["bid"] for f in review["flagged"]] == run["flagged"] and review["status"] == "open"
    member = next(s["name"] for s in await scene.committee() if s["status"] == "seated")
    early = await client.post(
        f"{review_url}/signatures", json={"decision": "sign"}, headers=await scene.headers_of(member)
    )
    assert early.status_code == 409
    by_agency = await client.post(
        f"{review_url}/decisions",
        json={"bid": run["flagged"][0], "decision": "disqualify", "reason": "x"},
        headers=scene.tender.desk.agency_headers,
    )
    assert by_agency.status_code == 403
    signed_review = await committee_review(scene, {run["flagged"][0]: "disqualify"}, "法定代表人为失信被执行人")
    assert signed_review["status"] == "signed" and signed_review["waiting_for"] == []
    [run] = (await client.get(f"{scene.url}/credit-checks", headers=officer)).json()
    assert [r["status"] for r in run["ranking"]] == ["disqualified", "candidate", "candidate", "not_checked"]
    assert run["candidates"] == [r["bid"] for r in run["ranking"][1:3]]  # two: the fourth is not moved up
    tender = (await client.get(scene.url, headers=scene.bidders[1].headers)).json()
    assert tender["status"] == "candidates"
    notes = (await client.get("/api/v1/notifications", headers=officer)).json()
    assert any(n["kind"] == "credit_disqualified" for n in notes)
    agency_view = (await client.get(review_url, headers=scene.tender.desk.agency_headers)).json()
    assert agency_view["signatures"][0]["member"].startswith("评委")  # names stay secret until the award

    # The commitment signed in each sealed bid is kept with the bid's opening outcome.
    async with world.sessions() as session:
        commitments = set(await session.scalars(select(BidOpening.declaration["credit_commitment"].as_string())))
    assert commitments == {"本单位承诺所提交材料真实有效。"}

    stats = (await client.get("/api/v1/credit/stats", headers=supervisor)).json()
    assert stats["projects_checked"] == 1 and stats["candidates_checked"] == 3
    assert stats["hits_by_list_type"] == {"dishonest_debtor": 1}
    assert stats["disqualifications"] == 1 and stats["committee_reviews"] == 1 and stats["tenders_failed"] == 0


async def test_a_listed_consortium_member_then_fewer_than_three_then_none(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    admin, supervisor = await officers(client, world)
    member = random_uscc()  # a consortium member with no account on the platform
    scene = await drawn_committee(client, world, consortium={0: [member, random_uscc()]})
    await import_list(client, admin, "procurement_violation", [entry_row("联合体成员公司", uscc=member)])
    async with world.sessions() as session:
        consortia = [c for c in await session.scalars(select(Bid.consortium)) if c]
    assert consortia == [[member, consortia[0][1]]]
    await signed_report(scene, clock)
    officer = scene.tender.desk.officer_headers
    ranking = await ranking_of(client, scene.url, officer)
    lead = next(r for r in ranking if r["uscc"] == scene.bidders[0].org.uscc)
    assert lead["status"] == "flagged" and lead["reasons"][0]["subject"]["role"] == "consortium_member"
    await committee_review(scene, {lead["bid"]: "disqualify"})
    ranking = await ranking_of(client, scene.url, officer)
    assert [r["status"] for r in ranking].count("candidate") == 2  # only two clean bids: they are the candidates

    # The other two get listed; a supervisor re-runs the check: no clean candidate, the tender fails.
    others = [entry_row(f"投标单位{i}", uscc=scene.bidders[i].org.uscc) for i in (1, 2)]
    await import_list(client, admin, "procurement_violation", [entry_row("联合体成员公司", uscc=member), *others])
    bidder = scene.bidders[1].headers
    assert (await client.post(f"{scene.url}/credit-checks", headers=bidder)).status_code == 403
    rerun = await client.post(f"{scene.url}/credit-checks", headers=supervisor)
    assert rerun.status_code == 201, rerun.text
    assert rerun.json()["outcome"] == "review" and len(rerun.json()["flagged"]) == 3
    await committee_review(scene, dict.fromkeys(rerun.json()["flagged"], "disqualify"))
    assert (await client.get(scene.url, headers=bidder)).json()["status"] == "failed"
    history = (await client.get(f"{scene.url}/credit-checks", headers=officer)).json()
    assert [h["trigger"] for h in history] == ["rerun", "report_signed"]  # the old run is kept
    notes = (await client.get("/api/v1/notifications", headers=supervisor)).json()
    assert any(n["kind"] == "credit_no_candidate" for n in notes)
    stats = (await client.get("/api/v1/credit/stats", headers=supervisor)).json()
    assert stats["tenders_failed"] == 1 and stats["disqualifications"] == 3


async def test_a_name_only_hit_is_reviewed_never_barred_and_a_dismissal_stays(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    admin, supervisor = await officers(client, world)
    scene = await drawn_committee(client, world)
    names = [b.org.name for b in scene.bidders]
    # The list names two of the bidders without any code: a review each, no bar.
    await import_list(client, admin, "dishonest_debtor", [entry_row(names[0]), entry_row(names[1])])
    await signed_report(scene, clock)
    ranking = await ranking_of(client, scene.url, supervisor)
    assert [r["status"] for r in ranking] == ["candidate"] * 3
    assert sorted(r["outcome"] for r in ranking) == ["clear", "review", "review"]
    reviews = (await client.get("/api/v1/credit/reviews", headers=supervisor)).json()
    assert len(reviews) == 2 and all(r["tender"] == scene.tender.id for r in reviews)
    first, second = sorted(reviews, key=lambda r: r["subject"]["name"] != names[0])
    dismissed = await client.post(
        f"/api/v1/credit/reviews/{first['id']}/decision",
        json={"decision": "dismiss", "reason": "同名不同主体：统一社会信用代码不同"},
        headers=supervisor,
    )
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    again = await client.post(
        f"/api/v1/credit/reviews/{first['id']}/decision",
        json={"decision": "confirm", "reason": "x"},
        headers=supervisor,
    )
    assert again.status_code == 409
    # Confirming the other: it is the listed one, the check re-runs at once and disqualifies it.
    confirmed = await client.post(
        f"/api/v1/credit/reviews/{second['id']}/decision",
        json={"decision": "confirm", "reason": "经核实法定代表人及注册地址一致"},
        headers=supervisor,
    )
    assert confirmed.status_code == 200 and confirmed.json()["rerun"]["trigger"] == "review_confirmed"
    ranking = await ranking_of(client, scene.url, supervisor)
    outcome = {r["uscc"]: (r["status"], r["outcome"]) for r in ranking}
    assert outcome[scene.bidders[0].org.uscc] == ("candidate", "clear")  # dismissed: stays dismissed
    assert outcome[scene.bidders[1].org.uscc] == ("flagged", "barred")  # for the committee to decide
    assert (await client.get("/api/v1/credit/reviews", headers=supervisor)).json() == []  # none raised again
    stats = (await client.get("/api/v1/credit/stats", headers=supervisor)).json()
    assert stats["review_hits"] == {"confirmed": 1, "dismissed": 1}


async def test_bid_submission_is_never_refused_on_credit_grounds_only_warned(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    """实施条例 art. 36 lists the grounds for refusing a bid; a credit record is not one of them:
    the finding comes back with the receipt and the committee decides at evaluation."""
    admin, _supervisor = await officers(client, world)
    tender = await published_tender(client, world)
    barred, warned, clean = [await new_bidder(client, world, name) for name in ("被禁公司", "被警示公司", "干净公司")]
    await import_list(client, admin, "dishonest_debtor", [entry_row("被禁公司", uscc=barred.org.uscc)])
    await import_list(client, admin, "wage_arrears", [entry_row("被警示公司", uscc=warned.org.uscc)])
    await client.put(
        "/api/v1/credit/memoranda/wage_arrears",
        json={"measures": ["bar_winning"], "legal_basis": "人社部令第45号"},
        headers=admin,
    )
    listed = await submit(client, tender, barred, sealed_bid(tender, barred))
    assert listed.status_code == 201, listed.text
    assert listed.json()["credit"]["outcome"] == "warning"
    assert listed.json()["credit"]["findings"][0]["list_type"] == "dishonest_debtor"
    bad_member = await submit(client, tender, clean, sealed_bid(tender, clean), [clean.org.uscc, "X"])
    assert bad_member.status_code == 422
    assert {p["name"] for p in bad_member.json()["invalid-params"]} == {"consortium[0]", "consortium[1]"}
    in_consortium = await submit(client, tender, clean, sealed_bid(tender, clean), [barred.org.uscc])
    assert in_consortium.status_code == 201 and in_consortium.json()["credit"]["outcome"] == "warning"
    accepted = await submit(client, tender, warned, sealed_bid(tender, warned))
    assert accepted.status_code == 201 and accepted.json()["credit"]["outcome"] == "warning"
    assert accepted.json()["credit"]["findings"][0]["legal_basis"] == "人社部令第45号"
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Bid)) == 3  # every bid received
        findings = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "bid.credit_finding")
        )
    assert findings == 2  # the barring findings are kept as evidence


async def test_intermediaries_are_checked_at_registration_with_the_minimum_score(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin, supervisor = await officers(client, world)
    # A score gates a service below mandatory tendering only, under a local rule the request names.
    rule = "江城市中介服务超市管理办法第十八条"
    owner = await login(client, (await world.user(Role.agency, await world.org(OrgKind.tenderee))).username)
    for changes, field in (
        ({"min_credit_score": 70}, "min_credit_score_rule"),
        ({"min_credit_score": 70, "min_credit_score_rule": rule, "ceiling": "1000000.00"}, "min_credit_score"),
    ):
        body = {**REQUEST, **changes}
        refused_request = await client.post("/api/v1/service-requests", json=body, headers=owner)
        assert refused_request.status_code == 422, refused_request.text
        assert [p["name"] for p in refused_request.json()["invalid-params"]] == [field]
    request_id, _owner = await post_request(
        client,
        world,
        min_credit_score=70,
        min_credit_score_rule=rule,
        registration_closes=at("2026-12-21T09:00").isoformat(),
        bidding_starts=at("2026-12-21T09:30").isoformat(),
        bidding_ends=at("2026-12-21T10:00").isoformat(),
        max_end=at("2026-12-21T10:20").isoformat(),
    )
    listed, listed_headers = await intermediary(client, world)
    breached, breached_headers = await intermediary(client, world)
    _fine, fine_headers = await intermediary(client, world)
    await import_list(client, admin, "dishonest_debtor", [entry_row("中介", uscc=listed.uscc)])
    refused = await client.post(f"/api/v1/service-requests/{request_id}/registrations", headers=listed_headers)
    assert refused.status_code == 422 and refused.json()["reasons"] == ["credit"]
    # Two recorded breaches cost 40 of 100 points: under the request's minimum of 70.
    for reference in ("SR-1", "SR-2"):
        recorded = await client.post(
            "/api/v1/credit/breaches",
            json={"uscc": breached.uscc, "kind": "abandoned_service", "reference": reference, "note": "中选后放弃"},
            headers=supervisor,
        )
        assert recorded.status_code == 201, recorded.text
    # Recorded on Monday 30 November, each takes effect after 5 working days of statement (陈述申辩).
    assert recorded.json()["statement_due"] == "2026-12-07" and recorded.json()["listed_on"] == "2026-12-08"
    assert (await client.get(f"/api/v1/credit/scores/{breached.uscc}", headers=supervisor)).json()["score"] == 100
    world.clock.set(at("2026-12-08T09:00"))
    score = (await client.get(f"/api/v1/credit/scores/{breached.uscc}", headers=supervisor)).json()
    assert score["score"] == 60
    breach = next(c for c in score["contributions"] if c["factor"] == "commitment_breach")
    assert breach["count"] == 2 and breach["points"] == -40 and len(breach["evidence"]) == 2
    low = await client.post(f"/api/v1/service-requests/{request_id}/registrations", headers=breached_headers)
    assert low.status_code == 422 and "below the 70 required" in low.text
    fine = await client.post(f"/api/v1/service-requests/{request_id}/registrations", headers=fine_headers)
    assert fine.status_code == 201, fine.text


async def test_the_expert_draw_bars_an_expert_listed_by_resident_id_and_never_by_name(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin, _supervisor = await officers(client, world)
    rows = [row("listed.expert", "construction.civil"), row("namesake", "construction.civil"), row("plain", "law")]
    rows[0]["person_id"], rows[1]["person_id"], rows[2]["person_id"] = REP_ID, "110105198001010016", ""
    rows[1]["name"] = rows[0]["name"]  # same name, another person
    header = ",".join([*COLUMNS, "person_id"])
    body = "\n".join([header, *(",".join(r[c] for c in [*COLUMNS, "person_id"]) for r in rows)]) + "\n"
    imported = await client.post(
        "/api/v1/experts/import", content=body.encode(), headers={**admin, "content-type": "text/csv"}
    )
    assert imported.status_code == 200, imported.text
    bad = body.replace(REP_ID, REP_ID[:17] + "1")
    refused = await client.post(
        "/api/v1/experts/import", content=bad.encode(), headers={**admin, "content-type": "text/csv"}
    )
    assert refused.status_code == 422 and refused.json()["rows"][0]["field"] == "person_id"
    listed = entry_row(rows[0]["name"], subject_kind="person", person_id=REP_ID)
    await import_list(client, admin, "major_tax_violation", [listed, entry_row(rows[2]["name"], subject_kind="person")])
    async with world.sessions() as session:
        query = select(User.username, Expert.id).join(User, User.id == Expert.user_id)
        experts = dict((await session.execute(query)).all())
        barred = await expert_bars(session, list(experts.values()), world.clock.now().date())
        hashes = list(await session.scalars(select(Expert.person_hash)))
    assert barred == {experts["listed.expert"]}  # not the namesake, not the name-only entry's expert
    assert REP_ID not in str(hashes)
