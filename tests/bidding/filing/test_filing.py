"""Tender filing: the one-time notice, rounds with working-day deadlines, officers' decisions,
publication, the overdue sweep, and who may see what."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.models import AuditEvent, Notification
from app.core.settings import Settings
from app.identity.models import OrgKind
from app.main import create_app
from tests.conftest import SHANGHAI, World, login, run_ggzy
from tests.filings import Desk, open_desk
from tests.steps import run_step


@pytest.fixture
async def desk(client: AsyncTestClient[Litestar], world: World, clock: FrozenClock) -> Desk:
    return await open_desk(client, world, clock)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


async def test_a_filing_with_five_problems_gets_five_items_in_one_response(backend: str, desk: Desk) -> None:
    filing_id = await desk.new_filing(
        documents=False,
        committee_size=4,  # 1: not an odd number of at least 5
        budget=None,  # 2: missing (a zero or negative budget never gets in: 422 at once)
        project_code=None,  # 3: missing
    )
    for kind in ("announcement", "tender_document", "project_approval"):
        await desk.upload(filing_id, kind, b"%PDF")
    # 4 and 5: no proof of funding, no agency contract
    response = await desk.submit(filing_id)

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/filing-deficient")
    items = {(item["code"], item["target"]) for item in problem["deficiencies"]}
    assert items == {
        ("committee_size_invalid", "committee_size"),
        ("missing_field", "budget"),
        ("missing_field", "project_code"),
        ("missing_document", "document:funding_proof"),
        ("missing_document", "document:agency_contract"),
    }
    assert all(item["message_zh"] and item["message_en"] for item in problem["deficiencies"])
    filing = (await desk.client.get(f"/api/v1/filings/{filing_id}", headers=desk.agency_headers)).json()
    assert filing["status"] == "draft" and filing["current_round"] is None
    for budget, code in (("0.00", "money.not_positive"), ("-5", "money.not_positive"), ("1e30", "money.too_large")):
        refused = await desk.client.post(
            "/api/v1/filings",
            json={"project_name": "x", "project_type": "other", "budget": budget},
            headers=desk.agency_headers,
        )
        assert refused.status_code == 422 and refused.json()["invalid-params"][0]["code"] == code


async def test_a_large_or_complex_gp_project_needs_a_committee_of_seven(desk: Desk) -> None:
    """87号令 art. 47: 10 million yuan or more, or technically complex or of large social impact."""
    large = await desk.new_filing("government_procurement", budget="12000000.00", committee_size=5)
    notice = (await desk.submit(large)).json()
    [item] = [d for d in notice["deficiencies"] if d["target"] == "committee_size"]
    assert "7人以上" in item["message_zh"] and "87号第四十七条" in item["message_zh"]
    complex_one = await desk.new_filing(
        "government_procurement", budget="2000000.00", committee_size=5, complex_or_high_impact=True
    )
    assert any(d["target"] == "committee_size" for d in (await desk.submit(complex_one)).json()["deficiencies"])
    for ready in (
        await desk.new_filing("government_procurement", budget="12000000.00", committee_size=7),
        await desk.new_filing("government_procurement", budget="9999999.99", committee_size=5),
        await desk.new_filing("construction", budget="12000000.00", committee_size=5),  # the Tendering Law: 5
    ):
        submitted = await desk.submit(ready)
        assert submitted.status_code == 200, submitted.text
    shown = (await desk.client.get(f"/api/v1/filings/{complex_one}", headers=desk.agency_headers)).json()
    assert shown["complex_or_high_impact"] is True


async def test_a_bid_bond_is_capped_at_2_percent_and_accepts_a_guarantee(desk: Desk) -> None:
    """Regs art. 26 (2 % of the estimate: the budget, 12,500,000.00 here) and GPR art. 33 (2 % of
    the budget); a bond names its forms, a guarantee among them (发改法规〔2023〕27号)."""
    over = await desk.new_filing(bond_amount="250000.01", bond_forms=["transfer"])
    found = {d["code"]: d for d in (await desk.submit(over)).json()["deficiencies"]}
    assert (
        "250000.00元" in found["bond_above_cap"]["message_zh"] and "二十六条" in found["bond_above_cap"]["message_zh"]
    )
    assert found["bond_above_cap"]["target"] == "bond_amount"
    assert "非现金" in found["bond_forms_invalid"]["message_zh"]
    gp = await desk.new_filing("government_procurement", budget="9500000.00", bond_amount="190000.01")
    found = {d["code"]: d for d in (await desk.submit(gp)).json()["deficiencies"]}
    assert "政府采购法实施条例第三十三条" in found["bond_above_cap"]["message_zh"]
    assert "提交形式" in found["bond_forms_invalid"]["message_zh"]
    negative = await desk.client.post(
        "/api/v1/filings",
        json={"project_name": "x", "project_type": "construction", "bond_amount": "-1", "bond_forms": ["gold"]},
        headers=desk.agency_headers,
    )
    assert negative.status_code == 422
    assert {p["name"] for p in negative.json()["invalid-params"]} >= {"bond_amount"}

    # At the cap, a guarantee accepted, SMEs exempt: the tender publishes its bond, valid as long as the bids.
    ready = await desk.new_filing(
        bond_amount="250000.00", bond_forms=["transfer", "bank_guarantee"], bond_sme_exempt=True
    )
    assert (await desk.submit(ready)).status_code == 200
    accepted = await desk.decide(ready, "accept")
    assert accepted.status_code == 200, accepted.text
    tender = (
        await desk.client.get(f"/api/v1/tenders/{accepted.json()['tender_id']}", headers=desk.agency_headers)
    ).json()
    assert tender["bond"] == {
        "amount": "250000.00",
        "forms": ["transfer", "bank_guarantee"],
        "sme_exempt": True,
        "valid_days": tender["bid_validity_days"],
    }


async def test_the_bid_period_and_the_dates_are_checked(backend: str, desk: Desk, clock: FrozenClock) -> None:
    clock.set(at("2026-11-30T10:00"))
    short = (at("2026-12-10T09:30")).isoformat()
    filing_id = await desk.new_filing(
        announcement_date="2026-11-29", bid_deadline=short, opening_time=at("2026-12-10T14:00").isoformat()
    )
    response = await desk.submit(filing_id)
    codes = {item["code"] for item in response.json()["deficiencies"]}
    assert codes == {"announcement_in_past", "bid_period_too_short", "opening_not_at_deadline"}
    period = next(i for i in response.json()["deficiencies"] if i["code"] == "bid_period_too_short")
    assert "got 11" in period["message_en"] and "不得少于20日" in period["message_zh"]


@pytest.mark.parametrize(
    ("submitted", "deadline", "due_at"),
    [
        ("2026-09-18T10:00", "2026-09-21", "2026-09-22T00:00:00+08:00"),  # Sunday 09-20 is a working day
        (
            "2026-02-13T16:30",
            "2026-02-24",
            "2026-02-25T00:00:00+08:00",
        ),  # Saturday 02-14 works, then the Spring Festival
    ],
)
async def test_a_submitted_round_is_due_in_two_working_days(
    backend: str, desk: Desk, clock: FrozenClock, submitted: str, deadline: str, due_at: str
) -> None:
    clock.set(at(submitted))
    filing_id = await desk.new_filing()
    response = await desk.submit(filing_id)
    assert response.status_code == 200, response.text
    round_ = response.json()["current_round"]
    assert (round_["number"], round_["deadline"], round_["provisional"]) == (1, deadline, False)
    assert datetime.fromisoformat(round_["due_at"]) == datetime.fromisoformat(due_at)
    assert response.json()["status"] == "submitted"


async def test_a_round_submitted_on_30_december_becomes_final_when_2027_is_loaded(
    backend: str, desk: Desk, clock: FrozenClock, world: World
) -> None:
    clock.set(at("2026-12-30T11:00"))
    filing_id = await desk.new_filing()
    round_ = (await desk.submit(filing_id)).json()["current_round"]
    # weekends and New Year's Day (a fixed date) counted; the schedule may still add 调休
    assert (round_["deadline"], round_["provisional"]) == ("2027-01-04", True)
    public = await desk.client.get("/api/v1/calendar/deadline?start=2026-12-30&working_days=2")
    assert public.json()["deadline"] == "2027-01-04" and public.json()["provisional"] is True

    await world.user(Role.admin, username="admin")
    schedule = {"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-01-02"]}  # Saturday worked
    loaded = await desk.client.post("/api/v1/calendar/years", json=schedule, headers=await login(desk.client, "admin"))
    assert loaded.status_code == 201 and loaded.json()["recomputed_deadlines"] == 1

    round_ = (await desk.client.get(f"/api/v1/filings/{filing_id}", headers=desk.agency_headers)).json()[
        "current_round"
    ]
    assert (round_["deadline"], round_["provisional"]) == ("2027-01-02", False)
    public = await desk.client.get("/api/v1/calendar/deadline?start=2026-12-30&working_days=2")
    assert public.json() == {
        "start": "2026-12-30",
        "working_days": 2,
        "deadline": "2027-01-02",
        "due_at": "2027-01-02T16:00:00Z",
        "provisional": False,
        "unscheduled_years": [],
    }


async def test_ggzy_calendar_load_recomputes_provisional_deadlines(
    backend: str, desk: Desk, clock: FrozenClock, settings: Settings, tmp_path: Path
) -> None:
    clock.set(at("2026-12-30T11:00"))
    filing_id = await desk.new_filing()
    await desk.submit(filing_id)
    schedule = tmp_path / "2027.json"
    schedule.write_text(json.dumps({"year": 2027, "holidays": ["2027-01-01"], "workdays": []}))
    env = {"GGZY_DATABASE_URL": settings.database_url, "GGZY_DATA_DIR": str(tmp_path)}
    result = run_ggzy(env, "calendar", "load", str(schedule))
    assert result.returncode == 0, result.stderr
    assert "loaded 2027: 1 holidays, 0 adjusted working days; 1 provisional deadline(s) recomputed" in result.stdout
    round_ = (await desk.client.get(f"/api/v1/filings/{filing_id}", headers=desk.agency_headers)).json()[
        "current_round"
    ]
    assert (round_["deadline"], round_["provisional"]) == ("2027-01-04", False)

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"year": 2027, "holidays": ["2028-01-01"], "workdays": ["2027-01-05"]}))
    result = run_ggzy(env, "calendar", "load", str(bad))
    assert result.returncode == 2
    assert "dates outside 2027: 2028-01-01" in result.stderr and "these are weekdays: 2027-01-05" in result.stderr


async def test_return_accept_and_publish_keeps_every_round_for_both_sides(
    backend: str, desk: Desk, clock: FrozenClock, world: World
) -> None:
    clock.set(at("2026-11-30T09:00"))
    filing_id = await desk.new_filing()
    assert (await desk.submit(filing_id)).status_code == 200

    clock.advance(timedelta(hours=3))
    officer_item = {
        "target": "document:tender_document",
        "message_zh": "评分标准未量化",
        "message_en": "scoring is not quantified",
    }
    returned = await desk.decide(filing_id, "return", items=[officer_item], comment="请补正后重新提交")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    notice = returned.json()["current_round"]["notice"]
    assert notice == [{**officer_item, "code": "officer", "source": "officer"}]

    # The agency sees the notice, replaces the document and submits again.
    rounds = (await desk.client.get(f"/api/v1/filings/{filing_id}/rounds", headers=desk.agency_headers)).json()
    assert [r["decision"] for r in rounds] == ["returned"] and rounds[0]["decided_by"] == desk.officer_name
    await desk.upload(filing_id, "tender_document", b"quantified scoring")
    clock.advance(timedelta(days=1))
    resubmitted = await desk.submit(filing_id)
    assert resubmitted.json()["current_round"]["number"] == 2

    accepted = await desk.decide(filing_id, "accept", comment="备案通过")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.text
    tender_id = accepted.json()["tender_id"]
    rounds = (await desk.client.get(f"/api/v1/filings/{filing_id}/rounds", headers=desk.officer_headers)).json()
    assert [(r["number"], r["decision"]) for r in rounds] == [(1, "returned"), (2, "accepted")]
    assert len(rounds[1]["snapshot"]["documents"]) == 6

    bidder = await world.user(Role.bidder, await world.org(OrgKind.bidder))
    tender = await desk.client.get(f"/api/v1/tenders/{tender_id}", headers=await login(desk.client, bidder.username))
    assert tender.status_code == 200
    body = tender.json()
    assert body["status"] == "published" and body["budget"] == "12500000.00"
    assert body["bid_deadline"] == body["opening_time"] and body["announcement_date"] == "2026-12-07"

    async with world.sessions() as session:
        actions = (await session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == filing_id))).all()
    assert actions == [
        "filing.create",
        *["filing.document_add"] * 5,
        "filing.submit",
        "filing.return",
        "filing.document_add",
        "filing.submit",
        "filing.accepted",
    ]


async def test_a_return_lists_the_machines_items_with_the_officers(
    backend: str, desk: Desk, clock: FrozenClock
) -> None:
    clock.set(at("2026-11-30T09:00"))
    filing_id = await desk.new_filing(announcement_date="2026-12-01")
    await desk.submit(filing_id)
    clock.set(at("2026-12-02T09:00"))  # the announcement date has passed while the filing waited
    assert (await desk.decide(filing_id, "accept")).status_code == 422
    returned = await desk.decide(filing_id, "return", items=[{"target": "budget", "message_zh": "预算依据不足"}])
    sources = [(i["code"], i["source"]) for i in returned.json()["current_round"]["notice"]]
    assert sources == [("announcement_in_past", "machine"), ("officer", "officer")]
    empty = await desk.decide(filing_id, "return", items=[])
    assert empty.status_code == 409  # already returned: nothing to decide


async def test_the_overdue_sweep_marks_once_and_notifies_once(
    backend: str, desk: Desk, clock: FrozenClock, world: World, settings: Settings
) -> None:
    clock.set(at("2026-09-18T10:00"))
    filing_id = await desk.new_filing()
    await desk.submit(filing_id)

    async with world.sessions() as session:
        assert await run_step(session, clock, "filing-overdue", settings, world.sessions) == 0  # not yet due
    clock.set(at("2026-09-22T00:00:01"))
    for expected in (1, 0):
        async with world.sessions() as session:
            assert await run_step(session, clock, "filing-overdue", settings, world.sessions) == expected

    filing = (await desk.client.get(f"/api/v1/filings/{filing_id}", headers=desk.officer_headers)).json()
    assert filing["status"] == "submitted" and filing["current_round"]["overdue"] is True
    notifications = (await desk.client.get("/api/v1/notifications", headers=desk.officer_headers)).json()
    assert len(notifications) == 1 and notifications[0]["kind"] == "filing.overdue"
    assert "备案逾期未办结" in notifications[0]["message"]
    assert (await desk.client.get("/api/v1/notifications", headers=desk.agency_headers)).json() == []
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Notification)) == 1
        overdue_events = await session.scalar(
            select(func.count()).where(AuditEvent.action == "filing.overdue", AuditEvent.object_id == filing_id)
        )
    assert overdue_events == 1
    # The officer can still decide a round that ran over.
    assert (await desk.decide(filing_id, "accept")).json()["status"] == "accepted"


async def test_where_policy_says_so_an_overdue_filing_is_deemed_accepted(
    backend: str, desk: Desk, clock: FrozenClock, world: World, settings: Settings
) -> None:
    clock.set(at("2026-11-30T10:00"))
    filing_id = await desk.new_filing(project_type="other")
    await desk.submit(filing_id)
    clock.set(at("2026-12-03T08:00"))
    async with world.sessions() as session:
        assert await run_step(session, clock, "filing-overdue", settings, world.sessions) == 1
    filing = (await desk.client.get(f"/api/v1/filings/{filing_id}", headers=desk.agency_headers)).json()
    assert filing["status"] == "accepted" and filing["tender_id"]
    round_ = filing["current_round"]
    assert round_["decision"] == "deemed_accepted" and round_["comment"].startswith("逾期视为同意")
    assert round_["decided_by"] is None


async def test_documents_are_stored_content_addressed(backend: str, desk: Desk, settings: Settings) -> None:
    filing_id = await desk.new_filing(documents=False)
    content = os.urandom(300_000)
    uploaded = await desk.upload(filing_id, "announcement", content, "招标公告.pdf")
    assert uploaded.status_code == 201
    document = uploaded.json()
    assert document["sha256"] == hashlib.sha256(content).hexdigest() and document["size"] == len(content)
    stored = settings.blob_dir / document["sha256"][:2] / document["sha256"][2:4] / document["sha256"]
    assert stored.read_bytes() == content
    download = await desk.client.get(
        f"/api/v1/filings/{filing_id}/documents/{document['id']}", headers=desk.officer_headers
    )
    assert download.content == content
    again = await desk.upload(filing_id, "other", content, "copy.pdf")
    assert again.json()["sha256"] == document["sha256"]  # stored once, listed twice

    # A page uploaded as text/html comes back as a file to save, never a page of this origin.
    page = await desk.client.post(
        f"/api/v1/filings/{filing_id}/documents?kind=other&filename=readme.html",
        content=b"<script>fetch('/api/v1/users')</script>",
        headers={**desk.agency_headers, "content-type": "text/html"},
    )
    assert page.status_code == 201, page.text
    served = await desk.client.get(
        f"/api/v1/filings/{filing_id}/documents/{page.json()['id']}", headers=desk.officer_headers
    )
    assert served.headers["content-type"] == "application/octet-stream"
    assert served.headers["content-disposition"].startswith("attachment")
    assert served.headers["x-content-type-options"] == "nosniff"


async def test_an_oversized_upload_is_refused_and_nothing_is_kept(
    backend: str, world: World, clock: FrozenClock, settings: Settings
) -> None:
    small = create_app(dataclasses.replace(settings, max_document_bytes=1000), clock)
    async with AsyncTestClient(app=small) as client:
        desk = await open_desk(client, world, clock)
        filing_id = await desk.new_filing(documents=False)
        response = await desk.upload(filing_id, "announcement", b"x" * 1001)
        assert response.status_code == 413 and "1000 bytes" in response.json()["detail"]
        filing = (await client.get(f"/api/v1/filings/{filing_id}", headers=desk.agency_headers)).json()
        assert filing["documents"] == []
    assert list((settings.blob_dir / "tmp").iterdir()) == []


async def test_a_submitted_filing_cannot_be_edited_until_returned(backend: str, desk: Desk) -> None:
    filing_id = await desk.new_filing()
    await desk.submit(filing_id)
    body = (await desk.client.get(f"/api/v1/filings/{filing_id}", headers=desk.agency_headers)).json()
    edit = await desk.client.put(
        f"/api/v1/filings/{filing_id}",
        json={"project_name": "改名", "project_type": "construction"},
        headers=desk.agency_headers,
    )
    assert edit.status_code == 409 and edit.json()["type"].endswith("/filing-not-editable")
    assert (await desk.upload(filing_id, "other", b"late")).status_code == 409
    assert (await desk.submit(filing_id)).status_code == 409
    after = (await desk.client.get(f"/api/v1/filings/{filing_id}", headers=desk.agency_headers)).json()
    assert after == body


async def test_who_sees_filings_and_tenders(backend: str, desk: Desk, world: World) -> None:
    filing_id = await desk.new_filing()
    other_agency = await world.user(Role.agency, await world.org(OrgKind.agency))
    bidder = await world.user(Role.bidder, await world.org(OrgKind.bidder))
    other_headers = await login(desk.client, other_agency.username)
    bidder_headers = await login(desk.client, bidder.username)

    assert (await desk.client.get(f"/api/v1/filings/{filing_id}", headers=other_headers)).status_code == 404
    assert (await desk.client.get(f"/api/v1/filings/{filing_id}/rounds", headers=other_headers)).status_code == 404
    assert (await desk.client.get("/api/v1/filings", headers=other_headers)).json()["total"] == 0
    assert (await desk.client.get("/api/v1/filings", headers=bidder_headers)).status_code == 403
    assert (await desk.client.get("/api/v1/filings", headers=desk.officer_headers)).json()["total"] == 1
    assert (await desk.decide(filing_id, "accept", headers=desk.agency_headers)).status_code == 403
    create = await desk.client.post(
        "/api/v1/filings", json={"project_name": "x", "project_type": "other"}, headers=desk.officer_headers
    )
    assert create.status_code == 403
    assert (await desk.client.get("/api/v1/tenders", headers=bidder_headers)).json()["total"] == 0


async def test_two_schedulers_sweeping_at_once_mark_and_notify_once(
    desk: Desk, clock: FrozenClock, world: World, settings: Settings
) -> None:
    clock.set(at("2026-09-18T10:00"))
    filing_ids = [await desk.new_filing() for _ in range(3)]
    for filing_id in filing_ids:
        await desk.submit(filing_id)
    clock.set(at("2026-09-23T09:00"))

    async def one_scheduler() -> int:
        async with world.sessions() as session:
            return await run_step(session, clock, "filing-overdue", settings, world.sessions)

    marked = await asyncio.gather(one_scheduler(), one_scheduler())
    assert sum(marked) == 3  # each round marked by one of them, once
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Notification)) == 3
        assert await session.scalar(select(func.count()).where(AuditEvent.action == "filing.overdue")) == 3


async def test_a_provisional_deadline_is_logged_as_a_warning(
    backend: str, desk: Desk, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.set(at("2026-12-30T11:00"))
    filing_id = await desk.new_filing()
    with caplog.at_level("WARNING", logger="ggzy.calendar"):
        await desk.submit(filing_id)
    [record] = [r for r in caplog.records if r.name == "ggzy.calendar"]
    assert "provisional period" in record.getMessage() and "2027" in record.getMessage()
