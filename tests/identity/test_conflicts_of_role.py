"""Conflicts of role: an organization's kind decides the roles its users may hold (an agency's
user is never a bidder), the tenderee and the agency never bid on their own tender (alone or in a
consortium), and the owner of a service request never registers for it (Tendering Law art. 50,
Regulations art. 34). Each refusal changes nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.core.actor import Role
from app.identity.models import OrgKind
from bidding.market.models import Registration
from bidding.sealing.keys import bidder_public_key, generate_bidder_key
from tests.bids import Bidder, new_bidder, published_tender, sealed_bid, submit
from tests.conftest import PASSWORD, World, login
from tests.filings import open_desk


async def test_an_organizations_kind_decides_the_roles_its_users_may_hold(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin = await login(client, (await world.user(Role.admin)).username)
    agency, bidder = await world.org(OrgKind.agency), await world.org(OrgKind.bidder)
    before = (await client.get("/api/v1/users", headers=admin)).json()["total"]

    def user(name: str, roles: list[str], org: str) -> dict[str, object]:
        return {"username": name, "password": PASSWORD, "roles": roles, "org_uscc": org}

    refused = [
        user("agent.bids", ["agency", "bidder"], agency.uscc),
        user("agent.bidder", ["bidder"], agency.uscc),
        user("bidder.agent", ["agency"], bidder.uscc),
        user("bidder.officer", ["supervisor"], bidder.uscc),
    ]
    for body in refused:
        answer = await client.post("/api/v1/users", json=body, headers=admin)
        assert answer.status_code == 422, answer.text
        [problem] = answer.json()["invalid-params"]
        assert problem["name"] == "roles" and "cannot hold" in problem["reason"], problem
    assert (await client.get("/api/v1/users", headers=admin)).json()["total"] == before  # nothing created

    assert (await client.post("/api/v1/users", json=user("agent", ["agency"], agency.uscc), headers=admin)).is_success
    consultant = user("agent.consults", ["intermediary"], agency.uscc)  # the table lets agencies consult
    assert (await client.post("/api/v1/users", json=consultant, headers=admin)).is_success
    staff = user("bidder.staff", ["bidder"], bidder.uscc)
    assert (await client.post("/api/v1/users", json=staff, headers=admin)).is_success


async def test_the_tenderee_and_its_agency_cannot_bid_on_their_own_tender(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    desk = await open_desk(client, world, world.clock)
    desk.tenderee = await world.org(OrgKind.bidder, "江城建工集团有限公司")  # a builder tendering its own works
    tender = await published_tender(client, world, desk)
    staff = await world.user(Role.bidder, desk.tenderee)
    own = Bidder(desk.tenderee, await login(client, staff.username), generate_bidder_key())
    key = {"public_key": bidder_public_key(own.key).text()}
    assert (await client.post("/api/v1/keys/bid-signing", json=key, headers=own.headers)).status_code == 201

    refused = await submit(client, tender, own, sealed_bid(tender, own))
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("conflict-of-interest") and "tenderee" in refused.json()["detail"]
    rival = await new_bidder(client, world, "长江路桥")
    with_agency = await submit(client, tender, rival, sealed_bid(tender, rival), consortium=[desk.agency.uscc])
    assert with_agency.status_code == 403 and "the agency" in with_agency.json()["detail"]
    officer_view = (await client.get(f"/api/v1/tenders/{tender.id}/bids", headers=desk.officer_headers)).json()
    assert officer_view == [] or officer_view.get("items", officer_view) == []  # no bid, no receipt

    assert (await submit(client, tender, rival, sealed_bid(tender, rival))).status_code == 201


async def test_the_owner_of_a_service_request_cannot_register_for_it(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    firm = await world.org(OrgKind.agency, "华信项目管理咨询有限公司")
    owner = await login(client, (await world.user(Role.agency, firm)).username)
    consultant = await login(client, (await world.user(Role.intermediary, firm)).username)
    at = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    body = {
        "project_name": "华信自有项目造价咨询",
        "category": "SURVEY",
        "ceiling": "300000.00",
        "registration_closes": at.isoformat(),
        "bidding_starts": at.replace(minute=30).isoformat(),
        "bidding_ends": at.replace(hour=10).isoformat(),
        "decrement_amount": "1000.00",
    }
    posted = await client.post("/api/v1/service-requests", json=body, headers=owner)
    assert posted.status_code == 201, posted.text
    url = f"/api/v1/service-requests/{posted.json()['id']}/registrations"
    refused = await client.post(url, headers=consultant)
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("conflict-of-interest")
    async with world.sessions() as session:
        assert (await session.scalars(select(Registration))).all() == []
