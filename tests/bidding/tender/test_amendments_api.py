"""Clarifications and changes of the tender documents (澄清/修改, Tendering Law art. 23) through the
HTTP API: bidders obtain the documents and become their holders; a change 10 days before the
deadline moves the deadline and the opening so that 15 days remain and tells every holder; a bid
sealed before it is flagged until its bidder confirms it; and the refusals on the way."""

from __future__ import annotations

from datetime import datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.identity.models import OrgKind
from tests.bids import new_bidder, published_tender, sealed_bid, submit
from tests.conftest import SHANGHAI, World, login


async def kinds_of_notices(client: AsyncTestClient[Litestar], headers: dict[str, str]) -> list[str]:
    return [n["kind"] for n in (await client.get("/api/v1/notifications", headers=headers)).json()]


async def test_a_change_ten_days_before_the_deadline_moves_it_tells_every_holder_and_flags_sealed_bids(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    desk, url = tender.desk, f"/api/v1/tenders/{tender.id}"
    reader = await new_bidder(client, world, "甲建设")
    bidder = await new_bidder(client, world, "乙建设")
    bystander = await new_bidder(client, world, "丙建设")

    # A bidder obtains the tender documents (the agency's own papers are not among them).
    documents = (await client.get(f"{url}/documents", headers=reader.headers)).json()
    assert sorted(d["kind"] for d in documents) == ["announcement", "tender_document"]
    tender_document = next(d for d in documents if d["kind"] == "tender_document")
    got = await client.get(f"{url}/documents/{tender_document['id']}", headers=reader.headers)
    assert got.status_code == 200 and got.content.startswith(b"tender_document of ")
    assert got.headers["content-type"] == "application/octet-stream"  # never the uploader's claimed type
    assert got.headers["content-disposition"].startswith("attachment")
    assert got.headers["x-content-type-options"] == "nosniff"
    # Another bidder submits a sealed bid without downloading here; it holds the documents too.
    assert (await submit(client, tender, bidder, sealed_bid(tender, bidder))).status_code == 201

    # Ten days before the deadline the agency uploads a revised document and issues a change.
    deadline = datetime.fromisoformat((await client.get(url, headers=reader.headers)).json()["bid_deadline"])
    clock.set(deadline - timedelta(days=10))
    revised = await client.post(
        f"{url}/documents",
        params={"filename": "招标文件（修订）.pdf"},
        content=b"%PDF-1.4 revised",
        headers={**desk.agency_headers, "content-type": "application/pdf"},
    )
    assert revised.status_code == 201, revised.text
    unpublished = (await client.get(f"{url}/documents", headers=reader.headers)).json()
    assert revised.json()["id"] not in [d["id"] for d in unpublished]  # not before an amendment cites it

    # Every bad field at once, nothing changed.
    bad = await client.post(
        f"{url}/amendments",
        json={
            "kind": "change",
            "summary": "   ",
            "documents": ["00000000-0000-0000-0000-000000000000"],
            "bid_deadline": (deadline - timedelta(days=1)).isoformat(),
        },
        headers=desk.agency_headers,
    )
    assert bad.status_code == 422, bad.text
    assert {p["name"] for p in bad.json()["invalid-params"]} == {"summary", "documents", "bid_deadline"}
    by_bidder = await client.post(f"{url}/amendments", json={"kind": "change", "summary": "x"}, headers=bidder.headers)
    assert by_bidder.status_code == 403
    stranger = await login(client, (await world.user(Role.agency, await world.org(OrgKind.agency))).username)
    someone_elses = await client.post(f"{url}/amendments", json={"kind": "change", "summary": "x"}, headers=stranger)
    assert someone_elses.status_code == 403

    change = await client.post(
        f"{url}/amendments",
        json={
            "kind": "change",
            "summary": "第三章技术要求第5条修改为装配式钢结构",
            "documents": [revised.json()["id"]],
        },
        headers=desk.agency_headers,
    )
    assert change.status_code == 201, change.text
    issued = change.json()
    moved = datetime.fromisoformat(issued["deadline_after"])
    assert issued["number"] == 1 and issued["deadline_moved"]
    assert moved - clock.now() >= timedelta(days=15)
    assert moved.astimezone(SHANGHAI).time() == deadline.astimezone(SHANGHAI).time()
    shown = (await client.get(url, headers=reader.headers)).json()
    assert datetime.fromisoformat(shown["bid_deadline"]) == moved == datetime.fromisoformat(shown["opening_time"])
    published = (await client.get(f"{url}/documents", headers=reader.headers)).json()
    assert [d["amendment"] for d in published if d["kind"] == "amendment"] == [1]

    # Every holder is told; a bidder that never obtained the documents is not.
    assert "amendment" in await kinds_of_notices(client, reader.headers)
    assert "amendment" in await kinds_of_notices(client, bidder.headers)
    assert "amendment" not in await kinds_of_notices(client, bystander.headers)

    # The bid sealed before the change awaits its bidder's confirmation. Only the supervisors learn
    # whether and how many bids exist before the deadline: the agency, an admin and a rival bidder
    # are told nothing of the others' bids (Tendering Law art. 22).
    assert (await client.get(f"{url}/amendments", headers=bidder.headers)).json()["my_bid_awaits_confirmation"]
    admin = await login(client, (await world.user(Role.admin)).username)
    for outsider in (desk.agency_headers, admin, reader.headers):
        outsider_view = (await client.get(f"{url}/amendments", headers=outsider)).json()
        assert "bids_awaiting_confirmation" not in outsider_view and "awaiting" not in outsider_view
        assert [a["number"] for a in outsider_view["amendments"]] == [1]
    assert not (await client.get(f"{url}/amendments", headers=reader.headers)).json()["my_bid_awaits_confirmation"]
    officer_view = (await client.get(f"{url}/amendments", headers=desk.officer_headers)).json()
    assert officer_view["bids_awaiting_confirmation"] == 1
    assert (await client.get(f"{url}/bids", headers=admin)).json() == []  # nor the list of bids, before the deadline
    assert len((await client.get(f"{url}/bids", headers=desk.officer_headers)).json()) == 1
    assert [a["bidder_uscc"] for a in officer_view["awaiting"]] == [bidder.org.uscc]
    no_bid = await client.post(f"{url}/amendments/1/confirmation", headers=reader.headers)
    assert no_bid.status_code == 404
    stale = await client.post(f"{url}/amendments/2/confirmation", headers=bidder.headers)
    assert stale.status_code == 409
    confirmed = await client.post(f"{url}/amendments/1/confirmation", headers=bidder.headers)
    assert confirmed.status_code == 200, confirmed.text
    assert not confirmed.json()["my_bid_awaits_confirmation"] and "bids_awaiting_confirmation" not in confirmed.json()
    officer_view = (await client.get(f"{url}/amendments", headers=desk.officer_headers)).json()
    assert officer_view["bids_awaiting_confirmation"] == 0

    # Past the original deadline, before the moved one, a bid is still accepted.
    clock.set(deadline + timedelta(hours=1))
    late_but_in_time = await submit(client, tender, reader, sealed_bid(tender, reader))
    assert late_but_in_time.status_code == 201, late_but_in_time.text

    # After the moved deadline nothing is amended any more.
    clock.set(moved + timedelta(seconds=1))
    closed = await client.post(
        f"{url}/amendments", json={"kind": "clarification", "summary": "x"}, headers=desk.agency_headers
    )
    assert closed.status_code == 409
