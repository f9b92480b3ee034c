"""Health reports the database and Redis; live events cross app instances through Redis."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.clock import FrozenClock
from app.main import create_app
from app.settings import Settings
from tests.conftest import TEST_NOW


async def test_health_reports_database_and_redis(backend: str, client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"]["ok"] is True
    assert body["time"] == TEST_NOW.astimezone().isoformat().replace("+00:00", "Z")
    if backend == "postgresql":
        assert body["database"]["detail"] == "postgresql" and body["redis"]["ok"] is True
    else:
        assert body["database"]["detail"] == "sqlite" and body["redis"]["ok"] is None


async def test_health_says_degraded_when_redis_is_unreachable(settings: Settings, clock: FrozenClock) -> None:
    unreachable = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")
    async with AsyncTestClient(app=create_app(unreachable, clock)) as client:
        response = await client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded" and body["redis"]["ok"] is False and body["database"]["ok"] is True


async def test_an_event_published_by_one_worker_reaches_a_watcher_on_another(
    settings: Settings, clock: FrozenClock
) -> None:
    channel = f"test-{uuid.uuid4().hex}"
    worker_a, worker_b = create_app(settings, clock), create_app(settings, clock)
    async with worker_a.lifespan(), worker_b.lifespan():  # both started in this test's event loop
        async with worker_b.state.live.subscribe(channel) as inbox:
            await asyncio.sleep(0.2)  # let the Redis PSUBSCRIBE land before publishing
            await worker_a.state.live.publish(channel, b'{"bid":"accepted"}')
            async with asyncio.timeout(5):
                assert await inbox.get() == b'{"bid":"accepted"}'
