"""`ggzy opening watch` and `ggzy auction watch`: the live views in a terminal, run as an officer
and an intermediary would, against running `ggzy serve` workers on PostgreSQL and Redis. Each
prints one line per change for scripts and exits when the opening or the auction is over."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.settings import Settings
from app.identity.models import OrgKind
from bidding.sealing.keys import OpeningPublicKey, bidder_public_key, decrypt_share, generate_bidder_key
from tests.auctions import live_auction
from tests.bids import sealed_file, tender_closing_at
from tests.conftest import GGZY, PASSWORD, World


def _watch(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "GGZY_PASSWORD": PASSWORD, "COLUMNS": "160"}
    return subprocess.Popen([GGZY, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def _finished(process: subprocess.Popen[str], seconds: float) -> tuple[int, str, str]:
    out, err = await asyncio.to_thread(process.communicate, timeout=seconds)
    return process.returncode, out, err


async def test_an_officer_watches_an_opening_in_the_terminal(settings: Settings, two_servers: list[str]) -> None:
    base, other = two_servers
    world = World(settings, FrozenClock(datetime.now(UTC)))
    agent = await world.user(Role.agency, await world.org(OrgKind.agency))
    officer = await world.user(Role.supervisor)
    await world.trading_centre_custodian()
    custody = [(agent, await world.custody_key(agent)), (officer, await world.custody_key(officer))]
    deadline = (datetime.now(UTC) + timedelta(seconds=15)).replace(microsecond=0)
    tender = await tender_closing_at(world, deadline, agent, officer)
    tender_id, key = str(tender.id), OpeningPublicKey.parse(tender.opening_public_key or "")

    async with httpx.AsyncClient(timeout=30) as http:

        async def bearer(username: str) -> dict[str, str]:
            answer = await http.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            return {"Authorization": f"Bearer {answer.json()['access_token']}"}

        bids = (
            ("江城第一建筑工程有限公司", "90000.00"),
            ("长江路桥建设集团有限公司", "88500.00"),
            ("中南水利水电工程有限公司", "91200.00"),
        )
        for name, price in bids:  # three: fewer and the opening fails (招标投标法 28)
            org = await world.org(OrgKind.bidder, name)
            user = await world.user(Role.bidder, org)
            signing = generate_bidder_key()
            headers = await bearer(user.username)
            key_text = {"public_key": bidder_public_key(signing).text()}
            await http.post(f"{base}/api/v1/keys/bid-signing", json=key_text, headers=headers)
            data = sealed_file(tender_id, key, org.uscc, signing, price, "报价单".encode() * 20)
            submitted = await http.post(f"{base}/api/v1/tenders/{tender_id}/bids", content=data, headers=headers)
            assert submitted.status_code == 201, submitted.text

        # Started before the opening, on the other worker: it waits, then follows the stream.
        watcher = _watch("opening", "watch", "--server", other, "--username", officer.username, "--tender", tender_id)
        await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 1.5)
        for custodian, private in custody:
            headers = await bearer(custodian.username)
            share = (await http.get(f"{base}/api/v1/tenders/{tender_id}/custody/share", headers=headers)).json()
            words = decrypt_share(share["encrypted_share"], private, tender_id, share["share_index"])
            handed = await http.post(
                f"{base}/api/v1/tenders/{tender_id}/opening/shares", json={"share": words}, headers=headers
            )
            assert handed.status_code == 200, handed.text
            await asyncio.sleep(1)

    code, out, err = await _finished(watcher, 60)
    assert code == 0, err
    lines = out.splitlines()
    assert any("started: 3 bid(s), 2 share(s) needed" in line for line in lines), out
    assert any("share 1/2 from" in line for line in lines) and any("share 2/2 from" in line for line in lines)
    assert any("read out: 江城第一建筑工程有限公司 90000.00" in line for line in lines), out
    assert any("read out: 长江路桥建设集团有限公司 88500.00" in line for line in lines), out
    assert any("record published" in line for line in lines), out

    # An unknown tender gets the platform's refusal, not a hang.
    unknown = str(uuid.uuid4())
    refused = _watch("opening", "watch", "--server", base, "--username", officer.username, "--tender", unknown)
    code, out, err = await _finished(refused, 30)
    assert code == 1 and "the platform refused (404" in err, err
    await world.close()


async def test_an_intermediary_watches_the_auction_in_the_terminal(
    settings: Settings, two_servers: list[str], scheduler_process: subprocess.Popen[bytes]
) -> None:
    base, other = two_servers
    world = World(settings, FrozenClock(datetime.now(UTC)))
    # 20 s of bidding; a bid in the last 2 minutes extends it, here to at most 30 s.
    _owner, registered, request_id = await live_auction(
        world, world.clock, 3, "江城市第三中学造价咨询", ends_in=timedelta(seconds=20), max_end_in=timedelta(seconds=30)
    )
    (winner, first), (_, second), _third = registered
    watcher = _watch("auction", "watch", "--server", other, "--username", second.username, "--request", str(request_id))
    await asyncio.sleep(2)
    async with httpx.AsyncClient(timeout=30) as http:
        login = await http.post(f"{base}/api/v1/auth/login", json={"username": first.username, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        bid = await http.post(
            f"{base}/api/v1/service-requests/{request_id}/auction/bids", json={"price": "280000.00"}, headers=headers
        )
        assert bid.status_code in (200, 201), bid.text

    code, out, err = await _finished(watcher, 60)
    assert code == 0, err
    lines = out.splitlines()
    assert any(line.startswith("best price 280000.00 (") for line in lines), out
    assert any(line.startswith("extended to ") for line in lines), out
    assert any(line.startswith("closed: winner ") and "at 280000.00" in line for line in lines), out
    assert winner.uscc in next(line for line in lines if line.startswith("closed"))  # named after the close
    assert winner.uscc not in next(line for line in lines if line.startswith("best price"))  # anonymous before
    await world.close()
