"""Electronic guarantees against the reference guarantor (`ggzy guarantor serve`, a real process):
a bidder buys one through the platform and it stands; forged or altered messages are refused
and record nothing; a guarantee for another lot, below the amount or too short is recorded, the
bid still received, the bond shown invalid with its reasons; checked again at the submission
and online at the opening; withdrawn by the guarantor only before the deadline; released when
the bond falls due and claimed only by the tenderee's decision, delivered with retries."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.core.settings import Settings
from bidding.bonds.models import Guarantee, Guarantor, GuarantorMessage
from tests.bidding.award.test_award_api import step
from tests.bids import Bidder, Tender, new_bidder, sealed_bid, submit
from tests.bonds import RunningGuarantor, assert_ledgers_balanced, bond_tender, register, start_guarantor
from tests.conftest import World


@pytest.fixture
def guarantor(settings: Settings, tmp_path: Path) -> Iterator[RunningGuarantor]:
    running, process = start_guarantor(settings, tmp_path, "bank")
    yield running
    process.terminate()
    process.wait(timeout=10)


async def _deadline(client: AsyncTestClient[Litestar], tender: Tender) -> datetime:
    detail = (await client.get(f"/api/v1/tenders/{tender.id}", headers=tender.desk.officer_headers)).json()
    return datetime.fromisoformat(detail["bid_deadline"])


async def _bond(client: AsyncTestClient[Litestar], tender: Tender, bidder: Bidder) -> dict[str, Any]:
    response = await client.get(f"/api/v1/tenders/{tender.id}/bond", headers=bidder.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_bidder_buys_a_guarantee_through_the_platform_and_it_stands_at_the_submission_and_the_opening(
    client: AsyncTestClient[Litestar], world: World, guarantor: RunningGuarantor
) -> None:
    tender = await bond_tender(client, world)
    guarantor_id = await register(client, world, guarantor, "江城银行")
    bidder = await new_bidder(client, world)
    listed = (await client.get("/api/v1/guarantors", headers=bidder.headers)).json()
    assert [(x["name"], x["form"], x["online"]) for x in listed] == [("江城银行", "bank_guarantee", True)]
    bought = await client.post(
        f"/api/v1/tenders/{tender.id}/bond/guarantee", json={"guarantor": guarantor_id}, headers=bidder.headers
    )
    assert bought.status_code == 200, bought.text
    issued = bought.json()["guarantee"]
    assert bought.json()["status"] == "issued" and issued["problems"] == [] and issued["amount"] == "50000.00"
    assert issued["valid_until"] == ((await _deadline(client, tender)).date() + timedelta(days=90)).isoformat()
    bond = await _bond(client, tender, bidder)
    assert bond["form"] == "bank_guarantee" and bond["status"] == "held" and bond["valid"] is True
    assert bond["sub_account"] is None and bond["ledger"] == []  # no cash, no ledger entries
    [at_guarantor] = guarantor.issued()
    assert at_guarantor["number"] == issued["number"] and at_guarantor["applicant"] == bidder.org.uscc
    again = await client.post(
        f"/api/v1/tenders/{tender.id}/bond/guarantee", json={"guarantor": guarantor_id}, headers=bidder.headers
    )
    assert again.status_code == 409 and len(guarantor.issued()) == 1  # never a second guarantee bought for nothing

    world.clock.advance(timedelta(hours=1))
    assert (await submit(client, tender, bidder, sealed_bid(tender, bidder))).status_code == 201
    checked = (await _bond(client, tender, bidder))["guarantees"][0]
    assert checked["checked_at"] > issued["checked_at"] and checked["stands"] is True, checked  # checked again
    # within seconds of the bid, online with the guarantor (after the receipt: nobody waits on it)
    assert await step(world, "guarantee-submission-check") == 1
    assert await step(world, "guarantee-submission-check") == 0
    online = (await _bond(client, tender, bidder))["guarantees"][0]
    assert online["checked_online_at"] is not None and online["stands"] is True
    # a guarantee the guarantor never issued, though signed with its key, fails online
    other = await new_bidder(client, world)
    deadline = await _deadline(client, tender)
    unknown = guarantor.sign(
        "guarantee",
        {
            "number": "NOT-ISSUED-1",
            "form": "bank_guarantee",
            "guarantor": guarantor.uscc,
            "tender": tender.id,
            "lot": "JC-2026-0918",
            "beneficiary": tender.desk.tenderee.uscc,
            "applicant": other.org.uscc,
            "amount": "50000.00",
            "valid_from": "2026-11-30",
            "valid_until": (deadline.date() + timedelta(days=90)).isoformat(),
            "issued_at": "2026-11-30T09:00:00+08:00",
        },
    )
    assert (await client.post("/api/v1/guarantors/messages", json=unknown)).json()["stands"] is True
    assert (await submit(client, tender, other, sealed_bid(tender, other))).status_code == 201
    assert await step(world, "guarantee-submission-check") == 1
    assert (await _bond(client, tender, other))["flags"] == ["not_in_force_online"]

    world.clock.set(await _deadline(client, tender))  # the opening: checked online with the guarantor
    assert await step(world, "guarantee-opening-check") == 2
    assert await step(world, "guarantee-opening-check") == 0
    opened = (await _bond(client, tender, bidder))["guarantees"][0]
    assert opened["checked_at_opening"] is not None and opened["stands"] is True


async def test_a_forged_or_altered_guarantee_is_refused_and_one_that_does_not_fit_is_recorded_invalid(
    client: AsyncTestClient[Litestar], world: World, guarantor: RunningGuarantor
) -> None:
    tender = await bond_tender(client, world)
    await register(client, world, guarantor, "江城银行")
    deadline = await _deadline(client, tender)
    valid_until = (deadline.date() + timedelta(days=90)).isoformat()

    def body(bidder: Bidder, number: str, **changes: str) -> dict[str, str]:
        return {
            "number": number,
            "form": "bank_guarantee",
            "guarantor": guarantor.uscc,
            "tender": tender.id,
            "lot": "JC-2026-0918",
            "beneficiary": tender.desk.tenderee.uscc,
            "applicant": bidder.org.uscc,
            "amount": "50000.00",
            "valid_from": date(2026, 11, 30).isoformat(),
            "valid_until": valid_until,
            "issued_at": "2026-11-30T09:00:00+08:00",
        } | changes

    url = "/api/v1/guarantors/messages"
    forger = await new_bidder(client, world)
    forged = guarantor.sign("guarantee", body(forger, "F1"), key=ed25519.Ed25519PrivateKey.generate())
    assert (await client.post(url, json=forged)).status_code == 401
    altered = guarantor.sign("guarantee", body(forger, "F2"))
    altered["body"]["amount"] = "5000000.00"
    refused = await client.post(url, json=altered)
    assert refused.status_code == 401 and "altered or forged" in refused.json()["detail"]
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Guarantee)) == 0  # nothing recorded

    cases = {
        "other lot": ({"lot": "JC-2026-0919"}, ["wrong_lot"]),
        "below the amount": ({"amount": "49999.99"}, ["below_amount"]),
        "too short": ({"valid_until": (deadline.date() + timedelta(days=30)).isoformat()}, ["validity_short"]),
        "expired": (
            {"valid_from": "2026-01-01", "valid_until": "2026-11-29"},
            ["validity_short", "expired"],
        ),
    }
    bidders = {}
    for n, (case, (changes, reasons)) in enumerate(cases.items()):
        bidder = bidders[case] = await new_bidder(client, world)
        message = guarantor.sign("guarantee", body(bidder, f"N{n}", **changes))
        received = await client.post(url, json=message)
        assert received.status_code == 200, (case, received.text)
        assert received.json()["problems"] == reasons and received.json()["stands"] is False, case
        assert (await client.post(url, json=message)).json()["number"] == f"N{n}"  # sent twice: the same
        # the bid is received all the same (实施条例 art. 36); the bond shows why it does not stand
        assert (await submit(client, tender, bidder, sealed_bid(tender, bidder))).status_code == 201, case
        bond = await _bond(client, tender, bidder)
        assert bond["status"] == "awaiting" and bond["valid"] is False and bond["flags"] == reasons, case
    # A bidder lodges a guarantee file itself: a forged or altered one, or one from a guarantor the
    # centre does not know, is no guarantee — the bid is received, the bond marked with the reason.
    lodged = {
        "forged": (
            guarantor.sign("guarantee", body(forger, "U1"), key=ed25519.Ed25519PrivateKey.generate()),
            ["bad_signature"],
        ),
        "altered": (altered, ["bad_signature"]),
        "unknown guarantor": (
            {**guarantor.sign("guarantee", body(forger, "U2")), "sender": "91110000000000000X"},
            ["unknown_guarantor"],
        ),
        "someone else's": (guarantor.sign("guarantee", body(bidders["other lot"], "U3")), ["wrong_applicant"]),
    }
    for case, (message, reasons) in lodged.items():
        bidder = bidders[case] = await new_bidder(client, world)
        answer = await client.post(
            f"/api/v1/tenders/{tender.id}/bond/guarantee-file", json=message, headers=bidder.headers
        )
        assert answer.status_code == 200, (case, answer.text)
        assert answer.json()["flags"] == reasons and answer.json()["valid"] is False, case
        assert (await submit(client, tender, bidder, sealed_bid(tender, bidder))).status_code == 201, case
    own = await new_bidder(client, world)
    good = guarantor.sign("guarantee", body(own, "U4"))
    answer = await client.post(f"/api/v1/tenders/{tender.id}/bond/guarantee-file", json=good, headers=own.headers)
    assert answer.json()["valid"] is True and answer.json()["guarantees"][0]["number"] == "U4"
    taken = await client.post(f"/api/v1/tenders/{tender.id}/bond/guarantee-file", json=good, headers=forger.headers)
    assert taken.status_code == 409  # a guarantee stands for one bond
    async with world.sessions() as session:
        assert (
            await session.scalar(select(func.count()).select_from(Guarantee).where(Guarantee.number.in_(["U1", "U2"])))
            == 0
        )

    world.clock.set(deadline)
    seen = (await client.get(f"/api/v1/tenders/{tender.id}/bonds", headers=tender.desk.agency_headers)).json()
    expected = [r for _, r in cases.values()] + [r for _, r in lodged.values()] + [[]]
    assert sorted(tuple(b["flags"]) for b in seen["bonds"]) == sorted(tuple(r) for r in expected)
    late = guarantor.sign("guarantee", body(forger, "L1"))
    assert (await client.post(url, json=late)).status_code == 409  # after the deadline: too late


async def test_a_guarantor_withdraws_only_before_the_deadline_and_a_release_and_a_claim_reach_it(
    client: AsyncTestClient[Litestar], world: World, guarantor: RunningGuarantor
) -> None:
    tender = await bond_tender(client, world)
    guarantor_id = await register(client, world, guarantor, "江城银行")
    leaves, stays, cancelled = [await new_bidder(client, world) for _ in range(3)]
    numbers = {}
    for bidder in (leaves, stays, cancelled):
        bought = await client.post(
            f"/api/v1/tenders/{tender.id}/bond/guarantee", json={"guarantor": guarantor_id}, headers=bidder.headers
        )
        numbers[bidder.org.uscc] = bought.json()["guarantee"]["number"]
        assert (await submit(client, tender, bidder, sealed_bid(tender, bidder))).status_code == 201
    withdrawn = guarantor.sign("cancel", {"number": numbers[cancelled.org.uscc]})
    assert (await client.post("/api/v1/guarantors/messages", json=withdrawn)).json()["status"] == "cancelled"
    assert (await _bond(client, tender, cancelled))["flags"] == ["cancelled"]

    # a withdrawn bid's guarantee is released (退保), the guarantor told through the outbox
    assert (await client.post(f"/api/v1/tenders/{tender.id}/bids/withdraw", headers=leaves.headers)).status_code == 200
    assert await step(world, "bond-refund") == 1
    assert (await _bond(client, tender, leaves))["status"] == "released"
    assert await step(world, "guarantor-outbox") == 1
    assert {x["number"]: x["status"] for x in guarantor.issued()}[numbers[leaves.org.uscc]] == "released"

    world.clock.set(await _deadline(client, tender) + timedelta(hours=1))
    too_late = guarantor.sign("cancel", {"number": numbers[stays.org.uscc]})
    assert (await client.post("/api/v1/guarantors/messages", json=too_late)).status_code == 409
    bond = await _bond(client, tender, stays)
    kept = await client.post(
        f"/api/v1/tenders/{tender.id}/bonds/{bond['id']}/forfeiture",
        json={"reason": "withdrawn_after_deadline", "note": "投标人截止后书面撤销投标文件"},
        headers=tender.desk.agency_headers,
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["guarantees"][0]["status"] == "claimed"
    assert await step(world, "guarantor-outbox") == 1
    assert {x["number"]: x["status"] for x in guarantor.issued()}[numbers[stays.org.uscc]] == "claimed"
    async with world.sessions() as session:
        claim = await session.scalar(select(GuarantorMessage).where(GuarantorMessage.kind == "claim"))
        assert claim is not None and claim.answer is not None and claim.answer["paid"] == "50000.00"
    await assert_ledgers_balanced(world)


async def test_a_guarantor_that_does_not_answer_is_retried_with_a_growing_wait_then_shown_to_supervisors(
    client: AsyncTestClient[Litestar], world: World, guarantor: RunningGuarantor, settings: Settings
) -> None:
    tender = await bond_tender(client, world)
    guarantor_id = await register(client, world, guarantor, "江城银行")
    bidder = await new_bidder(client, world)
    await client.post(
        f"/api/v1/tenders/{tender.id}/bond/guarantee", json={"guarantor": guarantor_id}, headers=bidder.headers
    )
    async with world.sessions() as session:  # the guarantor moves away: its address no longer answers
        row = await session.get_one(Guarantor, uuid.UUID(guarantor_id))
        row.endpoint = "http://127.0.0.1:9"
        await session.commit()
    world.clock.set(await _deadline(client, tender))  # no bid: the bond falls due, its guarantee released
    assert await step(world, "bond-refund") == 1
    waits = []
    for _ in range(8):
        assert await step(world, "guarantor-outbox") == 0
        async with world.sessions() as session:
            message = await session.scalar(select(GuarantorMessage))
            assert message is not None
            waits.append((message.next_attempt_at - world.clock.now()).total_seconds())
            status = message.status
        world.clock.advance(timedelta(hours=2))
    assert status == "failed" and waits[:4] == [30, 60, 120, 240]
    notices = (await client.get("/api/v1/notifications", headers=tender.desk.officer_headers)).json()
    assert any(n["kind"] == "guarantor_unreachable" for n in notices)
