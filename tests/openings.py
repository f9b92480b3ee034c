"""Helpers for tests that need an opening: bids in, the custodians' shares, the opening time,
and waiting for the opening to reach a state."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.clock import FrozenClock
from bidding.sealing.keys import decrypt_share
from tests.bids import Bidder, Tender, new_bidder, sealed_bid, submit
from tests.conftest import World, login

PRICES = ["8236500.00", "8100000.00", "7990000.00"]


async def share_words(client: AsyncTestClient[Litestar], tender: Tender, role: str) -> tuple[str, dict[str, str]]:
    user, key = tender.desk.custodians[role]
    headers = await login(client, user.username)
    share = (await client.get(f"/api/v1/tenders/{tender.id}/custody/share", headers=headers)).json()
    return decrypt_share(share["encrypted_share"], key, tender.id, share["share_index"]), headers


async def hand_in(client: AsyncTestClient[Litestar], tender: Tender, words: str, headers: dict[str, str]) -> Any:
    return await client.post(f"/api/v1/tenders/{tender.id}/opening/shares", json={"share": words}, headers=headers)


async def at_opening_time(client: AsyncTestClient[Litestar], tender: Tender, clock: FrozenClock) -> None:
    detail = (await client.get(f"/api/v1/tenders/{tender.id}", headers=tender.desk.officer_headers)).json()
    clock.set(datetime.fromisoformat(detail["opening_time"]))


async def wait_for(client: AsyncTestClient[Litestar], tender: Tender, status: str) -> dict[str, Any]:
    for _ in range(200):
        state = (await client.get(f"/api/v1/tenders/{tender.id}/opening", headers=tender.desk.officer_headers)).json()
        if state.get("status") == status:
            return state  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)
    raise AssertionError(f"the opening never reached {status}: {state}")


async def bids_in(
    client: AsyncTestClient[Litestar],
    world: World,
    tender: Tender,
    count: int,
    prices: list[str] | None = None,
    bidders: list[Bidder] | None = None,
    consortium: dict[int, list[str]] | None = None,
    fields: dict[int, dict[str, str]] | None = None,
) -> list[Bidder]:
    """`count` bids (by new bidders unless `bidders` are given), at `prices` (PRICES in turn by
    default); `consortium` names the other members of the i-th bid, `fields` its declared fields."""
    prices = prices or [PRICES[i % len(PRICES)] for i in range(count)]
    bidders = bidders or [await new_bidder(client, world, f"投标单位{i}") for i in range(count)]
    for i, bidder in enumerate(bidders):
        world.clock.advance(timedelta(minutes=1))  # bids arrive one after another
        members = (consortium or {}).get(i, [])
        declared = {"fields": (fields or {})[i]} if i in (fields or {}) else {}
        response = await submit(client, tender, bidder, sealed_bid(tender, bidder, prices[i], **declared), members)
        assert response.status_code == 201, response.text
    return bidders
