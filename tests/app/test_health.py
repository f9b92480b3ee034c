"""Health reports the database and Redis; live events cross app instances through Redis."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.live import Delivered, encode_event
from app.core.models import AuditEvent
from app.core.settings import Settings
from app.main import create_app
from tests.conftest import PASSWORD, TEST_NOW, World, login, pg_admin, start_server


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


async def test_after_postgresql_closes_every_connection_the_next_requests_are_served(
    settings: Settings, world: World, client: AsyncTestClient[Litestar]
) -> None:
    await world.user(Role.expert, username="expert.wu")
    assert (await client.get("/api/v1/users/", headers=await login(client, "expert.wu"))).status_code == 200
    database = settings.database_url.rsplit("/", 1)[1]
    pg_admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'")  # a restart
    await asyncio.sleep(0.2)  # the closed sockets reach the event loop
    assert (await client.get("/health")).json()["database"]["ok"] is True
    headers = await login(client, "expert.wu")  # a write: the login's audit event
    users = (await client.get("/api/v1/users/", headers=headers)).json()["items"]
    assert [user["username"] for user in users] == ["expert.wu"]


async def test_an_event_published_by_one_worker_reaches_a_watcher_on_another(
    settings: Settings, clock: FrozenClock
) -> None:
    channel = f"test-{uuid.uuid4().hex}"
    worker_a, worker_b = create_app(settings, clock), create_app(settings, clock)
    async with worker_a.lifespan(), worker_b.lifespan():  # both started in this test's event loop
        async with worker_b.state.live.subscribe(channel) as inbox:
            await asyncio.sleep(0.2)  # let the Redis PSUBSCRIBE land before publishing
            publish = worker_a.state.live.publish
            await publish(channel, encode_event(7, "bid", {"price": "100.00"}, "2026-12-07T09:30:00"))
            await publish(channel, b"not an event")  # dropped, with a warning
            await publish(channel, encode_event(8, "bid", {"price": "99.00"}, "2026-12-07T09:30:01"))
            async with asyncio.timeout(5):
                first, second = await inbox.get(), await inbox.get()
    assert isinstance(first, Delivered) and isinstance(second, Delivered)
    assert first.event == {"seq": 7, "kind": "bid", "at": "2026-12-07T09:30:00", "data": {"price": "100.00"}}
    assert first.frame.startswith(b"id: 7\r\nevent: bid\r\ndata: {") and second.event["seq"] == 8


async def test_responses_carry_security_headers_and_hsts_off_loopback(client: AsyncTestClient[Litestar]) -> None:
    local = await client.get("/health")
    assert local.headers["x-content-type-options"] == "nosniff" and local.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in local.headers["content-security-policy"]
    assert "strict-transport-security" not in local.headers
    public = await client.get("/health", headers={"Host": "ggzy.example.gov.cn"})
    assert public.headers["strict-transport-security"].startswith("max-age=")


async def test_the_audit_trail_believes_x_forwarded_for_only_from_a_trusted_proxy(
    settings: Settings, world: World
) -> None:
    await world.user(Role.expert, username="expert.gao")
    seen = {}
    for trusted in ("", "127.0.0.1"):
        env = {
            "GGZY_DATABASE_URL": settings.database_url,
            "GGZY_DATA_DIR": str(settings.data_dir),
            "GGZY_SECRET_KEY": settings.secret_key,
            "GGZY_TRUSTED_PROXIES": trusted,
        }
        base, process = await asyncio.to_thread(start_server, env)
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                body = {"username": "expert.gao", "password": PASSWORD}
                signed = await http.post(f"{base}/api/v1/auth/login", json=body, headers={"X-Forwarded-For": "6.6.6.6"})
                assert signed.status_code == 200
        finally:
            process.terminate()
            await asyncio.to_thread(process.wait, 10)
        async with world.sessions() as session:
            event = await session.scalar(
                select(AuditEvent).where(AuditEvent.action == "auth.login").order_by(AuditEvent.seq.desc())
            )
        seen[trusted] = event.client_ip if event else None
    assert seen == {"": "127.0.0.1", "127.0.0.1": "6.6.6.6"}
