"""Notifications: messages for a role's desk (e.g. the supervision officers on duty) or one user.

`notify` records one (`notify_many` several in one statement) at most once per `dedupe_key`,
so a sweep that runs twice, or in two processes at once, still leaves a single notification.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor, Role
from app.core.clock import Clock
from app.core.models import Notification


async def notify(
    session: AsyncSession,
    clock: Clock,
    *,
    audience_role: Role,
    kind: str,
    object_type: str,
    object_id: object,
    message: str,
    dedupe_key: str,
    recipient_id: uuid.UUID | None = None,
) -> bool:
    """Record a notification unless one with `dedupe_key` exists; True when this call recorded it."""
    values = {
        "id": uuid.uuid4(),
        "created_at": clock.now(),
        "audience_role": audience_role.value,
        "recipient_id": recipient_id,
        "kind": kind,
        "object_type": object_type,
        "object_id": str(object_id),
        "message": message,
        "dedupe_key": dedupe_key,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Notification).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = await session.execute(statement.returning(Notification.id))
    return result.first() is not None


async def tell_supervisors(
    session: AsyncSession, clock: Clock, kind: str, object_type: str, object_id: object, message: str, key: str
) -> bool:
    """Tell the supervisors something once (`key`): an overdue step, a failed refund, a silent counterpart."""
    return await notify(
        session,
        clock,
        audience_role=Role.supervisor,
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        message=message,
        dedupe_key=key,
    )


@dataclass(frozen=True)
class Notice:
    """One notification of a batch for `notify_many` (the fields of `notify`)."""

    audience_role: Role
    kind: str
    object_type: str
    object_id: object
    message: str
    dedupe_key: str
    recipient_id: uuid.UUID | None = None


async def notify_many(session: AsyncSession, clock: Clock, notices: Sequence[Notice]) -> None:
    """Record several notifications in one statement, each at most once per `dedupe_key`."""
    if not notices:
        return
    now = clock.now()
    rows = [
        {
            "id": uuid.uuid4(),
            "created_at": now,
            "audience_role": n.audience_role.value,
            "recipient_id": n.recipient_id,
            "kind": n.kind,
            "object_type": n.object_type,
            "object_id": str(n.object_id),
            "message": n.message,
            "dedupe_key": n.dedupe_key,
        }
        for n in notices
    ]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(insert(Notification).values(rows).on_conflict_do_nothing(index_elements=["dedupe_key"]))


async def for_actor(session: AsyncSession, actor: Actor, *, limit: int, offset: int) -> list[Notification]:
    query = (
        select(Notification)
        .where(
            or_(
                Notification.recipient_id == actor.user_id,
                Notification.audience_role.in_(sorted(actor.roles)) & Notification.recipient_id.is_(None),
            )
        )
        .order_by(Notification.created_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.scalars(query)).all())


class NotificationOut(msgspec.Struct):
    id: uuid.UUID
    created_at: datetime
    kind: str
    object_type: str
    object_id: str
    message: str

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(n.id, n.created_at, n.kind, n.object_type, n.object_id, n.message)
