"""The settlement bank's daily statement at a busy centre, on a scratch PostgreSQL database: a
statement of N credits (one per bond, each into its own sub-account) imported with the platform's
import (every line parsed and checked, matched to its bond by sub-account, flagged, booked in the
ledger and the audit trail, one transaction), then the refund sweep that instructs every one of
those bonds back when their tender ends. Baselines measured in the same run:
* the statement's parse alone (every line checked, no database): the ceiling of any import;
* the same statement imported again: every line found booked already (the idempotent path a
  bank's repeated file takes).

    .venv/bin/python -m bench.bonds [--bonds 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from app.core.actor import Actor
from app.core.chronograph import sweep
from app.core.clock import FrozenClock
from app.core.db import make_engine, make_session_factory
from app.core.settings import Settings
from app.demo import load_demo
from bench.scratch import scratch_database
from bidding.bonds import bank, bank_book, jobs
from bidding.bonds.models import Bond
from bidding.bonds.rules import BondKind
from bidding.bonds.states import BondStatus
from bidding.tender.models import Tender
from bidding.tender.states import TenderStatus


async def run(bonds: int) -> None:
    async with scratch_database() as url:
        settings = Settings.from_env({"GGZY_DATABASE_URL": url, "GGZY_DATA_DIR": "var/bench-bonds"})
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        clock = FrozenClock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
        async with sessions() as session:
            await load_demo(session, clock, settings)
            tender = await session.scalar(select(Tender).where(Tender.bond_amount.is_not(None)).limit(1))
            assert tender is not None and tender.bond_amount is not None
            fen = int(tender.bond_amount * 100)
            session.add_all(
                Bond(
                    tender_id=tender.id,
                    bidder_uscc=f"B{n:017d}",
                    kind=BondKind.bid,
                    form="transfer",
                    required=tender.bond_amount,
                    status=BondStatus.awaiting,
                    sub_account=f"{settings.bond_master_account}{n:08d}",
                    basic_account=f"6222{n:015d}",
                    flags=[],
                    opened_at=clock.now(),
                    opened_by="bench",
                )
                for n in range(bonds)
            )
            await session.commit()
            tender_id = tender.id
        booked = clock.now() - timedelta(hours=1)
        lines = [
            bank.BankLine(
                f"S{n:012d}", booked, "C", f"{settings.bond_master_account}{n:08d}", f"6222{n:015d}", "投标人", fen
            )
            for n in range(bonds)
        ]
        statement = bank.statement_csv(lines).encode()

        started = time.perf_counter()
        parsed, errors = bank.parse_statement(statement)
        parse_s = time.perf_counter() - started
        assert not errors and len(parsed) == bonds

        actor = Actor.system("bench")
        timings = []
        for _ in range(2):
            async with sessions() as session:
                started = time.perf_counter()
                result = await bank_book.import_statement(session, clock, actor, parsed, settings.tz)
                timings.append(time.perf_counter() - started)
        first, again = timings
        assert result["repeated"] == bonds

        async with sessions() as session:
            await session.execute(update(Tender).where(Tender.id == tender_id).values(status=TenderStatus.cancelled))
            await session.commit()
        [refund] = [s for s in jobs.steps(settings) if s.event == "bond-refund"]
        async with sessions() as session:
            started = time.perf_counter()
            moved = await sweep(session, clock, refund)
            sweep_s = time.perf_counter() - started
        assert moved == bonds
        await engine.dispose()

    print(f"statement of {bonds} credits ({len(statement) / 1e6:.1f} MB)")
    print(f"  baseline: parse and check only        {parse_s * 1000:8.0f} ms  {bonds / parse_s:10,.0f} lines/s")
    print(f"  import: match, flag, ledger, audit    {first * 1000:8.0f} ms  {bonds / first:10,.0f} lines/s")
    print(f"  baseline: the same statement again    {again * 1000:8.0f} ms  {bonds / again:10,.0f} lines/s")
    print(f"refund sweep: {bonds} bonds instructed back {sweep_s * 1000:8.0f} ms  {bonds / sweep_s:10,.0f} bonds/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bonds", type=int, default=5000)
    asyncio.run(run(parser.parse_args().bonds))


if __name__ == "__main__":
    main()
