"""How much the audit trail costs a state change, and whether the sequencer keeps up, on PostgreSQL.

Each writer runs transactions that insert one organization row and commit. The baseline
transaction does only that; the audited one also appends its audit event (one insert, no lock:
the transparency log's sequencer integrates it later). Both are measured in this run, in
alternating rounds (medians reported), with the same number of concurrent writers, against a
scratch database that is dropped afterwards. The sequencer runs throughout in a process of its
own, as `ggzy scheduler` runs it in production, and its lag (events committed but not yet
leaves) is sampled; then its rate integrating a backlog, and the rate of `ggzy audit verify`
recomputing the tree.

    .venv/bin/python -m bench.audit_append [--writers 8] [--transactions 4000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select as select_module
import statistics
import sys
import time
from asyncio.subprocess import PIPE
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit, transparency
from app.core.actor import Actor
from app.core.clock import SystemClock
from app.core.db import make_engine, make_session_factory
from app.core.models import AuditEvent
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


async def _pending(sessions: Callable[[], AsyncSession]) -> int:
    async with sessions() as session:
        events = await session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        return events - await transparency.integrated_size(session)


async def _caught_up(sessions: Callable[[], AsyncSession], within_seconds: float = 60) -> None:
    for _ in range(int(within_seconds * 10)):
        if await _pending(sessions) == 0:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the sequencer did not catch up within {within_seconds} s")


KEY_VARIABLE = "BENCH_LOG_KEY"  # the log's signing key, handed to the sequencer's process


def key_of(hex_key: str) -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(hex_key))


async def sequencer_alone(url: str, key: ed25519.Ed25519PrivateKey) -> None:
    """The sequencer's own process, as `ggzy scheduler` runs it: a pass (integrate until caught
    up, sign a head when due) every `SEQUENCER_EVERY_SECONDS`, the lag sampled before each; until
    stdin closes, then the samples are printed."""
    engine = make_engine(url, pool_size=2)
    sessions = make_session_factory(engine)
    lag: list[int] = []
    stdin = sys.stdin.fileno()
    while not select_module.select([stdin], [], [], 0)[0] or os.read(stdin, 1):
        lag.append(await _pending(sessions))
        await transparency.run_sequencer(sessions, SystemClock(), key, "bench/audit", 60)
        await asyncio.sleep(transparency.SEQUENCER_EVERY_SECONDS)
    await engine.dispose()
    print(json.dumps(lag))


async def main(writers: int, total: int, rounds: int) -> None:
    async with scratch_database() as url:
        engine = make_engine(url, pool_size=writers + 2)
        sessions = make_session_factory(engine)
        await _measure(sessions, writers, 200, audited=True, run="WARM")  # warm the pool and caches
        key = ed25519.Ed25519PrivateKey.generate()
        sequencer = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bench.audit_append", "--sequencer", url),
            stdin=PIPE,
            stdout=PIPE,
            env={**os.environ, KEY_VARIABLE: key.private_bytes_raw().hex()},
        )
        baselines, audits = [], []
        for i in range(rounds):  # alternated, so that both see the same machine
            await _caught_up(sessions)  # the baseline never pays for the sequencer catching up
            baselines.append(await _measure(sessions, writers, total, audited=False, run=f"BASE{i}"))
            audits.append(await _measure(sessions, writers, total, audited=True, run=f"AUDT{i}"))
        said, _ = await sequencer.communicate(b"")  # stdin closed: the sequencer stops
        lag = json.loads(said)
        caught_up_from = await _pending(sessions)
        backlog = await _measure(sessions, writers, total, audited=True, run="BKLG")  # no sequencer this time
        pending = await _pending(sessions)
        started = time.perf_counter()
        while True:
            async with sessions() as session:
                if await transparency.integrate(session) == 0:
                    break
        integrate_rate = pending / (time.perf_counter() - started)
        async with sessions() as session:
            await transparency.sign_head(session, SystemClock(), key, "bench/audit")
        started = time.perf_counter()
        async with sessions() as session:
            report = await transparency.verify_log(session, key.public_key(), "bench/audit")
        verify_rate = report.leaves / (time.perf_counter() - started)
        await engine.dispose()
    assert report.ok, report.problem
    baseline, audited = statistics.median(baselines), statistics.median(audits)
    shares = ", ".join(f"{a / b:.0%}" for b, a in zip(baselines, audits, strict=True))
    print(f"writers={writers} transactions={total} × {rounds} rounds, medians; {datetime.now(UTC):%Y-%m-%d}")
    print(f"baseline  (insert + commit)                  {baseline:8.0f} tx/s")
    print(f"audited   (insert + audit event + commit)    {audited:8.0f} tx/s  ({audited / baseline:.0%} of baseline)")
    print(f"          audited / baseline in each round: {shares}")
    print(
        f"sequencer beside them: lag p50 {statistics.median(lag):.0f}, max {max(lag)} events; "
        f"{caught_up_from} left when the writers stopped"
    )
    written = f"(the backlog written at {backlog:.0f} tx/s)"
    print(f"sequencer integrating a backlog of {pending}  {integrate_rate:8.0f} events/s  {written}")
    print(f"verify    (recompute the tree, check heads)  {verify_rate:8.0f} leaves/s over {report.leaves} leaves")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--transactions", type=int, default=4000, help="per round and kind")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sequencer", metavar="URL", help=argparse.SUPPRESS)  # the sequencer's own process
    args = parser.parse_args()
    if args.sequencer:
        asyncio.run(sequencer_alone(args.sequencer, key_of(os.environ[KEY_VARIABLE])))
    else:
        asyncio.run(main(args.writers, args.transactions, args.rounds))
