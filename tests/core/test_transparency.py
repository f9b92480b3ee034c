"""The audit trail as a transparency log (RFC 9162), on PostgreSQL: events of a transaction still
in flight are held back and never skipped or integrated twice; heads, inclusion and consistency
proofs served over the API verify independently (RFC 9162 verification, the C2SP note's Ed25519
signature with the served PEM key); tampering — edit, delete, reorder, truncate and re-extend — is
caught naming the first bad leaf, also against a head saved earlier; a sequencer killed with
SIGKILL mid-batch integrates every event exactly once after restart."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app import migrate
from app.core import audit, checkpoint, merkle, transparency
from app.core.actor import Actor, Role
from app.core.audit_chain import GENESIS_HASH, event_hash
from app.core.clock import FrozenClock
from app.core.db import make_engine, make_session_factory
from app.core.models import AuditEvent, TlogLeaf, TreeHead
from app.core.settings import Settings, load_or_create_receipt_key
from tests.conftest import World, in_thread, login, pg_url, run_ggzy


def ggzy(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"GGZY_DATABASE_URL": settings.database_url, "GGZY_DATA_DIR": str(settings.data_dir)}
    return run_ggzy({**env, "GGZY_SECRET_KEY": "cli-test-secret-of-at-least-32-bytes"}, *args)


async def append(world: World, clock: FrozenClock, count: int, action: str = "test.append") -> None:
    async with world.sessions() as session:
        for i in range(count):
            await audit.record(session, clock, Actor.system("tester"), action, "test", i, {"i": i})
        await session.commit()


async def integrate_all(world: World) -> int:
    total = 0
    while True:
        async with world.sessions() as session:
            done = await transparency.integrate(session)
        total += done
        if done < transparency.BATCH:
            return total


async def sign(world: World, clock: FrozenClock) -> TreeHead:
    key = load_or_create_receipt_key(world.settings.receipt_key_path)
    async with world.sessions() as session:
        head = await transparency.sign_head(session, clock, key, world.settings.log_origin)
    assert head is not None
    return head


def dsn(settings: Settings) -> str:
    return settings.database_url.replace("postgresql+asyncpg://", "postgresql://")


async def test_an_event_of_a_transaction_in_flight_is_held_back_never_skipped_or_doubled(
    world: World, clock: FrozenClock
) -> None:
    async with world.sessions() as slow:
        # The slow transaction takes its id first, writes its event last, and stays open.
        await slow.execute(select(func.pg_current_xact_id()))
        await append(world, clock, 1, "fast.before")  # commits, with a later transaction id
        await audit.record(slow, clock, Actor.system("slow"), "slow.event", "test", 1, {})
        await slow.flush()
        await append(world, clock, 1, "fast.after")
        assert await integrate_all(world) == 0  # everything from the oldest transaction in flight on waits
        await slow.commit()
    assert await integrate_all(world) == 3
    assert await integrate_all(world) == 0  # nothing twice
    async with world.sessions() as session:
        rows = await session.execute(
            select(AuditEvent.action).join(TlogLeaf, TlogLeaf.seq == AuditEvent.seq).order_by(TlogLeaf.leaf_index)
        )
        assert [action for (action,) in rows] == ["slow.event", "fast.before", "fast.after"]  # commit order
        assert await session.scalar(select(func.count()).select_from(TlogLeaf)) == 3


async def test_a_long_transaction_in_another_database_of_the_cluster_holds_nothing_back(
    world: World, clock: FrozenClock, fresh_pg_database: Callable[[], str]
) -> None:
    """A report or a backup on a neighbouring database keeps a transaction id open for minutes;
    this database's log goes on integrating (the cluster-wide oldest id would stall it)."""
    other = await asyncpg.connect(pg_url(fresh_pg_database(), "postgresql"))
    try:
        neighbour = other.transaction()
        await neighbour.start()
        await other.execute("SELECT pg_current_xact_id()")  # an id older than everything below
        await append(world, clock, 2, "after.neighbour")
        assert await integrate_all(world) == 2
        await neighbour.rollback()
    finally:
        await other.close()


async def test_heads_and_proofs_over_the_api_verify_independently(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    await append(world, clock, 5)
    await integrate_all(world)
    first = await sign(world, clock)
    await append(world, clock, 8)
    officer = await login(client, (await world.user(Role.supervisor)).username)
    signed = await client.post("/api/v1/transparency/heads", headers=officer)  # on demand
    assert signed.status_code == 200, signed.text
    head = signed.json()
    assert set(head) == {"tree_size", "root_hash", "timestamp", "signature", "key_id", "checkpoint"}
    size = head["tree_size"]
    async with world.sessions() as session:
        assert size == await session.scalar(select(func.count()).select_from(AuditEvent))  # all integrated
    assert (await client.get("/api/v1/transparency/heads/latest")).json() == head  # public
    assert (await client.get(f"/api/v1/transparency/heads/{first.tree_size}")).json()["root_hash"] == first.root_hash

    # The checkpoint is a C2SP signed note by the key served as PEM.
    pem = await client.get("/api/v1/transparency/key")
    public = load_pem_public_key(pem.content)
    assert isinstance(public, ed25519.Ed25519PublicKey)
    origin = head["checkpoint"].split("\n")[0]
    body = head["checkpoint"].split("\n\n")[0] + "\n"
    assert body == f"{origin}\n{size}\n{base64.b64encode(bytes.fromhex(head['root_hash'])).decode()}\n"
    public.verify(base64.b64decode(head["signature"]), body.encode())
    assert checkpoint.verify(head["checkpoint"], origin, public).size == size

    # Every leaf's inclusion proof and the consistency proof verify with RFC 9162's algorithms.
    root = bytes.fromhex(head["root_hash"])
    for leaf in range(size):
        proof = (await client.get("/api/v1/transparency/proofs/inclusion", params={"leaf": leaf, "size": size})).json()
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        assert merkle.verify_inclusion(leaf, size, bytes.fromhex(proof["leaf_hash"]), path, root)
    async with world.sessions() as session:
        event = await session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        assert event is not None
    by_event = (
        await client.get("/api/v1/transparency/proofs/inclusion", params={"event": event.seq, "size": size})
    ).json()
    assert by_event["leaf_hash"] == audit.leaf_hash_of(event)
    consistency = (
        await client.get("/api/v1/transparency/proofs/consistency", params={"from": first.tree_size, "to": size})
    ).json()
    assert merkle.verify_consistency(
        first.tree_size, size, bytes.fromhex(first.root_hash), root, [bytes.fromhex(h) for h in consistency["proof"]]
    )
    beyond = await client.get("/api/v1/transparency/proofs/inclusion", params={"leaf": size + 1, "size": size + 1})
    assert beyond.status_code == 422 and {p["name"] for p in beyond.json()["invalid-params"]} == {"leaf", "size"}


async def tampered(world: World, clock: FrozenClock, settings: Settings, *statements: str, then_append: int = 0) -> str:
    """Log 12 events under two signed heads, save the second, run `statements` as a superuser going
    around the trigger (then log `then_append` more events through the platform), and return what
    `ggzy audit verify --head` says (it must fail)."""
    await append(world, clock, 6)
    await integrate_all(world)
    await sign(world, clock)
    await append(world, clock, 6)
    await integrate_all(world)
    head = await sign(world, clock)
    saved = settings.data_dir / "saved-head.json"
    saved.write_text(json.dumps(transparency.head_view(head)))
    assert ggzy(settings, "audit", "verify", "--head", str(saved)).returncode == 0
    connection = await asyncpg.connect(dsn(settings))
    try:
        await connection.execute("ALTER TABLE audit_events DISABLE TRIGGER USER")
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()
    await append(world, clock, then_append)
    await integrate_all(world)
    result = ggzy(settings, "audit", "verify", "--head", str(saved))
    assert result.returncode == 1, result.stdout
    return result.stderr


async def test_an_edited_event_is_named(world: World, clock: FrozenClock, settings: Settings) -> None:
    message = await tampered(world, clock, settings, "UPDATE audit_events SET actor = 'x' WHERE seq = 9")
    assert "leaf 8 (audit event 9)" in message and "altered" in message


async def test_a_deleted_event_is_named(world: World, clock: FrozenClock, settings: Settings) -> None:
    message = await tampered(
        world, clock, settings, "DELETE FROM tlog_leaves WHERE seq = 4", "DELETE FROM audit_events WHERE seq = 4"
    )
    assert "leaf 3 is missing" in message


async def test_reordered_events_are_named(world: World, clock: FrozenClock, settings: Settings) -> None:
    swap = "UPDATE audit_events SET object_id = CASE seq WHEN 5 THEN '5' WHEN 6 THEN '4' END WHERE seq IN (5, 6)"
    message = await tampered(world, clock, settings, swap)
    assert "leaf 4 (audit event 5)" in message


async def test_a_truncated_and_re_extended_log_is_caught(world: World, clock: FrozenClock, settings: Settings) -> None:
    message = await tampered(
        world,
        clock,
        settings,
        "DELETE FROM tlog_leaves WHERE leaf_index >= 10",
        "DELETE FROM tlog_nodes WHERE (index + 1) * (1 << level) > 10",
        "DELETE FROM audit_events WHERE seq > 10",
        "UPDATE tlog_state SET size = 10, last_seq = 10, last_txid = (SELECT txid FROM audit_events WHERE seq = 10)",
        "DELETE FROM tlog_heads WHERE tree_size > 6",  # the platform's own later head goes too
        then_append=2,  # and the log grows back to 12 with other events
    )
    assert "the saved head of size 12 does not match the events: a leaf in [6, 12)" in message


async def test_a_sequencer_killed_mid_batch_integrates_each_event_exactly_once(
    world: World, clock: FrozenClock, settings: Settings, tmp_path: Path
) -> None:
    async with world.sessions() as session:  # a backlog of 4,000 events
        for start in range(0, 4_000, 2_000):
            for i in range(start, start + 2_000):
                await audit.record(session, clock, Actor.system("load"), "load", "test", i, {"i": i})
            await session.commit()
    script = tmp_path / "sequencer.py"
    script.write_text(
        "import asyncio, sys\n"
        "from app.core.db import make_engine, make_session_factory\n"
        "from app.core import transparency\n"
        "async def main():\n"
        "    sessions = make_session_factory(make_engine(sys.argv[1]))\n"
        "    while True:\n"
        "        async with sessions() as session:\n"
        "            if await transparency.integrate(session, batch=100) == 0: break\n"
        "asyncio.run(main())\n"
    )
    process = subprocess.Popen([sys.executable, str(script), settings.database_url], cwd=os.getcwd())  # noqa: ASYNC220 - started, not awaited
    deadline = time.monotonic() + 60
    async with world.sessions() as session:
        while time.monotonic() < deadline and not await session.scalar(select(func.count()).select_from(TlogLeaf)):
            await asyncio.sleep(0.05)
            await session.rollback()
    process.send_signal(signal.SIGKILL)  # mid-run: probably mid-batch; in any case, abruptly
    process.wait(timeout=10)
    async with world.sessions() as session:
        partial = await session.scalar(select(func.count()).select_from(TlogLeaf))
    assert 0 < (partial or 0) < 4_000
    await integrate_all(world)
    async with world.sessions() as session:
        leaves = await session.scalar(select(func.count()).select_from(TlogLeaf))
        distinct = await session.scalar(select(func.count(func.distinct(TlogLeaf.seq))))
        events = await session.scalar(select(func.count()).select_from(AuditEvent))
    assert leaves == distinct == events == 4_000
    await sign(world, clock)
    assert ggzy(settings, "audit", "verify").returncode == 0


async def test_the_chained_history_becomes_the_first_leaves_and_its_chain_still_verifies(
    fresh_pg_database: Callable[[], str], clock: FrozenClock, settings: Settings
) -> None:
    url = pg_url(fresh_pg_database())
    in_thread(migrate.upgrade, url, "0010")  # the trail as it was: a hash chain
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        previous = GENESIS_HASH
        for seq in (1, 2, 3):
            fields = {
                "seq": seq,
                "occurred_at": clock.now(),
                "actor_id": None,
                "actor": "system:old",
                "org_uscc": None,
                "client_ip": None,
                "action": "old.event",
                "object_type": "test",
                "object_id": str(seq),
                "payload_sha256": "0" * 64,
                "prev_hash": previous,
            }
            previous = event_hash(fields)
            await connection.execute(
                "INSERT INTO audit_events (seq, occurred_at, actor, action, object_type, object_id, payload_sha256,"
                " prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                seq, clock.now(), "system:old", "old.event", "test", str(seq), "0" * 64, fields["prev_hash"], previous,
            )  # fmt: skip
    finally:
        await connection.close()
    in_thread(migrate.upgrade, url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        async with sessions() as session:
            await audit.record(session, clock, Actor.system("new"), "new.event", "test", 4, {})
            await session.commit()
        async with sessions() as session:
            assert await transparency.integrate(session) == 4
        key = load_or_create_receipt_key(settings.receipt_key_path)
        async with sessions() as session:
            await transparency.sign_head(session, clock, key, "test/audit")
            report = await transparency.verify_log(session, key.public_key(), "test/audit")
            chain = await audit.verify(session)
            first = await session.scalar(select(AuditEvent.seq).join(TlogLeaf).where(TlogLeaf.leaf_index == 0))
    finally:
        await engine.dispose()
    assert report.ok and report.leaves == 4 and report.heads == 1
    assert chain.ok and chain.verified == 3 and first == 1
