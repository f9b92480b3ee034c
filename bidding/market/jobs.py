"""What the chronograph runs for the intermediary supermarket: a request's selection opens when
its registration closes; a rounds auction's turns are announced as they begin; an auction or a
sealed-quote box closes at its end."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.chronograph import Step
from app.core.clock import Clock
from app.core.live import Broadcaster
from bidding.market import selection


def steps(live: Broadcaster, offer_secret: bytes) -> list[Step]:
    async def open_selection(session: AsyncSession, request_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await selection.open_auction(session, clock, actor, request_id) is not None

    async def announce(session: AsyncSession, request_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await selection.announce_turn(session, clock, actor, live, request_id, offer_secret)

    async def close(session: AsyncSession, request_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await selection.close_selection(session, clock, actor, live, request_id, offer_secret)

    return [
        Step("auction-open", "service_request", every=5, due=selection.selections_due, run=open_selection),
        Step("auction-turn", "service_request", every=1, due=selection.rounds_under_way, run=announce),
        # a late bid is refused by the end time anyway; the close only awards and tells the watchers
        Step("auction-close", "service_request", every=1, due=selection.selections_ending, run=close),
    ]
