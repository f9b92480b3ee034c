"""What a hostile or careless user of the supermarket tried: negative, zero, huge and oddly
written money; a request whose auction cannot open, which must not stop the sweep for the
others; and a last-minute bid on a request without a maximum end, which must still extend."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update

from app.core.actor import Role
from app.core.audit_chain import payload_digest
from app.core.clock import FrozenClock
from app.core.models import AuditEvent, Notification
from bidding.market import sealed_offers
from bidding.market.models import AuctionBid, Registration, ServiceRequest
from tests.bidding.market.test_market import at, intermediary, post_request, registered
from tests.conftest import World, login
from tests.steps import run_step

BAD_MONEY = [
    ("ceiling", "0.00", "money.not_positive"),
    ("ceiling", "-5.00", "money.not_positive"),
    ("ceiling", "1e30", "money.too_large"),
    ("ceiling", "92233720368547758.08", "money.too_large"),
    ("ceiling", "NaN", "money.not_a_number"),
    ("ceiling", "100.001", "money.places"),
    ("floor", "-1.00", "money.negative"),
    ("decrement_amount", "0.00", "money.not_positive"),
    ("decrement_amount", "-1000.00", "money.not_positive"),
    ("decrement_amount", "300000.00", "above_ceiling"),
]


@pytest.mark.parametrize(("field", "value", "code"), BAD_MONEY)
async def test_bad_money_in_a_request_is_refused_naming_the_field(
    client: AsyncTestClient[Litestar], world: World, field: str, value: str, code: str
) -> None:
    with pytest.raises(AssertionError) as refused:
        await post_request(client, world, **{field: value})
    assert "422" in str(refused.value) and f'"name":"{field}"' in str(refused.value).replace(" ", "")
    assert code in str(refused.value)
    async with world.sessions() as session:
        assert (await session.scalars(select(ServiceRequest))).all() == []


async def test_money_is_echoed_in_its_canonical_form(client: AsyncTestClient[Litestar], world: World) -> None:
    request_id, owner = await post_request(client, world, ceiling="3E+5", floor="100000.0", decrement_amount="1e3")
    shown = (await client.get(f"/api/v1/service-requests/{request_id}", headers=owner)).json()
    assert (shown["ceiling"], shown["floor"], shown["auction"]["decrement_amount"]) == (
        "300000.00",
        "100000.00",
        "1000.00",
    )


@pytest.mark.parametrize("price", ["-50000.00", "0", "0.00", "1e30", "-1e30", "12.345"])
async def test_a_negative_zero_or_huge_price_never_wins(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock, price: str
) -> None:
    quoted, _owner = await post_request(client, world, method="sealed_quotes", decrement_amount=None)
    direct, owner = await post_request(client, world, method="direct", decrement_amount=None)
    (_org, headers), *_ = await registered(client, world, quoted, 3)
    clock.set(at("2026-12-01T09:35"))
    quote = await client.post(f"/api/v1/service-requests/{quoted}/quotes", json={"price": price}, headers=headers)
    assert quote.status_code == 422 and quote.json()["invalid-params"][0]["name"] == "price"
    chosen, _ = await intermediary(client, world)
    why = "该项目涉及保密工程，须由已承担前期造价咨询的机构继续服务。"
    body = {"org_uscc": chosen.uscc, "price": price, "justification": why}
    selected = await client.post(f"/api/v1/service-requests/{direct}/direct-selection", json=body, headers=owner)
    assert selected.status_code == 422 and selected.json()["invalid-params"][0]["name"] == "price"
    figures = (await client.get("/api/v1/service-requests/stats?start=2026-11-01&end=2026-12-31")).json()
    assert figures["overall"]["total_award"] == "0.00"


async def test_a_request_that_cannot_open_is_reported_and_the_others_still_open(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    broken, _ = await post_request(client, world)
    await registered(client, world, broken, 3)
    innocent, owner = await post_request(client, world, method="random_draw", decrement_amount=None)
    await registered(client, world, innocent, 3)
    async with world.sessions() as session:  # a row written before the validation existed
        await session.execute(
            update(ServiceRequest)
            .where(ServiceRequest.id == _uuid(broken))
            .values(auction={"mode": "continuous", "decrement_amount": "0.00", "decrement_percent": None})
        )
        await session.commit()
    clock.set(at("2026-12-01T09:01"))
    for opened in (1, 0):  # twice: the innocent request opens once; the failure is recorded and told once
        async with world.sessions() as session:
            assert await run_step(session, clock, "auction-open", world.settings, world.sessions) == opened
    assert (await client.get(f"/api/v1/service-requests/{innocent}", headers=owner)).json()["status"] == "awarded"
    async with world.sessions() as session:
        failures = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "sweep.failed"))).all()
        notes = (await session.scalars(select(Notification).where(Notification.kind == "sweep_failed"))).all()
    assert [(e.object_type, e.object_id) for e in failures] == [("service_request", broken)]
    assert [(n.audience_role, n.object_id) for n in notes] == [("supervisor", broken)]


async def test_without_a_maximum_end_a_last_minute_bid_extends_the_auction(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, _owner = await post_request(client, world, max_end=None)
    (_org, headers), *_ = await registered(client, world, request_id, 3)
    clock.set(at("2026-12-01T09:59"))
    answer = await _bid(client, request_id, headers, "290000.00")
    assert answer["extended"] is True and datetime.fromisoformat(answer["ends_at"]) == at("2026-12-01T10:04")
    clock.advance(timedelta(minutes=4, seconds=30))
    again = await _bid(client, request_id, headers, "280000.00")
    assert again["extended"] is True and datetime.fromisoformat(again["ends_at"]) == at("2026-12-01T10:08:30")


async def _bid(client: AsyncTestClient[Litestar], request_id: str, headers: dict[str, str], price: str) -> Any:
    response = await client.post(
        f"/api/v1/service-requests/{request_id}/auction/bids", json={"price": price}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def _uuid(text: str) -> Any:
    import uuid

    return uuid.UUID(text)


async def test_an_unregistered_intermediary_writes_nothing_into_someone_elses_auction(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, _owner = await post_request(client, world)
    await registered(client, world, request_id, 3)
    _outsider, outsider = await intermediary(client, world)
    clock.set(at("2026-12-01T09:35"))
    assert (await client.get(f"/api/v1/service-requests/{request_id}/auction", headers=_owner)).status_code == 200
    async with world.sessions() as session:
        events_before = await session.scalar(select(func.count()).select_from(AuditEvent))
    answers = [
        await client.post(
            f"/api/v1/service-requests/{request_id}/auction/bids", json={"price": "1000.00"}, headers=outsider
        )
        for _ in range(30)
    ]
    assert all(a.status_code == 403 and a.json()["type"].endswith("/not-registered") for a in answers[:20])
    assert {a.status_code for a in answers[20:]} == {429}  # and then slowed down like anyone
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
        assert await session.scalar(select(func.count()).select_from(AuctionBid)) == 0


async def test_a_bidder_is_slowed_down_past_twenty_bids_in_ten_seconds(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, _owner = await post_request(client, world)
    (_org, headers), (_other, other) = (await registered(client, world, request_id, 3))[:2]
    clock.set(at("2026-12-01T09:35"))
    path = f"/api/v1/service-requests/{request_id}/auction/bids"
    answers = [(await client.post(path, json={"price": "1.00"}, headers=headers)).status_code for _ in range(25)]
    assert answers[:20] == [422] * 20 and answers[20:] == [429] * 5  # below the floor: rejected, yet counted
    assert (await client.post(path, json={"price": "290000.00"}, headers=other)).status_code == 200  # others bid on
    clock.advance(timedelta(seconds=10))
    assert (await client.post(path, json={"price": "280000.00"}, headers=headers)).status_code == 200


async def test_sealed_initial_offers_order_round_one_and_stay_hidden_until_the_start(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, owner = await post_request(client, world, mode="rounds", rounds=2, turn_seconds=60, pause_seconds=30)
    register = f"/api/v1/service-requests/{request_id}/registrations"
    offers = ["280000.00", None, "260000.00"]  # A, B (the ceiling), C
    bidders = []
    for offer in offers:
        org, headers = await intermediary(client, world)
        body = {"initial_offer": offer} if offer else None
        assert (await client.post(register, json=body, headers=headers)).status_code == 201
        bidders.append((org, headers))
    _late, late = await intermediary(client, world)
    too_high = await client.post(register, json={"initial_offer": "300000.01"}, headers=late)
    assert too_high.status_code == 422 and too_high.json()["invalid-params"][0]["code"] == "above_ceiling"
    clock.set(at("2026-12-01T09:10"))  # the auction exists, bidding has not started: offers stay sealed
    before = (await client.get(f"/api/v1/service-requests/{request_id}/auction", headers=owner)).json()
    assert before["standings"] == []
    clock.set(at("2026-12-01T09:30"))
    view = (await client.get(f"/api/v1/service-requests/{request_id}/auction", headers=bidders[0][1])).json()
    assert [(s["bidder"], s["price"]) for s in view["standings"]] == [
        ("C", "260000.00"),
        ("A", "280000.00"),
        ("B", "300000.00"),
    ]
    assert view["current_turn"] == "B"  # round 1 in descending initial offers: the leader, C, goes last
    clock.set(at("2026-12-01T09:32"))
    assert (await client.get(f"/api/v1/service-requests/{request_id}/auction", headers=owner)).json()[
        "current_turn"
    ] == "C"


async def test_an_initial_offer_is_only_for_rounds_auctions(client: AsyncTestClient[Litestar], world: World) -> None:
    request_id, _owner = await post_request(client, world)
    _org, headers = await intermediary(client, world)
    refused = await client.post(
        f"/api/v1/service-requests/{request_id}/registrations", json={"initial_offer": "1.00"}, headers=headers
    )
    assert refused.status_code == 422 and refused.json()["invalid-params"][0]["code"] == "not_rounds"


async def test_a_sealed_initial_offer_is_unreadable_at_rest_and_its_fingerprint_cannot_be_searched(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, owner = await post_request(client, world, mode="rounds", rounds=1, turn_seconds=60, pause_seconds=30)
    register = f"/api/v1/service-requests/{request_id}/registrations"
    offers = {"280000.00", "271234.56"}
    for offer in sorted(offers):
        _org, headers = await intermediary(client, world)
        assert (await client.post(register, json={"initial_offer": offer}, headers=headers)).status_code == 201
    _org, headers = await intermediary(client, world)
    assert (await client.post(register, headers=headers)).status_code == 201  # at the ceiling

    # At rest: no figure of an offer in the registrations, sealed or not.
    async with world.sessions() as session:
        rows = (await session.scalars(select(Registration).where(Registration.request_id == request_id))).all()
    sealed = [base64.b64decode(r.initial_offer_sealed) for r in rows if r.initial_offer_sealed]
    assert len(sealed) == 2 and not any(o.replace(".00", "").encode() in raw for raw in sealed for o in offers)

    # What the audit trail publishes of a registration cannot be searched: every price of the range,
    # hashed as a bare SHA-256 or in either payload, matches no published fingerprint.
    officer = await login(client, (await world.user(Role.supervisor)).username)
    trail = {"object_type": "service_request", "object_id": request_id}
    events = (await client.get("/api/v1/audit-events", params=trail, headers=officer)).json()
    published = {e["payload_sha256"] for e in events if e["action"] == "service_request.register"}
    assert len(published) == 3
    found = []
    for fen in [*range(25_000_000, 30_000_001, 100), 27_123_456]:
        for text in (f"{Decimal(fen) / 100:.2f}", str(fen // 100)):
            bare = hashlib.sha256(text.encode()).hexdigest()
            guesses = {
                bare,
                payload_digest({"initial_offer_sha256": bare}),
                payload_digest({"initial_offer_commitment": bare}),
            }
            found += sorted(guesses & published)
    assert found == []

    # From the start the offers stand; after the close each opening checks against its commitment.
    clock.set(at("2026-12-01T09:30"))
    view = (await client.get(f"/api/v1/service-requests/{request_id}/auction", headers=owner)).json()
    assert sorted(s["price"] for s in view["standings"]) == ["271234.56", "280000.00", "300000.00"]
    clock.set(at("2026-12-01T11:00"))
    async with world.sessions() as session:
        assert await run_step(session, clock, "auction-close", world.settings, world.sessions) == 1
    result = (await client.get(f"/api/v1/service-requests/{request_id}/result", headers=owner)).json()
    opened = result["initial_offers"]
    assert {o["price"] for o in opened} == offers
    for o in opened:
        price, salt = Decimal(o["price"]), bytes.fromhex(o["salt"])
        assert sealed_offers.commitment(request_id, o["bidder"], price, salt) == o["commitment"]
        assert payload_digest({"initial_offer_commitment": o["commitment"]}) in published
    assert result["award_price"] == "271234.56"
