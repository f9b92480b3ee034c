"""Redis goes away in the middle of an auction and comes back: bids are still taken and kept,
`/health` says live events are degraded meanwhile, and once Redis returns the watcher that stayed
connected receives every bid, in order, without a restart; the server then stops in seconds."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from app.core.clock import FrozenClock
from app.core.settings import Settings
from tests.auctions import live_auction
from tests.conftest import GGZY, PASSWORD, World, free_port, server_env
from tests.redis_server import OwnRedis, needs_redis_server

pytestmark = needs_redis_server


async def test_live_events_resume_by_themselves_after_a_redis_outage(settings: Settings, own_redis: OwnRedis) -> None:
    clock = FrozenClock(datetime.now(UTC))
    world = World(settings, clock)
    owner, registered, request_id = await live_auction(world, clock, 3, "断线重连竞价")
    bidders = [user for _org, user in registered]
    await world.close()

    port = free_port()
    env = {**server_env(settings), "GGZY_REDIS_URL": own_redis.url}
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, before any await on it
        [GGZY, "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for _ in range(200):
                try:
                    await http.get("/health")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)

            async def login(username: str) -> dict[str, str]:
                answer = await http.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
                return {"Authorization": f"Bearer {answer.json()['access_token']}"}

            heads = [await login(user.username) for user in bidders]
            watching = await login(owner.username)
            assert (await http.get(f"/api/v1/service-requests/{request_id}/auction", headers=watching)).status_code
            watched: list[dict[str, Any]] = []

            async def watch() -> None:
                url = f"/api/v1/service-requests/{request_id}/auction/events"
                async with http.stream("GET", url, headers=watching, timeout=60) as stream:
                    async for line in stream.aiter_lines():
                        if line.startswith("data: "):
                            watched.append(json.loads(line[len("data: ") :]))

            watcher = asyncio.create_task(watch())
            await asyncio.sleep(0.5)
            prices = iter(Decimal("299000.00") - 500 * i for i in range(100))
            accepted: list[str] = []

            async def bid(i: int) -> None:
                price = str(next(prices))
                answer = await http.post(
                    f"/api/v1/service-requests/{request_id}/auction/bids",
                    json={"price": price},
                    headers=heads[i % 3],
                )
                assert answer.status_code == 200, answer.text
                accepted.append(price)

            for i in range(3):
                await bid(i)
            own_redis.stop()
            for i in range(3):
                await bid(i)  # taken and kept while Redis is away
            health = await http.get("/health")
            assert health.status_code == 503 and health.json()["live"]["ok"] is False
            own_redis.start()
            for _ in range(100):  # the hub reconnects by itself
                if (await http.get("/health")).status_code == 200:
                    break
                await asyncio.sleep(0.1)
            assert (await http.get("/health")).json()["live"]["ok"] is True
            for i in range(2):
                await bid(i)
            for _ in range(50):
                if len([e for e in watched if e["kind"] == "bid"]) >= len(accepted):
                    break
                await asyncio.sleep(0.1)
            seen = [e["data"]["price"] for e in watched if e["kind"] == "bid"]
            assert seen == accepted  # every bid, in order, none twice
            started = time.monotonic()  # the watcher is still connected: shutdown must not wait on it
            server.send_signal(signal.SIGTERM)
            await asyncio.to_thread(server.wait, 30)
            assert time.monotonic() - started < 10
            watcher.cancel()
    finally:
        if server.poll() is None:
            server.kill()
