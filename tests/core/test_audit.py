"""The audit trail in the database: every change leaves an event that becomes a leaf of the
transparency log, supervisors can read an object's history, and tampering is refused
(PostgreSQL) or caught by `ggzy audit verify`, which names the first bad leaf."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from datetime import timedelta

import asyncpg
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core import audit, transparency
from app.core.actor import Actor, Role
from app.core.clock import FrozenClock
from app.core.settings import Settings, load_or_create_receipt_key
from app.identity.models import OrgKind
from tests.conftest import TEST_NOW, World, login, run_ggzy


def ggzy(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return run_ggzy(
        {
            "GGZY_DATABASE_URL": settings.database_url,
            "GGZY_DATA_DIR": str(settings.data_dir),  # the platform's key, which signs the heads
            "GGZY_SECRET_KEY": "cli-test-secret-of-at-least-32-bytes",
        },
        *args,
    )


def world_key(world: World) -> ed25519.Ed25519PublicKey:
    return load_or_create_receipt_key(world.settings.receipt_key_path).public_key()


def _asyncpg_dsn(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://")


async def test_changes_are_recorded_with_actor_address_and_server_time(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    await world.user(Role.admin, username="admin")
    await world.user(Role.supervisor, username="officer")
    admin = await login(client, "admin")
    clock.advance(timedelta(minutes=5))
    created = await client.post(
        "/api/v1/orgs", headers=admin, json={"uscc": "914403001922038216", "name": "某公司", "kind": "bidder"}
    )
    assert created.status_code == 201

    officer = await login(client, "officer")
    history = await client.get("/api/v1/audit-events?object_type=org&object_id=914403001922038216", headers=officer)
    assert history.status_code == 200
    [event] = history.json()
    assert event["action"] == "org.create" and event["actor"] == "admin"
    assert event["client_ip"] and len(event["payload_sha256"]) == 64 and len(event["leaf_hash"]) == 64
    assert event["prev_hash"] is None  # no link to another event: the Merkle tree binds them
    assert event["occurred_at"] == (TEST_NOW + timedelta(minutes=5)).astimezone().isoformat().replace("+00:00", "Z")


async def test_the_log_verifies_after_many_changes(backend: str, world: World, settings: Settings) -> None:
    for _ in range(3):
        org = await world.org(OrgKind.bidder)
        await world.user(Role.bidder, org)
    result = ggzy(settings, "audit", "verify")
    assert result.returncode == 0 and "audit log OK: 6 leaves recomputed" in result.stdout, result.stderr


@pytest.mark.parametrize("backend", ["sqlite"])  # on PostgreSQL the trigger refuses the change (below)
async def test_a_row_changed_behind_the_apps_back_is_caught_on_sqlite(
    backend: str, world: World, settings: Settings
) -> None:
    for _ in range(4):
        await world.org(OrgKind.bidder)
    assert ggzy(settings, "audit", "verify").returncode == 0  # integrates the four events

    path = settings.database_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3")
    result = ggzy(settings, "audit", "verify")
    assert result.returncode == 1
    assert "leaf 2 (audit event 3)" in result.stderr and "altered" in result.stderr


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_deleted_row_is_caught_on_sqlite(backend: str, world: World, settings: Settings) -> None:
    for _ in range(4):
        await world.org(OrgKind.bidder)
    assert ggzy(settings, "audit", "verify").returncode == 0
    with sqlite3.connect(settings.database_url.removeprefix("sqlite+aiosqlite:///")) as raw:
        raw.execute("DELETE FROM audit_events WHERE seq = 2")
    result = ggzy(settings, "audit", "verify")
    assert result.returncode == 1 and "leaf 1: its audit event is missing" in result.stderr


async def test_postgres_refuses_to_update_delete_or_truncate_audit_events(world: World, settings: Settings) -> None:
    await world.org(OrgKind.bidder)
    connection = await asyncpg.connect(_asyncpg_dsn(settings.database_url))
    try:
        for statement in (
            "UPDATE audit_events SET actor = 'x'",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events CASCADE",  # CASCADE: past the log's foreign key, to the trigger
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await connection.execute(statement)
        assert await connection.fetchval("SELECT count(*) FROM audit_events") == 1
    finally:
        await connection.close()


async def test_postgres_tampering_with_the_trigger_disabled_is_still_caught(world: World, settings: Settings) -> None:
    for _ in range(5):
        await world.org(OrgKind.bidder)
    assert ggzy(settings, "audit", "verify").returncode == 0
    connection = await asyncpg.connect(_asyncpg_dsn(settings.database_url))
    try:  # a superuser goes around the application and its trigger
        await connection.execute("ALTER TABLE audit_events DISABLE TRIGGER USER")
        await connection.execute("UPDATE audit_events SET object_id = 'forged' WHERE seq = 4")
    finally:
        await connection.close()
    result = ggzy(settings, "audit", "verify")
    assert result.returncode == 1 and "leaf 3 (audit event 4)" in result.stderr


async def test_concurrent_appends_from_many_connections_all_become_leaves(world: World, clock: FrozenClock) -> None:
    async def append(i: int) -> None:
        async with world.sessions() as session:
            await audit.record(session, clock, Actor.system(f"worker{i}"), "test.append", "test", i, {"i": i})
            await asyncio.sleep(0.001)  # hold the transaction open a moment, as a real use case would
            await session.commit()

    await asyncio.gather(*(append(i) for i in range(40)))
    async with world.sessions() as session:
        assert await transparency.integrate(session) == 40
    async with world.sessions() as session:
        report = await transparency.verify_log(session, world_key(world), world.settings.log_origin)
    assert report.ok and report.leaves == 40


async def test_audit_verify_prints_the_count_on_an_intact_log(backend: str, world: World, settings: Settings) -> None:
    await world.org(OrgKind.agency)
    result = ggzy(settings, "audit", "verify")
    assert result.returncode == 0 and "audit log OK: 1 leaves recomputed" in result.stdout


async def test_bidders_cannot_read_the_audit_trail(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    bidder = await world.user(Role.bidder, await world.org())
    response = await client.get(
        "/api/v1/audit-events?object_type=org&object_id=x", headers=await login(client, bidder.username)
    )
    assert response.status_code == 403
