"""Two web processes on one PostgreSQL and Redis, four intermediaries bidding as fast as they can
through both: no bid lost or duplicated, accepted prices strictly falling in receipt order, one
winner; a watcher on one process sees the bids accepted through the other."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from app.core.clock import FrozenClock
from app.core.settings import Settings
from bidding.market.models import Auction, AuctionBid
from tests.auctions import live_auction
from tests.conftest import PASSWORD, World
from tests.steps import run_step


async def test_two_workers_take_concurrent_bids_without_losing_or_mixing_any(
    settings: Settings, two_servers: list[str]
) -> None:
    clock = FrozenClock(datetime.now(UTC))
    world = World(settings, clock)
    owner, intermediaries, request_id = await live_auction(world, clock, 4, "双进程竞价")

    async with httpx.AsyncClient(timeout=30) as http:

        async def login(base: str, username: str) -> dict[str, str]:
            response = await http.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            return {"Authorization": f"Bearer {response.json()['access_token']}"}

        sessions = [
            (two_servers[i % 2], await login(two_servers[i % 2], user.username))
            for i, (_org, user) in enumerate(intermediaries)
        ]
        first = await http.get(f"{two_servers[0]}/api/v1/service-requests/{request_id}/auction", headers=sessions[0][1])
        assert first.status_code == 200, first.text  # opens the auction
        watched: list[dict[str, Any]] = []

        async def watch() -> None:
            headers = await login(two_servers[1], owner.username)
            url = f"{two_servers[1]}/api/v1/service-requests/{request_id}/auction/events"
            async with http.stream("GET", url, headers=headers, timeout=60) as stream:
                async for line in stream.aiter_lines():
                    if line.startswith("data: "):
                        watched.append(json.loads(line[len("data: ") :]))

        watcher = asyncio.create_task(watch())
        await asyncio.sleep(0.5)

        async def bidder(index: int) -> list[int]:
            base, headers = sessions[index]
            statuses = []
            for step in range(15):
                price = Decimal("299000.00") - Decimal(100) * (step * 4 + index)
                answer = await http.post(
                    f"{base}/api/v1/service-requests/{request_id}/auction/bids",
                    json={"price": str(price)},
                    headers=headers,
                )
                statuses.append(answer.status_code)
            return statuses

        results = await asyncio.gather(*(bidder(i) for i in range(4)))
        await asyncio.sleep(0.5)
        watcher.cancel()

    assert all(code in (200, 422) for codes in results for code in codes)
    accepted_answers = sum(code == 200 for codes in results for code in codes)
    async with world.sessions() as session:
        rows = (await session.scalars(select(AuctionBid).where(AuctionBid.request_id == request_id))).all()
        auction = await session.get(Auction, request_id)
        assert auction is not None
        assert len(rows) == 60  # every bid received is kept, none lost, none twice
        accepted = sorted((r for r in rows if r.accepted), key=lambda r: r.seq or 0)
        assert len(accepted) == accepted_answers
        prices = [r.price for r in accepted]
        assert all(a > b for a, b in itertools.pairwise(prices))  # strictly falling: never two best at one price
        assert auction.state["best"]["price"] == str(prices[-1])
    assert watched[0]["kind"] == "state" and watched[0]["data"]["standings"]  # a watcher first gets the state
    live = [event for event in watched if event["kind"] == "bid"]
    assert [e["data"]["price"] for e in live] == [str(p) for p in prices]  # seen live through the other worker
    clock.set(datetime.now(UTC) + timedelta(minutes=11))
    async with world.sessions() as session:
        assert await run_step(session, clock, "auction-close", world.settings, world.sessions) == 1
    async with world.sessions() as session:
        closed = await session.get(Auction, request_id)
        assert closed is not None and closed.award_price == prices[-1] and closed.winner_uscc
    await world.close()
