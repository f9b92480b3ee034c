"""The last minute of an auction: bids per second through the real path (row lock, engine,
stored state, bid row, audit event, commit) with many bidders at once, next to a baseline of
plain inserts of the same bid rows with the same concurrency, measured in the same run on a
scratch PostgreSQL database.

    .venv/bin/python -m bench.auction [--bidders 20] [--bids 25]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.core.actor import Actor, Role
from app.core.clock import FrozenClock
from app.core.db import make_engine, make_session_factory
from app.core.gates import open_gate
from app.core.live import NoBroadcast
from app.core.uscc import make_uscc
from app.identity import service as identity
from app.identity.models import OrgKind
from app.identity.schemas import OrgCreate, UserCreate
from bench.scratch import scratch_database
from bidding.market import intermediaries, requests, selection
from bidding.market.auction.engine import Mode
from bidding.market.models import AuctionBid


async def main(bidders: int, bids: int) -> None:
    async with scratch_database() as url:
        engine = make_engine(url, pool_size=bidders + 2)
        sessions = make_session_factory(engine)
        start = datetime.now(UTC)
        clock = FrozenClock(start)
        system = Actor.system("bench")
        actors = []
        async with sessions() as session:
            owner_org = await identity.create_org(
                session,
                clock,
                system,
                OrgCreate(uscc=make_uscc("91", "420100", "BENCH999"), name="owner", kind=OrgKind.tenderee),
            )
            owner = await identity.create_user(
                session,
                clock,
                system,
                UserCreate(username="owner", password="x" * 12, roles=[Role.agency], org_uscc=owner_org.uscc),
                10,
            )
            for i in range(bidders):
                org = await identity.create_org(
                    session,
                    clock,
                    system,
                    OrgCreate(uscc=make_uscc("91", "420100", f"BENCH{i:03d}"), name=f"i{i}", kind=OrgKind.intermediary),
                )
                user = await identity.create_user(
                    session,
                    clock,
                    system,
                    UserCreate(username=f"bidder{i}", password="x" * 12, roles=[Role.intermediary], org_uscc=org.uscc),
                    10,
                )
                actors.append(Actor.of(user))
                await intermediaries.offer_services(session, clock, actors[-1], ["COST"])
                await intermediaries.add_qualification(
                    session, clock, actors[-1], "工程造价咨询企业资质", "甲级", str(i), date(2030, 1, 1)
                )
            opens = start + timedelta(seconds=1)
            terms = requests.RequestTerms(
                "bench", "COST", Decimal("10000000.00"), None, opens, opens,
                start + timedelta(hours=1), None, 3, Mode.continuous, Decimal("0.01"), None,
            )  # fmt: skip
            request_id = (await requests.post_request(session, clock, Actor.of(owner), terms)).id
            for actor in actors:
                await requests.register(session, clock, actor, request_id, open_gate)
        clock.set(start + timedelta(minutes=59))  # the last minute

        async def real(index: int) -> None:
            for step in range(bids):
                price = Decimal("9999999.00") - Decimal(step * bidders + index)
                async with sessions() as session:
                    try:
                        await selection.place_bid(session, clock, actors[index], NoBroadcast(), request_id, price)
                    except selection.BidRejected:
                        pass

        async def plain(index: int) -> None:
            for step in range(bids):
                async with sessions() as session:
                    session.add(
                        AuctionBid(
                            request_id=request_id,
                            org_uscc=actors[index].org_uscc,
                            price=Decimal(step),
                            received_at=clock.now(),
                            accepted=False,
                        )
                    )
                    await session.commit()

        async with sessions() as session:  # open the auction before timing
            await selection.open_auction(session, clock, system, request_id)
        timings = {}
        for name, worker in (("baseline", plain), ("auction", real)):
            started = time.perf_counter()
            await asyncio.gather(*(worker(i) for i in range(bidders)))
            timings[name] = time.perf_counter() - started
        await engine.dispose()
    total = bidders * bids
    base, real_rate = total / timings["baseline"], total / timings["auction"]
    print(f"bidders={bidders} bids each={bids} ({total} bids)")
    print(f"baseline  plain insert + commit                     {base:8.0f} bids/s")
    share = f"{real_rate / base:.0%} of baseline"
    print(f"auction   lock + engine + state + bid + audit       {real_rate:8.0f} bids/s  ({share})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bidders", type=int, default=20)
    parser.add_argument("--bids", type=int, default=25)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.bidders, arguments.bids))
