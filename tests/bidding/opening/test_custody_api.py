"""Publishing a tender gives it an opening key whose private half exists only as shares sealed
to the custodians' keys: each custodian gets theirs once, any two rebuild the key, and no copy
of it is kept anywhere on the platform."""

from __future__ import annotations

import base64
import logging
from datetime import datetime

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.settings import Settings
from app.identity.models import OrgKind
from bidding.sealing.custody import combine
from bidding.sealing.keys import (
    BidderPublicKey,
    OpeningPublicKey,
    bidder_public_key,
    decrypt_share,
    generate_bidder_key,
)
from tests.conftest import SHANGHAI, World, login
from tests.filings import Desk, open_desk


async def published_tender(desk: Desk) -> str:
    desk.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI))
    filing_id = await desk.new_filing()
    await desk.submit(filing_id)
    accepted = await desk.decide(filing_id, "accept")
    assert accepted.status_code == 200, accepted.text
    return str(accepted.json()["tender_id"])


async def test_custodians_each_get_their_share_once_and_two_rebuild_the_published_key(
    backend: str,
    client: AsyncTestClient[Litestar],
    world: World,
    clock: FrozenClock,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    desk = await open_desk(client, world, clock)
    tender_id = await published_tender(desk)
    opening = (await client.get(f"/api/v1/tenders/{tender_id}/opening-key", headers=desk.agency_headers)).json()
    published = OpeningPublicKey.parse(opening["public_key"])
    assert opening["custody_threshold"] == 2 and opening["custodians"] == ["agency", "supervisor", "trading_centre"]

    mnemonics = []
    for role, (user, key) in desk.custodians.items():
        headers = desk.agency_headers if role == "agency" else desk.officer_headers if role == "supervisor" else None
        headers = headers or await login(client, user.username)
        share = await client.get(f"/api/v1/tenders/{tender_id}/custody/share", headers=headers)
        assert share.status_code == 200 and share.json()["custodian_role"] == role
        again = await client.get(f"/api/v1/tenders/{tender_id}/custody/share", headers=headers)
        assert again.status_code == 409 and "only once" in again.json()["detail"]
        mnemonics.append(decrypt_share(share.json()["encrypted_share"], key, tender_id, share.json()["share_index"]))
    rebuilt = combine(mnemonics[1:], published)

    # No copy of the private key, nor any share in the clear, anywhere on the platform.
    secrets = [rebuilt.raw.hex(), base64.b64encode(rebuilt.raw).decode(), *(" ".join(m.split()[:6]) for m in mnemonics)]
    async with world.sessions() as session:
        tables = [
            "tenders",
            "custody_shares",
            "audit_events",
            "notifications",
            "registered_keys",
            "filings",
            "filing_rounds",
        ]
        rows = [(await session.execute(text(f"SELECT * FROM {table}"))).all() for table in tables]
    dump = str(rows)
    files = "".join(p.read_bytes().decode("latin-1") for p in settings.data_dir.rglob("*") if p.is_file())
    logs = caplog.text
    for secret in secrets:
        assert secret not in dump and secret not in files and secret not in logs


async def test_who_may_read_the_opening_key_and_the_shares(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    desk = await open_desk(client, world, clock)
    tender_id = await published_tender(desk)
    bidder = await world.user(Role.bidder, await world.org(OrgKind.bidder))
    bidder_headers = await login(client, bidder.username)
    assert (await client.get(f"/api/v1/tenders/{tender_id}/opening-key", headers=bidder_headers)).status_code == 200
    assert (await client.get(f"/api/v1/tenders/{tender_id}/custody/share", headers=bidder_headers)).status_code == 403
    stranger = await world.user(Role.supervisor, username="zhou")
    refused = await client.get(
        f"/api/v1/tenders/{tender_id}/custody/share", headers=await login(client, stranger.username)
    )
    assert refused.status_code == 404


async def test_publication_is_refused_while_a_custodian_has_no_key(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    desk = await open_desk(client, world, clock, officer="new.officer")
    async with world.sessions() as session:
        await session.execute(text("UPDATE registered_keys SET retired_at = registered_at"))
        await session.commit()
    desk.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI))
    filing_id = await desk.new_filing()
    await desk.submit(filing_id)
    refused = await desk.decide(filing_id, "accept")
    assert refused.status_code == 409 and refused.json()["type"].endswith("/custodian-missing")
    agent = desk.custodians["agency"][0].username
    assert refused.json()["missing"] == [f"agency ({agent})", "supervisor (new.officer)", "trading_centre"]
    filing = (await client.get(f"/api/v1/filings/{filing_id}", headers=desk.officer_headers)).json()
    assert filing["status"] == "submitted" and filing["tender_id"] is None


async def test_a_bidder_registers_and_rotates_its_signing_key(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    bidder = await world.user(Role.bidder, await world.org(OrgKind.bidder))
    headers = await login(client, bidder.username)
    first, second = bidder_public_key(generate_bidder_key()), bidder_public_key(generate_bidder_key())
    for key in (first, second):
        response = await client.post("/api/v1/keys/bid-signing", json={"public_key": key.text()}, headers=headers)
        assert response.status_code == 201 and response.json()["fingerprint"] == key.fingerprint
    keys = (await client.get("/api/v1/keys/bid-signing", headers=headers)).json()
    assert [(BidderPublicKey.parse(k["public_key"]), k["retired_at"] is None) for k in keys] == [
        (second, True),
        (first, False),
    ]
    bad = await client.post(
        "/api/v1/keys/bid-signing", json={"public_key": "ggzy-bidder-public/1 AAAA"}, headers=headers
    )
    assert bad.status_code == 422 and "32 bytes" in bad.json()["invalid-params"][0]["reason"]
