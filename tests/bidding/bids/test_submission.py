"""Submitting sealed bids: checked without decryption, receipted after commit, replaceable and
withdrawable until the deadline, refused after it; nobody can read a bid before the opening."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from app.core.clock import FrozenClock
from app.core.settings import Settings
from bidding.sealing.keys import generate_bidder_key
from bidding.sealing.receipts import ReceiptError, parse_platform_public, verify_receipt
from tests.bids import SECRET_DOCUMENT, new_bidder, published_tender, sealed_bid, submit
from tests.conftest import World


async def test_a_sealed_bid_gets_a_receipt_anyone_can_verify(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    bidder = await new_bidder(client, world)
    clock.advance(timedelta(days=3))
    data = sealed_bid(tender, bidder)
    response = await submit(client, tender, bidder, data)
    assert response.status_code == 201, response.text
    bid = response.json()
    receipt = bid["receipt"]
    assert receipt["sha256"] == hashlib.sha256(data).hexdigest() and receipt["size"] == len(data)
    assert receipt["tender"] == tender.id and receipt["bidder"] == bidder.org.uscc
    assert receipt["received_at"] == clock.now().isoformat()
    platform = parse_platform_public((await client.get("/api/v1/platform/receipt-key")).json()["public_key"])
    verify_receipt(receipt, platform)
    with pytest.raises(ReceiptError):
        verify_receipt({**receipt, "received_at": (clock.now() - timedelta(days=1)).isoformat()}, platform)


async def test_the_newest_bid_counts_and_a_bid_can_be_withdrawn(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    bidder = await new_bidder(client, world)
    first = (await submit(client, tender, bidder, sealed_bid(tender, bidder, "9000000.00"))).json()
    clock.advance(timedelta(minutes=5))
    second = (await submit(client, tender, bidder, sealed_bid(tender, bidder, "8800000.00"))).json()
    listing = (await client.get(f"/api/v1/tenders/{tender.id}/bids", headers=bidder.headers)).json()
    assert [(b["id"], b["status"]) for b in listing] == [(first["id"], "replaced"), (second["id"], "submitted")]
    withdrawn = await client.post(f"/api/v1/tenders/{tender.id}/bids/withdraw", headers=bidder.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = await client.post(f"/api/v1/tenders/{tender.id}/bids/withdraw", headers=bidder.headers)
    assert again.status_code == 404


async def test_a_bid_completed_after_the_deadline_is_refused_with_the_deadline(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    bidder = await new_bidder(client, world)
    deadline = (await client.get(f"/api/v1/tenders/{tender.id}", headers=bidder.headers)).json()["bid_deadline"]
    data = sealed_bid(tender, bidder)
    clock.set(datetime.fromisoformat(deadline) - timedelta(milliseconds=1))
    assert (await submit(client, tender, bidder, data)).status_code == 201
    clock.set(datetime.fromisoformat(deadline))
    late = await submit(client, tender, bidder, data)
    assert late.status_code == 409
    assert late.json()["deadline"] == datetime.fromisoformat(deadline).isoformat()
    assert "the bid deadline was" in late.json()["detail"]
    assert (await client.post(f"/api/v1/tenders/{tender.id}/bids/withdraw", headers=bidder.headers)).status_code == 409


async def test_broken_or_foreign_files_are_refused_with_their_reason(
    backend: str, client: AsyncTestClient[Litestar], world: World, settings: Settings
) -> None:
    tender = await published_tender(client, world)
    bidder = await new_bidder(client, world)
    good = sealed_bid(tender, bidder)
    flipped = bytearray(good)
    flipped[-500] ^= 1
    cases = {
        "not_a_sealed_bid": b"%PDF-1.7 an unsealed tender document",
        "truncated": good[: len(good) // 2],
        "content_altered": bytes(flipped),
        "wrong_tender": sealed_bid(tender, bidder, tender_id="5d2e9a10-41c7-4e0f-8f6b-c2a7d9e31f04"),
        "wrong_signer": sealed_bid(tender, bidder, signing_key=generate_bidder_key()),
        "unsigned": good[: good.rindex(b"SIGN")],
    }
    for code, data in cases.items():
        response = await submit(client, tender, bidder, data)
        assert response.status_code == 422, (code, response.text)
        assert response.json()["code"] == code and response.json()["type"].endswith("/bid-refused")
    assert (await client.get(f"/api/v1/tenders/{tender.id}/bids", headers=bidder.headers)).json() == []
    stored = [p for p in settings.blob_dir.rglob("*") if p.is_file()]
    assert all(p.parent.name != "tmp" for p in stored)  # nothing half-written left behind
    assert {p.name for p in stored}.isdisjoint({hashlib.sha256(d).hexdigest() for d in cases.values()})


async def test_concurrent_uploads_in_the_last_minute_lose_or_mix_nothing(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    bidders = [await new_bidder(client, world) for _ in range(6)]
    files = {b.org.uscc: [sealed_bid(tender, b, f"{8_000_000 + i}.00") for i in range(3)] for b in bidders}
    responses = await asyncio.gather(*(submit(client, tender, b, data) for b in bidders for data in files[b.org.uscc]))
    assert [r.status_code for r in responses] == [201] * 18
    receipts = {r.json()["receipt"]["bid"]: r.json()["receipt"] for r in responses}
    assert len(receipts) == 18
    for bidder in bidders:
        listing = (await client.get(f"/api/v1/tenders/{tender.id}/bids", headers=bidder.headers)).json()
        assert len(listing) == 3 and [b["status"] for b in listing].count("submitted") == 1
        assert {b["sha256"] for b in listing} == {hashlib.sha256(d).hexdigest() for d in files[bidder.org.uscc]}
        assert {b["bidder_uscc"] for b in listing} == {bidder.org.uscc}


async def test_before_the_opening_nobody_can_read_a_bid(
    backend: str,
    client: AsyncTestClient[Litestar],
    world: World,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    tender = await published_tender(client, world)
    bidder = await new_bidder(client, world)
    price = "7654321.99"
    assert (await submit(client, tender, bidder, sealed_bid(tender, bidder, price))).status_code == 201
    clear = [price.encode(), SECRET_DOCUMENT[:30], "本单位承诺".encode()]
    # No route answers with the plaintext, whoever asks.
    desk = tender.desk
    answers = b""
    for headers in (bidder.headers, desk.officer_headers, desk.agency_headers):
        for path in (
            f"/api/v1/tenders/{tender.id}/bids",
            f"/api/v1/tenders/{tender.id}",
            f"/api/v1/audit-events?object_type=tender&object_id={tender.id}",
        ):
            answers += (await client.get(path, headers=headers)).content
    async with world.sessions() as session:
        tables = ["bids", "tenders", "audit_events", "custody_shares", "registered_keys"]
        rows = [(await session.execute(text(f"SELECT * FROM {table}"))).all() for table in tables]
    files = b"".join(
        p.read_bytes() for p in settings.data_dir.rglob("*") if p.is_file() and not p.name.endswith(".sqlite3")
    )
    for secret in clear:
        assert secret not in answers and secret not in files and secret.decode() not in caplog.text
        assert secret.decode() not in str(rows)


async def test_a_refused_upload_never_removes_a_stored_file_and_is_audited(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock, settings: Settings
) -> None:
    tender = await published_tender(client, world)
    listed = (await client.get("/api/v1/filings", headers=tender.desk.agency_headers)).json()["items"][0]
    filing = (await client.get(f"/api/v1/filings/{listed['id']}", headers=tender.desk.agency_headers)).json()
    document = next(d for d in filing["documents"] if d["kind"] == "tender_document")
    path = f"/api/v1/filings/{filing['id']}/documents/{document['id']}"
    original = (await client.get(path, headers=tender.desk.agency_headers)).content
    bidder = await new_bidder(client, world)
    refused = await submit(client, tender, bidder, original)  # every bidder can download these bytes
    assert refused.status_code == 422 and refused.json()["code"] == "not_a_sealed_bid"
    for headers in (tender.desk.agency_headers, tender.desk.officer_headers):
        again = await client.get(path, headers=headers)
        assert again.status_code == 200 and again.content == original
    assert list((settings.blob_dir / "tmp").iterdir()) == []
    async with world.sessions() as session:
        audited = (
            await session.execute(text("SELECT object_id, org_uscc FROM audit_events WHERE action = 'bid.refused'"))
        ).all()
    assert [tuple(row) for row in audited] == [(tender.id, bidder.org.uscc)]


async def test_leftovers_of_a_killed_upload_are_cleaned_and_fresh_ones_kept(settings: Settings) -> None:
    import os
    import time

    from app.core.blobs import LocalBlobStore

    store = LocalBlobStore(settings.blob_dir)
    stale, fresh = store.root / "tmp" / "stale", store.root / "tmp" / "fresh"
    stale.write_bytes(b"half an upload")
    fresh.write_bytes(b"an upload in progress")
    hours_ago = time.time() - 2 * 3600
    os.utime(stale, (hours_ago, hours_ago))
    assert store.clean_staging() == 1
    assert not stale.exists() and fresh.exists()
