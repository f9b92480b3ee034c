"""Invited tenders (邀请招标) through the HTTP API on PostgreSQL: at least 3 invitees named in the
filing (招标投标法 art. 17), a state-funded one with the approval that it may invite (实施条例 art.
8), and bids from the invitees only."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.clock import FrozenClock
from tests.bids import new_bidder, published_tender, sealed_bid, submit
from tests.conftest import World
from tests.filings import open_desk


async def test_an_invited_tender_names_three_invitees_and_takes_their_bids_only(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    invited = [await new_bidder(client, world, f"受邀单位{i}") for i in range(3)]
    outsider = await new_bidder(client, world, "未受邀单位")
    desk = await open_desk(client, world, clock)

    two = await desk.new_filing(procurement_method="invited", invitees=[b.org.uscc for b in invited[:2]])
    refused = await desk.submit(two)
    assert refused.status_code == 422
    found = {(d["code"], d["target"]) for d in refused.json()["deficiencies"]}
    # two invitees only; and a state-funded project needs the approval that it may invite
    assert {("invitees_invalid", "invitees"), ("missing_document", "document:invitation_approval")} <= found
    bad_code = await client.post(
        "/api/v1/filings",
        json={"project_name": "x", "project_type": "other", "invitees": ["91420100MAD4A0UG0X"]},
        headers=desk.agency_headers,
    )
    assert bad_code.status_code == 422 and bad_code.json()["invalid-params"][0]["name"] == "invitees[0]"

    usccs = [b.org.uscc for b in invited]
    tender = await published_tender(
        client, world, desk, procurement_method="invited", invitees=usccs, state_funded=False
    )
    shown = (await client.get(f"/api/v1/tenders/{tender.id}", headers=invited[0].headers)).json()
    assert shown["procurement_method"] == "invited"
    not_invited = await submit(client, tender, outsider, sealed_bid(tender, outsider))
    assert not_invited.status_code == 403 and "invitees only" in not_invited.json()["detail"]
    accepted = await submit(client, tender, invited[0], sealed_bid(tender, invited[0]))
    assert accepted.status_code == 201, accepted.text
