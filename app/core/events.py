"""Domain events within one transaction: a domain announces what happened (e.g. the evaluation
report was signed), the audit trail records it, and the listeners the composition root names
(app/wiring.py) act on it in the same transaction, so the kernel and the announcing domain
import none of them (the credit check subscribes to the signed report this way)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock

Listener = Callable[[AsyncSession, Clock, Actor, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class DomainEvents:
    listeners: Mapping[str, Sequence[Listener]] = field(default_factory=dict)

    async def emit(
        self,
        session: AsyncSession,
        clock: Clock,
        actor: Actor,
        name: str,
        object_type: str,
        object_id: object,
        payload: dict[str, Any],
    ) -> None:
        """Record `name` in the audit trail and run its listeners; the caller commits."""
        await audit.record(session, clock, actor, name, object_type, object_id, payload)
        for listener in self.listeners.get(name, ()):
            await listener(session, clock, actor, payload)
