"""Two web processes on one PostgreSQL and one Redis: an opening driven through one process is
watched live, every step of it, by a supervisor's SSE client connected to the other."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.settings import Settings
from app.identity.models import OrgKind
from bidding.sealing.envelope import Declaration, seal
from bidding.sealing.keys import OpeningPublicKey, bidder_public_key, decrypt_share, generate_bidder_key
from tests.bids import tender_closing_at
from tests.conftest import PASSWORD, World


async def test_a_supervisor_watching_on_the_other_worker_sees_every_step(
    settings: Settings, two_servers: list[str]
) -> None:
    worker_a, worker_b = two_servers
    clock = FrozenClock(datetime.now(UTC))
    world = World(settings, clock)
    agency = await world.org(OrgKind.agency)
    agent = await world.user(Role.agency, agency)
    officer = await world.user(Role.supervisor)
    await world.trading_centre_custodian()  # the third custodian, who stays away
    custody = {
        "agency": (agent, await world.custody_key(agent)),
        "supervisor": (officer, await world.custody_key(officer)),
    }
    deadline = (datetime.now(UTC) + timedelta(seconds=15)).replace(microsecond=0)
    tender = await tender_closing_at(world, deadline, agent, officer)
    tender_id = str(tender.id)
    opening_key = OpeningPublicKey.parse(tender.opening_public_key or "")

    async with httpx.AsyncClient(timeout=30) as http:

        async def login(base: str, username: str) -> dict[str, str]:
            response = await http.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            return {"Authorization": f"Bearer {response.json()['access_token']}"}

        for i in range(3):
            org = await world.org(OrgKind.bidder)
            user = await world.user(Role.bidder, org)
            headers = await login(worker_a, user.username)
            key = generate_bidder_key()
            await http.post(
                f"{worker_a}/api/v1/keys/bid-signing",
                json={"public_key": bidder_public_key(key).text()},
                headers=headers,
            )
            out = io.BytesIO()
            seal(
                out,
                tender=tender_id,
                bidder=org.uscc,
                opening_key=opening_key,
                signing_key=key,
                declaration=Declaration(Decimal(f"9000{i}.00")),
                documents=[("报价单.pdf", lambda: io.BytesIO(b"price list"))],
                created=datetime.now(UTC),
            )
            submitted = await http.post(
                f"{worker_a}/api/v1/tenders/{tender_id}/bids", content=out.getvalue(), headers=headers
            )
            assert submitted.status_code == 201, submitted.text

        watcher_headers = await login(worker_b, officer.username)
        received: list[dict[str, Any]] = []

        async def watch() -> None:
            async with http.stream(
                "GET", f"{worker_b}/api/v1/tenders/{tender_id}/opening/events", headers=watcher_headers, timeout=60
            ) as stream:
                async for line in stream.aiter_lines():
                    if line.startswith("data: "):
                        received.append(json.loads(line[len("data: ") :]))
                        if received[-1]["kind"] == "record_published":
                            return

        watcher = asyncio.create_task(watch())
        await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.5)
        for role, (user, key) in custody.items():  # two of the three custodians
            headers = await login(worker_a, user.username)
            share = (await http.get(f"{worker_a}/api/v1/tenders/{tender_id}/custody/share", headers=headers)).json()
            words = decrypt_share(share["encrypted_share"], key, tender_id, share["share_index"])
            handed = await http.post(
                f"{worker_a}/api/v1/tenders/{tender_id}/opening/shares", json={"share": words}, headers=headers
            )
            assert handed.status_code == 200, (role, handed.text)
        await asyncio.wait_for(watcher, timeout=30)

    kinds = [event["kind"] for event in received]
    assert kinds == [
        "started",
        "share_received",
        "share_received",
        "key_rebuilt",
        "read_out",
        "read_out",
        "read_out",
        "record_published",
    ]
    assert [event["seq"] for event in received] == list(range(1, 9))
    assert sorted(e["data"]["price"] for e in received if e["kind"] == "read_out") == [
        "90000.00",
        "90001.00",
        "90002.00",
    ]
    await world.close()
