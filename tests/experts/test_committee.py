"""The committee: its draw's rules, the exclusions the database supplies (recent service for the
tenderee, the credit hook), a pool too small, a crash between the commitment and the draw, the
no-show, the assessment rules acting, and the secrecy of who sits, per role."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor, Role
from app.core.clock import FrozenClock
from app.core.models import AuditEvent, Notification
from app.identity.models import OrgKind
from experts import committee, conduct
from experts import draw as draw_rules
from experts.models import Draw, Expert, Seat
from tests.bids import published_tender
from tests.conftest import World, login
from tests.evaluations import QUOTAS, TEMPLATE, csv_of, draw_at_its_time, drawn_committee, row
from tests.openings import at_opening_time, hand_in, share_words, wait_for
from tests.steps import run_step

SYSTEM = Actor.system("test")


async def test_the_rules_of_a_draw_are_checked_before_anything_is_drawn(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    tender = await published_tender(client, world, committee_size=5)
    url = f"/api/v1/tenders/{tender.id}/draw"
    soon = (world.clock.now() + timedelta(hours=1)).isoformat()
    day = (world.clock.now() + timedelta(days=40)).date().isoformat()

    def body(quotas: list[dict[str, object]], **changes: object) -> dict[str, object]:
        return {"draw_at": soon, "evaluation_on": day, "quotas": quotas} | changes

    for size in (4, 6):
        refused = await client.put(
            url, json=body([{"specialty": "construction", "members": size}]), headers=tender.desk.agency_headers
        )
        assert refused.status_code == 422 and "odd number of at least 5" in refused.text
    unknown = await client.put(
        url, json=body([{"specialty": "alchemy", "members": 5}]), headers=tender.desk.agency_headers
    )
    assert unknown.status_code == 422 and "quotas[0].specialty" in unknown.text
    late = await client.put(
        url, json=body(QUOTAS, draw_at="2027-06-01T09:00:00+08:00"), headers=tender.desk.agency_headers
    )
    assert late.status_code == 422 and "before the opening" in late.text
    other_agency = await login(client, (await world.user(Role.agency, await world.org(OrgKind.agency))).username)
    assert (await client.put(url, json=body(QUOTAS), headers=other_agency)).status_code == 404
    async with world.sessions() as session:
        assert await session.get(Draw, uuid.UUID(tender.id)) is None  # nothing was set


async def test_a_pool_too_small_fails_the_draw_naming_the_shortage_and_may_be_set_again(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin = await login(client, (await world.user(Role.admin)).username)
    rows = [row(f"civil{i}", "construction.civil") for i in range(4)] + [row("cost1", "economics.cost")]
    await client.post("/api/v1/experts/import", content=csv_of(rows), headers={**admin, "content-type": "text/csv"})
    tender = await published_tender(client, world, committee_size=5)
    draw_at = world.clock.now() + timedelta(hours=1)
    day = (world.clock.now() + timedelta(days=40)).date().isoformat()
    body = {"draw_at": draw_at.isoformat(), "evaluation_on": day, "quotas": QUOTAS}
    assert (
        await client.put(f"/api/v1/tenders/{tender.id}/draw", json=body, headers=tender.desk.agency_headers)
    ).status_code == 200
    await draw_at_its_time(client, world, tender, draw_at)
    failed = (await client.get(f"/api/v1/tenders/{tender.id}/draw", headers=tender.desk.agency_headers)).json()
    assert failed["status"] == "failed"
    assert failed["shortages"] == {
        "construction.civil": {"needed": 5, "eligible": 4},
        "economics.cost": {"needed": 3, "eligible": 1},
    }
    body["draw_at"] = (draw_at + timedelta(hours=1)).isoformat()
    body["quotas"] = [
        {"specialty": "construction", "members": 3, "reserves": 1},
        {"specialty": "economics", "members": 1, "reserves": 0},
    ]
    again = await client.put(f"/api/v1/tenders/{tender.id}/draw", json=body, headers=tender.desk.agency_headers)
    assert again.status_code == 422  # 4 members: refused, the failed draw stays as it was
    body["quotas"] = [
        {"specialty": "construction", "members": 4, "reserves": 0},
        {"specialty": "economics", "members": 1, "reserves": 0},
    ]
    again = await client.put(f"/api/v1/tenders/{tender.id}/draw", json=body, headers=tender.desk.agency_headers)
    assert again.status_code == 200 and again.json()["status"] == "scheduled" and again.json()["commitment"] is None


async def test_recent_service_and_the_credit_hook_exclude_with_their_reasons(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world)
    seated = await scene.committee()
    # A second tender of the same tenderee, drawn a day later from the same pool.
    second = await published_tender(client, world, scene.tender.desk, committee_size=5)
    await client.put(
        f"/api/v1/tenders/{second.id}/evaluation/template", json=TEMPLATE, headers=second.desk.agency_headers
    )
    draw_at = clock.now() + timedelta(hours=1)
    body = {
        "draw_at": draw_at.isoformat(),
        "evaluation_on": scene.evaluation_on.isoformat(),
        "quotas": [{"specialty": "economics.cost", "members": 5, "reserves": 0}],
    }
    await client.put(f"/api/v1/tenders/{second.id}/draw", json=body, headers=second.desk.agency_headers)
    barred_name = "专家cost4"
    async with world.sessions() as session:
        barred = await session.scalar(select(Expert.id).where(Expert.name == barred_name))

    async def credit(_s: AsyncSession, ids: list[uuid.UUID], _d: date) -> set[uuid.UUID]:
        return {i for i in ids if i == barred}

    lead = world.settings.draw_commit_lead
    clock.set(draw_at - lead)
    async with world.sessions() as session:
        assert await committee.commit_when_due(
            session,
            uuid.UUID(second.id),
            clock,
            SYSTEM,
            age_cap=70,
            recent_days=180,
            tz=world.settings.tz,
            credit_barred=credit,
        )
    entry = {"entry": "监督随机值 314159"}
    assert (
        await client.post(f"/api/v1/tenders/{second.id}/draw/entry", json=entry, headers=second.desk.officer_headers)
    ).is_success
    clock.set(draw_at)
    async with world.sessions() as session:
        assert await committee.run_draw(session, uuid.UUID(second.id), clock, SYSTEM, lead=lead)
        row_ = await session.get(Draw, uuid.UUID(second.id))
        assert row_ is not None and row_.status == "failed"  # 5 cost members wanted, 4 in the pool
        import json

        excluded = json.loads(row_.snapshot or "{}")["excluded"]
    on_first = {s["expert"] for s in seated if s["specialty"] == "economics.cost" and s["status"] == "drawn"}
    for expert_id in on_first:
        assert "served_tenderee_recently" in excluded[expert_id]
    assert excluded[str(barred)][-1] == "credit_barred"
    assert all(reasons == ["served_tenderee_recently"] for i, reasons in excluded.items() if i != str(barred))


async def test_a_crash_between_the_commitment_and_the_seats_draws_from_the_same_commitment(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    admin = await login(client, (await world.user(Role.admin)).username)
    rows = [row(f"civil{i}", "construction.civil") for i in range(6)] + [
        row(f"cost{i}", "economics.cost") for i in range(4)
    ]
    await client.post("/api/v1/experts/import", content=csv_of(rows), headers={**admin, "content-type": "text/csv"})
    tender = await published_tender(client, world, committee_size=5)
    draw_at = world.clock.now() + timedelta(hours=1)
    body = {
        "draw_at": draw_at.isoformat(),
        "evaluation_on": (draw_at + timedelta(days=40)).date().isoformat(),
        "quotas": QUOTAS,
    }
    await client.put(f"/api/v1/tenders/{tender.id}/draw", json=body, headers=tender.desk.agency_headers)
    world.clock.set(draw_at)  # the scheduler was down: nothing was committed the lead before
    tender_id = uuid.UUID(tender.id)
    async with world.sessions() as session:  # the commitment commits, then the process dies
        row_ = await session.get(Draw, tender_id)
        assert row_ is not None
        tender_row = await committee.tender_or_404(session, tender_id)
        await committee.commit_to_draw(
            session,
            world.clock,
            SYSTEM,
            row_,
            tender_row,
            age_cap=70,
            recent_days=180,
            tz=world.settings.tz,
            credit_barred=committee.no_credit_bars,
        )
        await session.commit()
        published = row_.commitment
    async with world.sessions() as session:  # a late commitment moves the draw: the lead runs from it
        assert await run_step(session, world.clock, "expert-draw-commit", world.settings, world.sessions) == 0
        assert await run_step(session, world.clock, "expert-draw", world.settings, world.sessions) == 0
    entry = {"entry": "掷骰 3-5-1-6"}
    entered = await client.post(
        f"/api/v1/tenders/{tender.id}/draw/entry", json=entry, headers=tender.desk.officer_headers
    )
    assert entered.status_code == 200, entered.text
    world.clock.set(draw_at + world.settings.draw_commit_lead)
    async with world.sessions() as session:
        assert await run_step(session, world.clock, "expert-draw", world.settings, world.sessions) == 1
        row_ = await session.get(Draw, tender_id)
        assert row_ is not None and row_.status == "drawn" and row_.commitment == published
        commits = await session.scalars(select(AuditEvent).where(AuditEvent.action == "draw.commit"))
        assert len(commits.all()) == 1  # one commitment, never a second seed
        seats = (await session.scalars(select(Seat).where(Seat.tender_id == tender_id))).all()
        assert sorted(s.status for s in seats) == ["drawn"] * 5 + ["reserve"] * 3
        told = await session.scalars(select(Notification).where(Notification.kind == "expert_drawn"))
        assert len(told.all()) == 5  # every member, no reserve


async def test_a_no_show_calls_the_reserve_and_two_declines_without_cause_suspend(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world)
    await at_opening_time(client, scene.tender, clock)
    for role in ("agency", "supervisor"):
        words, headers = await share_words(client, scene.tender, role)
        await hand_in(client, scene.tender, words, headers)
    await wait_for(client, scene.tender, "read_out")
    assert (
        await client.post(f"{scene.url}/evaluation/start", headers=scene.tender.desk.officer_headers)
    ).status_code == 200
    absent = next(s for s in await scene.committee() if s["status"] == "drawn" and s["specialty"] == "economics.cost")
    answer = await client.post(
        f"{scene.url}/committee/{absent['seat']}/no-show", headers=scene.tender.desk.officer_headers
    )
    assert answer.status_code == 200 and answer.json()["replacement"] is not None
    async with world.sessions() as session:
        called = await session.get(Seat, uuid.UUID(answer.json()["replacement"]))
        assert called is not None and called.status == "drawn" and called.specialty == "economics.cost"
        expert_id = uuid.UUID(absent["expert"])
        # A second incident within the year, another tender's: the rule suspends for 182 days.
        await conduct.record_incident(
            session, clock, SYSTEM, expert_id, uuid.UUID(scene.tender.id), "no_show", "earlier"
        )
        await session.commit()
        expert = await session.get(Expert, expert_id)
        assert expert is not None and expert.status == "suspended"
        assert expert.suspended_until == clock.now().date() + timedelta(days=182)


async def test_who_sits_is_known_to_supervisors_and_the_members_only(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world)
    desk = scene.tender.desk
    seats = await scene.committee()
    member_names = [s["name"] for s in seats if s["status"] == "drawn"]
    outsider_expert = await scene.headers_of(next(s["name"] for s in seats if s["status"] == "reserve"))
    tenderee = await login(client, (await world.user(Role.agency, desk.tenderee)).username)
    intermediary = await login(
        client, (await world.user(Role.intermediary, await world.org(OrgKind.intermediary))).username
    )
    admin = scene.admin_headers
    outsiders = {
        "bidder": scene.bidders[0].headers,
        "agency": desk.agency_headers,
        "tenderee": tenderee,
        "intermediary": intermediary,
        "reserve expert": outsider_expert,
        "admin": admin,
    }

    async def check_hidden() -> None:
        for who, headers in outsiders.items():
            committee_view = await client.get(f"{scene.url}/committee", headers=headers)
            assert committee_view.status_code == 404, who
            draw_view = await client.get(f"{scene.url}/draw", headers=headers)
            evaluation = await client.get(f"{scene.url}/evaluation", headers=headers)
            notes = await client.get("/api/v1/notifications", headers=headers)
            for response in (committee_view, draw_view, evaluation, notes):
                assert not any(name in response.text for name in member_names), who
                assert '"seed"' not in response.text and "snapshot" not in response.text, who

    await check_hidden()
    await at_opening_time(client, scene.tender, clock)
    for role in ("agency", "supervisor"):
        words, headers = await share_words(client, scene.tender, role)
        await hand_in(client, scene.tender, words, headers)
    await wait_for(client, scene.tender, "read_out")
    await client.post(f"{scene.url}/evaluation/start", headers=desk.agency_headers)
    await check_hidden()  # a reserve is not on the committee either
    member = await scene.headers_of(member_names[0])
    assert (await client.get(f"{scene.url}/committee", headers=member)).status_code == 200
    assert (await client.get(f"{scene.url}/draw", headers=member)).json().get("seats") is None  # not the reserves
    async with world.sessions() as session:  # the trail keeps payload digests, never a name
        assert not (
            await session.scalars(select(Notification).where(Notification.message.contains(member_names[0])))
        ).all()


async def test_a_vacancy_the_reserves_cannot_fill_is_drawn_again_verifiably(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world)
    officer = scene.tender.desk.officer_headers
    assert (await client.post(f"{scene.url}/draw/supplementary", headers=officer)).status_code == 409  # no vacancy
    await at_opening_time(client, scene.tender, clock)
    for role in ("agency", "supervisor"):
        words, headers = await share_words(client, scene.tender, role)
        await hand_in(client, scene.tender, words, headers)
    await wait_for(client, scene.tender, "read_out")
    await client.post(f"{scene.url}/evaluation/start", headers=officer)
    for _ in range(2):  # two cost members do not come: the one cost reserve fills one seat
        absent = next(
            s for s in await scene.committee() if s["status"] == "drawn" and s["specialty"] == "economics.cost"
        )
        await client.post(f"{scene.url}/committee/{absent['seat']}/no-show", headers=officer)
    seats = await scene.committee()
    assert sum(s["specialty"] == "economics.cost" and s["status"] == "drawn" for s in seats) == 1
    progress = (await client.get(f"{scene.url}/evaluation", headers=officer)).json()
    assert len(progress["progress"]) == 4

    refused = await client.post(f"{scene.url}/draw/supplementary", headers=scene.tender.desk.agency_headers)
    assert refused.status_code == 403
    committed = await client.post(f"{scene.url}/draw/supplementary", headers=officer)
    assert committed.status_code == 200, committed.text
    [pending] = committed.json()["supplementary"]
    assert pending["status"] == "committed" and "seed" not in pending  # no seed before its draw
    assert pending["quotas"] == [{"specialty": "economics.cost", "members": 1, "reserves": 0}]
    waiting = await client.post(f"{scene.url}/draw/supplementary", headers=officer)
    assert waiting.status_code == 409  # one at a time
    entry_url = f"{scene.url}/draw/supplementary/{pending['id']}/entry"
    entered = await client.post(entry_url, json={"entry": "补抽随机值 1414"}, headers=officer)
    assert entered.json()["supplementary"][0]["status"] == "committed"  # the lead has not passed
    assert (await client.post(entry_url, json={"entry": "again!"}, headers=officer)).status_code == 409
    clock.advance(world.settings.draw_commit_lead)
    async with world.sessions() as session:
        assert await run_step(session, clock, "expert-supplementary-draw", world.settings, world.sessions) == 1
    [supplementary] = (await client.get(f"{scene.url}/draw", headers=officer)).json()["supplementary"]
    assert supplementary["status"] == "drawn" and supplementary["beacon"]["entry"] == "补抽随机值 1414"
    replay = draw_rules.verify(
        supplementary["snapshot"].encode(),
        supplementary["seed"],
        supplementary["commitment"],
        draw_rules.Beacon(**supplementary["beacon"]),
    )
    [newcomer] = [s for s in await scene.committee() if s["status"] == "drawn" and s["order"] == 4]
    assert [s.expert_id for s in replay.members] == [newcomer["expert"]] and newcomer["specialty"] == "economics.cost"
    excluded = json.loads(supplementary["snapshot"])["excluded"]
    earlier = {s["expert"] for s in seats if s["specialty"] == "economics.cost"}
    assert all("already_drawn" in excluded[e] for e in earlier)
    bidder_view = (await client.get(f"{scene.url}/draw", headers=scene.bidders[0].headers)).json()
    assert bidder_view["supplementary"][0]["commitment"] == supplementary["commitment"]
    assert "seed" not in bidder_view["supplementary"][0]
    again = await client.post(f"{scene.url}/draw/supplementary", headers=officer)
    assert again.status_code == 409  # complete again


async def test_the_draw_commits_ahead_waits_for_the_supervisors_entry_and_shows_no_seed_before(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin = await login(client, (await world.user(Role.admin)).username)
    rows = [row(f"civil{i}", "construction.civil") for i in range(6)] + [
        row(f"cost{i}", "economics.cost") for i in range(4)
    ]
    await client.post("/api/v1/experts/import", content=csv_of(rows), headers={**admin, "content-type": "text/csv"})
    tender = await published_tender(client, world, committee_size=5)
    desk, url = tender.desk, f"/api/v1/tenders/{tender.id}/draw"
    day = (world.clock.now() + timedelta(days=40)).date().isoformat()
    too_soon = {
        "draw_at": (world.clock.now() + timedelta(minutes=5)).isoformat(),
        "evaluation_on": day,
        "quotas": QUOTAS,
    }
    refused = await client.put(url, json=too_soon, headers=desk.agency_headers)
    assert refused.status_code == 422 and refused.json()["invalid-params"][0]["code"] == "too_soon"
    draw_at = world.clock.now() + timedelta(hours=1)
    body = {"draw_at": draw_at.isoformat(), "evaluation_on": day, "quotas": QUOTAS}
    assert (await client.put(url, json=body, headers=desk.agency_headers)).status_code == 200
    entry = {"entry": "掷骰 6-2-4-4"}
    early = await client.post(f"{url}/entry", json=entry, headers=desk.officer_headers)
    assert early.status_code == 409  # nothing is committed yet: an entry now could be ground against

    world.clock.set(draw_at - timedelta(minutes=10))
    async with world.sessions() as session:
        assert await run_step(session, world.clock, "expert-draw-commit", world.settings, world.sessions) == 1
    committed = (await client.get(url, headers=desk.officer_headers)).json()
    assert len(committed["commitment"]) == 128 and "seed" not in committed and "snapshot" not in committed
    assert (await client.post(f"{url}/entry", json=entry, headers=desk.agency_headers)).status_code == 403

    world.clock.set(draw_at)  # the time has come, the supervisor has not entered: the platform waits
    async with world.sessions() as session:
        assert await run_step(session, world.clock, "expert-draw", world.settings, world.sessions) == 0
        told = (await session.scalars(select(Notification).where(Notification.kind == "draw_waits_for_entry"))).all()
        assert len(told) == 1
    assert (await client.get(url, headers=desk.officer_headers)).json()["status"] == "scheduled"

    entered = await client.post(f"{url}/entry", json=entry, headers=desk.officer_headers)
    assert entered.status_code == 200, entered.text
    again = await client.post(f"{url}/entry", json={"entry": "another try"}, headers=desk.officer_headers)
    assert again.status_code == 409 and "already" in again.json()["detail"]
    async with world.sessions() as session:
        assert await run_step(session, world.clock, "expert-draw", world.settings, world.sessions) == 1
    drawn = (await client.get(url, headers=desk.officer_headers)).json()
    assert drawn["status"] == "drawn" and drawn["beacon"]["entry"] == "掷骰 6-2-4-4"
    beacon = draw_rules.Beacon(**drawn["beacon"])
    replay = draw_rules.verify(drawn["snapshot"].encode(), drawn["seed"], drawn["commitment"], beacon)
    assert {s["expert"] for s in drawn["seats"]} == {s.expert_id for s in (*replay.members, *replay.reserves)}
