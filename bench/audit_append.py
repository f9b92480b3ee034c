"""How much the hash-chained audit trail costs a state change, on PostgreSQL.

Each writer runs transactions that insert one organization row and commit. The baseline
transaction does only that; the audited one also appends its chained audit event (advisory
lock, read the head, insert). Both are measured in this run, with the same number of
concurrent writers, against a scratch database that is dropped afterwards.

    .venv/bin/python -m bench.audit_append [--writers 8] [--transactions 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import SystemClock
from app.core.db import make_engine, make_session_factory
from app.core.uscc import make_uscc
from app.identity.models import Organization
from bench.scratch import scratch_database


def _org(i: int, run: str) -> Organization:
    body = f"{run}{i:04d}".upper()[-8:].translate(str.maketrans("IOSVZ", "12345"))
    return Organization(
        uscc=make_uscc("91", "420100", body), name=f"bench {i}", kind="bidder", created_at=datetime.now(UTC)
    )


async def _measure(sessions: Callable[[], AsyncSession], writers: int, total: int, audited: bool, run: str) -> float:
    clock, actor = SystemClock(), Actor.system("bench")
    counter = iter(range(total))

    async def writer() -> None:
        for i in counter:
            async with sessions() as session:
                org = _org(i, run)
                session.add(org)
                await session.flush()
                if audited:
                    await audit.record(session, clock, actor, "org.create", "org", org.uscc, {"i": i})
                await session.commit()

    started = time.perf_counter()
    tasks: list[Awaitable[None]] = [writer() for _ in range(writers)]
    await asyncio.gather(*tasks)
    return total / (time.perf_counter() - started)


async def main(writers: int, total: int) -> None:
    async with scratch_database() as url:
        engine = make_engine(url, pool_size=writers)
        sessions = make_session_factory(engine)
        await _measure(sessions, writers, 200, audited=True, run="WARM")  # warm the pool and caches
        baseline = await _measure(sessions, writers, total, audited=False, run="BASE")
        chained = await _measure(sessions, writers, total, audited=True, run="AUDT")
        async with sessions() as session:
            report = await audit.verify(session)
        started = time.perf_counter()
        async with sessions() as session:
            await audit.verify(session)
        verify_rate = report.verified / (time.perf_counter() - started)
        await engine.dispose()
    print(f"writers={writers} transactions={total}")
    print(f"baseline  (insert + commit)                 {baseline:8.0f} tx/s")
    print(f"audited   (insert + chained event + commit) {chained:8.0f} tx/s  ({chained / baseline:.0%} of baseline)")
    print(f"verify    (recompute the chain)             {verify_rate:8.0f} events/s over {report.verified} events")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--transactions", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.writers, args.transactions))
