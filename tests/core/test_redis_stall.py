"""A stalled Redis (alive, holding every connection, answering nobody: `DEBUG SLEEP`) on the
request path: a bid sent before an auction's close is taken at the time it arrived and answered
within the guard's short timeout, the bid rate is still counted (in the process), `/health` says
Redis is down while it sleeps and is 200 again by itself once it answers, and the watchers of
every process are told to catch up with the events that could not be published meanwhile."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from app.core.actor import Actor, Role
from app.core.clock import FrozenClock
from app.core.live import RESYNC, LiveHub
from app.core.redis_guard import RedisGuard
from app.core.settings import Settings
from app.identity.models import OrgKind
from app.main import create_app
from bidding.market import requests
from bidding.market.auction.engine import Mode
from credit.hooks import gate as credit_gate
from tests.auctions import qualified_intermediary
from tests.conftest import World, login
from tests.redis_server import OwnRedis, needs_redis_server

pytestmark = needs_redis_server
STALL_SECONDS = 4


async def test_a_bid_sent_before_the_close_during_a_redis_stall_is_taken_at_its_arrival(
    settings: Settings, clock: FrozenClock, world: World, own_redis: OwnRedis
) -> None:
    owner = await world.user(Role.agency, await world.org(OrgKind.tenderee))
    (org_a, a), (_org_b, b) = [await qualified_intermediary(world, clock) for _ in range(2)]
    opens, ends = clock.now() + timedelta(hours=1), clock.now() + timedelta(hours=2)
    terms = requests.RequestTerms(
        "停顿竞价", "SURVEY", Decimal("300000.00"), None, opens, opens, ends,
        ends, 2, Mode.continuous, Decimal("100.00"), None,
    )  # fmt: skip
    async with world.sessions() as session:
        request_id = (await requests.post_request(session, clock, Actor.of(owner), terms)).id
        for user in (a, b):
            await requests.register(session, clock, Actor.of(user), request_id, credit_gate(ZoneInfo("Asia/Shanghai")))
    app = create_app(dataclasses.replace(settings, redis_url=own_redis.url, auction_bids_per_window=2), clock)
    bids = f"/api/v1/service-requests/{request_id}/auction/bids"
    async with AsyncTestClient(app) as client:
        heads_a, heads_b = await login(client, a.username), await login(client, b.username)
        clock.set(opens + timedelta(minutes=30))
        assert (await client.post(bids, json={"price": "299000"}, headers=heads_a)).status_code == 200

        # 2.8 s before the close Redis stalls; the bid is on its way while the close passes.
        clock.set(ends - timedelta(seconds=2.8))
        stall = own_redis.stall(STALL_SECONDS)
        started = time.monotonic()
        sent = asyncio.create_task(client.post(bids, json={"price": "298000"}, headers=heads_b))
        await asyncio.sleep(0.05)
        clock.set(ends + timedelta(seconds=1))
        answer = await sent
        waited = time.monotonic() - started
        assert answer.status_code == 200, answer.text
        assert datetime.fromisoformat(answer.json()["server_time"]) == ends - timedelta(seconds=2.8)
        assert waited < STALL_SECONDS - 1 and stall.is_alive()  # answered while Redis still sleeps

        # While Redis sleeps the limit is counted in this process: the rate still holds.
        clock.set(ends - timedelta(seconds=100))  # the bid above extended the auction
        statuses = [
            (await client.post(bids, json={"price": p}, headers=heads_a)).status_code for p in (297000, 296000, 295000)
        ]
        assert statuses == [200, 200, 429]  # two bids a window
        health = await client.get("/health")
        assert health.status_code == 503 and health.json()["redis"]["ok"] is False
        assert stall.is_alive()

        # Redis answers again: /health is 200 by itself, without a restart.
        await asyncio.to_thread(stall.join)
        for _ in range(50):
            if (await client.get("/health")).status_code == 200:
                break
            await asyncio.sleep(0.1)
        health = await client.get("/health")
        assert health.status_code == 200, health.text
        assert health.json()["live"]["ok"] is True and health.json()["redis"]["ok"] is True
    assert org_a.uscc != _org_b.uscc


async def test_a_hub_that_could_not_publish_tells_every_process_to_catch_up_when_redis_answers(
    own_redis: OwnRedis,
) -> None:
    publisher = LiveHub(RedisGuard(Redis.from_url(own_redis.url)))
    watcher_guard = RedisGuard(Redis.from_url(own_redis.url))
    watcher = LiveHub(watcher_guard)
    await publisher.start()
    await watcher.start()
    try:
        async with watcher.subscribe("auction-x") as inbox:
            for _ in range(50):
                if watcher.listening and publisher.listening:
                    break
                await asyncio.sleep(0.05)
            stall = own_redis.stall(2)
            await publisher.publish("auction-x", b'{"seq": 1, "kind": "bid", "at": "", "data": {}}')
            assert not publisher.healthy and publisher.trouble[1] is not None
            await asyncio.to_thread(stall.join)
            while not inbox.empty():  # whatever the watcher got while Redis slept
                inbox.get_nowait()
            await publisher.redis_answered()  # e.g. /health's probe answered
            assert publisher.healthy, publisher.trouble
            marker = await asyncio.wait_for(inbox.get(), timeout=5)
            assert marker == RESYNC
    finally:
        await publisher.stop()
        await watcher.stop()
        assert publisher.redis is not None and watcher.redis is not None
        await publisher.redis.aclose()
        await watcher.redis.aclose()
