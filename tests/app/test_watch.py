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

from app.core.clock import FrozenClock
from app.core.settings import Settings
from tests.auctions import live_auction
from tests.bids import live_opening
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
    async with httpx.AsyncClient(timeout=30) as http:
        scene = await live_opening(world, http, base, timedelta(seconds=15))
        for name, price in (
            ("江城第一建筑工程有限公司", "90000.00"),
            ("长江路桥建设集团有限公司", "88500.00"),
            ("中南水利水电工程有限公司", "91200.00"),
        ):  # three: fewer and the opening fails (招标投标法 28)
            await scene.submit(*await scene.sealed_bidder(name, price))

        # Started before the opening, on the other worker: it waits, then follows the stream.
        officer, tender_id = scene.officer, scene.tender_id
        watcher = _watch("opening", "watch", "--server", other, "--username", officer.username, "--tender", tender_id)
        await asyncio.sleep(max(0.0, (scene.deadline - datetime.now(UTC)).total_seconds()) + 1.5)
        for custodian, private in scene.custody:
            await scene.hand_in(custodian, private)
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
    # 12 s of bidding; a bid in the last 2 minutes extends it, here to at most 20 s.
    _owner, registered, request_id = await live_auction(
        world, world.clock, 3, "江城市第三中学造价咨询", ends_in=timedelta(seconds=12), max_end_in=timedelta(seconds=20)
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
