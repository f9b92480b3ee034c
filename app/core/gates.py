"""Gates one domain asks of another before a step (the credit lists before a bid is taken or an
intermediary registers), as a contract the kernel names and the composition root fills: the
asking domain imports neither the answering one nor app.wiring.

A gate answers `clear`, `warning`, `review` or `barred`, with what it found (the list, the entry,
the legal basis). `barred` refuses the step; anything else lets it go on, and the findings are
shown to the user.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.clock import Clock


@dataclass(frozen=True)
class GateQuery:
    context: str  # "bid" (a bid being submitted) or "intermediary" (registering for a request)
    usccs: Sequence[str]  # the organization acting first, then its consortium members
    object_type: str  # what the step is about, for the evidence
    object_id: uuid.UUID
    min_score: int | None = None  # the least credit score the step asks for


@dataclass(frozen=True)
class GateAnswer:
    outcome: str = "clear"
    findings: tuple[Mapping[str, Any], ...] = field(default=())

    @property
    def refused(self) -> bool:
        return self.outcome == "barred"


Gate = Callable[[AsyncSession, Clock, Actor, GateQuery], Awaitable[GateAnswer]]

# What another domain does once a bid is received (the bonds: the bidder's guarantee checked
# again), given the tender and the bidder's USCC; it never refuses the bid (实施条例 art. 36).
AfterBid = Callable[[AsyncSession, Clock, uuid.UUID, str], Awaitable[None]]


async def nothing_after_bid(_session: AsyncSession, _clock: Clock, _tender_id: uuid.UUID, _uscc: str) -> None:
    return None


async def open_gate(_session: AsyncSession, _clock: Clock, _actor: Actor, _query: GateQuery) -> GateAnswer:
    """A gate that lets everything through (a deployment without the domain behind it)."""
    return GateAnswer()
