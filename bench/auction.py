"""The last minute of an auction: bids per second through the platform's bid path (row lock,
engine, stored state, bid row, audit event, commit) with many bidders at once, next to the bare
locked transaction a correct bid cannot do without (lock the auction row, insert the bid, update
the best price) with the same concurrency; then several auctions at once, which share no lock.
Measured in the same run on a scratch PostgreSQL database.

    .venv/bin/python -m bench.auction [--bidders 50] [--bids 20] [--parallel 4]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text, update

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
from bidding.market.models import Auction, AuctionBid


async def _auctions(sessions: Any, clock: FrozenClock, count: int, bidders: int, tag: str) -> list[Auctioned]:
    """`count` service requests, each with `bidders` registered intermediaries, opened for bidding."""
    system = Actor.system("bench")
    made = []
    async with sessions() as session:
        owner_org = await identity.create_org(
            session,
            clock,
            system,
            OrgCreate(uscc=make_uscc("91", "420100", f"BENCH{tag}99"), name=f"owner {tag}", kind=OrgKind.tenderee),
        )
        owner = await identity.create_user(
            session,
            clock,
            system,
            UserCreate(username=f"owner{tag}", password="x" * 12, roles=[Role.agency], org_uscc=owner_org.uscc),
            10,
        )
        start = clock.now()
        for a in range(count):
            actors = []
            for i in range(bidders):
                org = await identity.create_org(
                    session,
                    clock,
                    system,
                    OrgCreate(
                        uscc=make_uscc("91", "420100", f"B{tag}{a}{i:05d}"),
                        name=f"i{tag}{a}-{i}",
                        kind=OrgKind.intermediary,
                    ),
                )
                user = await identity.create_user(
                    session,
                    clock,
                    system,
                    UserCreate(
                        username=f"bidder{tag}{a}-{i}", password="x" * 12, roles=[Role.intermediary], org_uscc=org.uscc
                    ),
                    10,
                )
                actors.append(Actor.of(user))
                await intermediaries.offer_services(session, clock, actors[-1], ["COST"])
                await intermediaries.add_qualification(
                    session, clock, actors[-1], "工程造价咨询企业资质", "甲级", f"{tag}{a}{i}", date(2030, 1, 1)
                )
            opens = start + timedelta(seconds=1)
            terms = requests.RequestTerms(
                f"bench {tag}{a}", "COST", Decimal("10000000.00"), None, opens, opens,
                start + timedelta(hours=1), None, 3, Mode.continuous, Decimal("0.01"), None,
            )  # fmt: skip
            request_id = (await requests.post_request(session, clock, Actor.of(owner), terms)).id
            for actor in actors:
                await requests.register(session, clock, actor, request_id, open_gate)
            made.append(Auctioned(request_id, actors))
    return made


@dataclass
class Auctioned:
    request_id: Any
    actors: list[Actor]


async def _run(sessions: Any, clock: FrozenClock, auctions: list[Auctioned], bids: int, path: str) -> float:
    """Every bidder of every auction places `bids` bids at once; bids per second over all."""

    async def real(auction: Auctioned, index: int) -> None:
        for step in range(bids):
            price = Decimal("9999999.00") - Decimal(step * len(auction.actors) + index)
            async with sessions() as session:
                try:
                    await selection.place_bid(
                        session,
                        clock,
                        auction.actors[index],
                        NoBroadcast(),
                        auction.request_id,
                        price,
                        offer_secret=OFFER_SECRET,
                    )
                except selection.BidRejected:
                    pass

    async def bare(auction: Auctioned, index: int) -> None:
        """The least a correct bid can do: lock the auction row, insert the bid, update the best price."""
        for step in range(bids):
            price = Decimal("9999999.00") - Decimal(step * len(auction.actors) + index)
            async with sessions() as session:
                await session.execute(
                    text("SELECT 1 FROM auctions WHERE request_id = :id FOR UPDATE"), {"id": auction.request_id}
                )
                session.add(
                    AuctionBid(
                        request_id=auction.request_id,
                        org_uscc=auction.actors[index].org_uscc,
                        price=price,
                        received_at=clock.now(),
                        accepted=True,
                    )
                )
                await session.execute(
                    update(Auction).where(Auction.request_id == auction.request_id).values(award_price=price)
                )
                await session.commit()

    worker = real if path == "real" else bare
    started = time.perf_counter()
    await asyncio.gather(*(worker(a, i) for a in auctions for i in range(len(a.actors))))
    return sum(len(a.actors) for a in auctions) * bids / (time.perf_counter() - started)


def _in_own_process(
    url: str, clock: FrozenClock, auction: Auctioned, bids: int, start_at: float
) -> tuple[float, float]:
    """One auction's bidders in a process of their own (a web worker's share of the load), starting
    together with the others at `start_at`; the wall-clock start and end."""

    async def go() -> tuple[float, float]:
        engine = make_engine(url, pool_size=PROCESS_POOL, max_overflow=0)
        await asyncio.sleep(max(0.0, start_at - time.time()))
        started = time.time()
        await _run(make_session_factory(engine), clock, [auction], bids, "real")
        ended = time.time()
        await engine.dispose()
        return started, ended

    return asyncio.run(go())


OFFER_SECRET = b"bench: continuous auctions have no sealed initial offers"

PROCESS_POOL = 20  # connections per process: four processes stay within PostgreSQL's 100


def _busy_cores() -> tuple[float, float]:
    """(seconds the machine's cores have been busy in all, now), from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, stat.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK"), time.time()


def _processes(url: str, clock: FrozenClock, auctions: list[Auctioned], bids: int) -> tuple[float, float]:
    """Bids per second over `auctions`, each driven by its own process, all at once, and how many
    of the machine's cores were busy meanwhile (the processes, PostgreSQL, everything)."""
    start_at = time.time() + 5  # after every process has started
    with ProcessPoolExecutor(len(auctions), mp_context=multiprocessing.get_context("spawn")) as pool:
        spans = pool.map(_in_own_process, *zip(*((url, clock, a, bids, start_at) for a in auctions), strict=True))
        time.sleep(max(0.0, start_at - time.time()))
        busy_before, at_before = _busy_cores()
        spans = list(spans)
        busy_after, at_after = _busy_cores()
    wall = max(end for _, end in spans) - min(start for start, _ in spans)
    return sum(len(a.actors) for a in auctions) * bids / wall, (busy_after - busy_before) / (at_after - at_before)


async def main(bidders: int, bids: int, parallel: int) -> None:
    async with scratch_database() as url:
        engine = make_engine(url, pool_size=min(bidders * parallel, 80) + 2, max_overflow=0)  # PostgreSQL allows 100
        sessions = make_session_factory(engine)
        clock = FrozenClock(datetime.now(UTC))
        one = await _auctions(sessions, clock, 1, bidders, "A")
        alone = await _auctions(sessions, clock, 1, bidders, "C")
        several = await _auctions(sessions, clock, parallel, bidders, "B")
        clock.advance(timedelta(minutes=59))  # the last minute
        system = Actor.system("bench")
        for auction in [*one, *alone, *several]:
            async with sessions() as session:  # open the auctions before timing
                await selection.open_auction(session, clock, system, auction.request_id)
        bare = await _run(sessions, clock, one, bids, "bare")
        real = await _run(sessions, clock, one, bids, "real")
        await engine.dispose()
        alone_rate, alone_busy = await asyncio.to_thread(_processes, url, clock, alone, bids)
        several_rate, several_busy = await asyncio.to_thread(_processes, url, clock, several, bids)
    print(f"bidders={bidders} bids each={bids} ({bidders * bids} bids an auction); {datetime.now(UTC):%Y-%m-%d}")
    print(f"baseline  lock the auction row + insert bid + update best price {bare:8.0f} bids/s")
    share = f"{real / bare:.0%} of baseline"
    print(f"auction   the platform's bid path (engine, state, audit event)   {real:8.0f} bids/s  ({share})")
    cores = os.cpu_count()
    print(
        f"one auction driven by its own process ({PROCESS_POOL} connections)             {alone_rate:8.0f} bids/s  "
        f"(busy cores {alone_busy:.1f} of {cores})"
    )
    print(
        f"{parallel} auctions at once, a process each                                {several_rate:8.0f} bids/s  "
        f"({several_rate / alone_rate:.1f}× one auction; busy cores {several_busy:.1f} of {cores})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bidders", type=int, default=50)
    parser.add_argument("--bids", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=4, help="auctions at once in the last figure")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.bidders, arguments.bids, arguments.parallel))
