"""Domain events: the announcement is in the audit trail and every listener acts on it in the
announcing transaction (a rollback undoes both)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.clock import Clock
from app.core.events import DomainEvents
from app.core.models import AuditEvent
from tests.conftest import World


async def test_listeners_act_in_the_announcing_transaction(backend: str, world: World) -> None:
    heard: list[tuple[str, Any]] = []

    async def listener(session: AsyncSession, _clock: Clock, actor: Actor, payload: dict[str, Any]) -> None:
        heard.append((actor.username, payload))
        await session.flush()

    events = DomainEvents({"evaluation.report_signed": [listener]})
    actor = Actor.system("test")
    async with world.sessions() as session:
        await events.emit(session, world.clock, actor, "evaluation.report_signed", "tender", "t-1", {"candidates": []})
        await events.emit(session, world.clock, actor, "something.else", "tender", "t-1", {})
        await session.rollback()
        assert (await session.scalars(select(AuditEvent))).all() == []  # rolled back with the change
        await events.emit(
            session, world.clock, actor, "evaluation.report_signed", "tender", "t-2", {"candidates": ["b"]}
        )
        await session.commit()
        actions = [(e.action, e.object_id) for e in await session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert heard == [("system:test", {"candidates": []}), ("system:test", {"candidates": ["b"]})]
    assert actions == [("evaluation.report_signed", "t-2")]
