"""The audit trail: append an event in the caller's transaction, list an object's events, and
verify the hash chain of the history written before the transparency log.

`record` is the one audit call. It runs inside the same transaction as the state change it
describes, so a change and its audit event commit or roll back together. Nothing is locked: the
event links to no other event, and the sequencer (`app.core.transparency`) later makes it a leaf
of the Merkle tree, in commit order. On PostgreSQL the event carries its transaction's id so the
sequencer can hold back events of transactions still in flight.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import Insert, func, insert, literal, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import merkle
from app.core.actor import Actor, Role
from app.core.audit_chain import ChainReport, ChainVerifier, leaf_data, payload_digest
from app.core.clock import Clock
from app.core.models import AuditEvent


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
    connection = await session.connection()  # Core, not the ORM: one statement, built once per dialect
    fields = {
        "occurred_at": clock.now(),
        "actor_id": actor.user_id,
        "actor": actor.username,
        "org_uscc": actor.org_uscc,
        "client_ip": actor.client_ip,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "payload_sha256": payload_digest(payload),
        "actor_sealed": actor.has_role(Role.expert),
    }
    seq: int = (await connection.execute(_append(connection.dialect.name == "postgresql"), fields)).scalar_one()
    return AuditEvent(seq=seq, **fields)  # as inserted; not tracked by the session


@functools.cache
def _append(on_postgresql: bool) -> Insert:
    """The event's INSERT … RETURNING seq; on PostgreSQL it carries the inserting transaction's
    id, so the sequencer holds back events of transactions still in flight."""
    txid = literal_column("pg_current_xact_id()::text::bigint") if on_postgresql else literal(0)
    return insert(AuditEvent).values(txid=txid).returning(AuditEvent.seq)


SEALED_ACTOR = "评标专家"  # what the readable trail shows in place of a committee member


def shows_actor(event: AuditEvent, reader: Actor) -> bool:
    """Whether `reader` may read who made `event`: a committee member's name only supervisors do."""
    return not event.actor_sealed or reader.has_role(Role.supervisor)


def leaf_hash_of(event: AuditEvent) -> str:
    """The event's leaf hash in the transparency log (hex), once flushed (its seq known)."""
    return merkle.leaf_hash(leaf_data(event.chain_fields())).hex()


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
    """Recompute the hash chain of the history written before the transparency log, in sequence
    order, streaming, in bounded memory. `on_event` is called once per event checked."""
    verifier = ChainVerifier()
    chained = select(AuditEvent).where(AuditEvent.prev_hash.is_not(None)).order_by(AuditEvent.seq)
    result = await session.stream_scalars(chained.execution_options(yield_per=2000))
    async for event in result:
        session.expunge(event)
        if on_event is not None:
            on_event()
        if not verifier.feed(event.chain_fields(), event.hash or ""):
            break
    await result.close()
    return verifier.report()
