"""Helper for tests against running servers: a live continuous auction, starting in a moment,
with qualified intermediaries registered for it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.core.actor import Actor, Role
from app.core.clock import FrozenClock
from app.identity.models import Organization, OrgKind, User
from bidding.market import intermediaries, requests
from bidding.market.auction.engine import Mode
from credit.hooks import gate as credit_gate
from tests.conftest import World


async def qualified_intermediary(world: World, clock: FrozenClock) -> tuple[Organization, User]:
    """An intermediary offering surveying with a valid qualification: eligible for SURVEY requests."""
    org = await world.org(OrgKind.intermediary)
    user = await world.user(Role.intermediary, org)
    async with world.sessions() as session:
        await intermediaries.offer_services(session, clock, Actor.of(user), ["SURVEY"])
        await intermediaries.add_qualification(
            session, clock, Actor.of(user), "测绘资质", "甲级", org.uscc, datetime(2030, 1, 1).date()
        )
    return org, user


async def live_auction(
    world: World,
    clock: FrozenClock,
    bidders: int,
    name: str,
    ends_in: timedelta = timedelta(minutes=10),
    max_end_in: timedelta | None = None,
) -> tuple[User, list[tuple[Organization, User]], uuid.UUID]:
    """(the owner, the registered intermediaries, the request id); bidding is open on return and
    ends `ends_in` after it opened (a bid in its last 2 minutes extends it by 5, up to `max_end_in`)."""
    owner = await world.user(Role.agency, await world.org(OrgKind.tenderee))
    registered = [await qualified_intermediary(world, clock) for _ in range(bidders)]
    opens = datetime.now(UTC) + timedelta(seconds=2)
    terms = requests.RequestTerms(
        name, "SURVEY", Decimal("300000.00"), None, opens, opens, opens + ends_in,
        opens + max_end_in if max_end_in else None, 3, Mode.continuous, Decimal("100.00"), None,
    )  # fmt: skip
    async with world.sessions() as session:
        request_id = (await requests.post_request(session, clock, Actor.of(owner), terms)).id
        for _org, user in registered:
            await requests.register(session, clock, Actor.of(user), request_id, credit_gate(ZoneInfo("Asia/Shanghai")))
    await asyncio.sleep(2.2)
    return owner, registered, request_id
