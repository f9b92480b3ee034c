"""The audit trail: append a hash-chained event in the caller's transaction, list an object's
events, and verify the whole chain.

`record` is the one audit call. It runs inside the same transaction as the state change it
describes, so a change and its audit event commit or roll back together. Appenders are
serialized so the chain stays linear across web workers: on PostgreSQL by a transaction-scoped
advisory lock, on SQLite by the database's own write lock (transactions begin IMMEDIATE).
The lock is held from the append to the commit, so services append as their last write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.audit_chain import GENESIS_HASH, ChainReport, ChainVerifier, event_hash, payload_digest
from app.core.clock import Clock
from app.core.models import AuditEvent

# pg_advisory_xact_lock key: "ggzy" + "audt" as one 64-bit number.
_AUDIT_LOCK_KEY = 0x67677A7961756474


async def record(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    payload: Any = None,
) -> AuditEvent:
    """Append one event for `action` on (object_type, object_id); the caller commits."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK_KEY})
    last = (
        await session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))
    ).first()
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        occurred_at=clock.now(),
        actor_id=actor.user_id,
        actor=actor.username,
        org_uscc=actor.org_uscc,
        client_ip=actor.client_ip,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        payload_sha256=payload_digest(payload),
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = event_hash(event.chain_fields())
    session.add(event)
    await session.flush()
    return event


async def count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(AuditEvent)) or 0


async def events_of(
    session: AsyncSession, object_type: str, object_id: str, *, limit: int, offset: int
) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.seq)
        .limit(limit)
        .offset(offset)
    )
    return list((await session.scalars(query)).all())


async def verify(session: AsyncSession, on_event: Callable[[], None] | None = None) -> ChainReport:
    """Recompute the whole chain in sequence order, streaming, in bounded memory.
    `on_event` is called once per event checked (the CLI's progress bar)."""
    verifier = ChainVerifier()
    result = await session.stream_scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000))
    async for event in result:
        session.expunge(event)
        if on_event is not None:
            on_event()
        if not verifier.feed(event.chain_fields(), event.hash):
            break
    await result.close()
    return verifier.report()
