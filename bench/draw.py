"""An expert draw at scale: a committee of 9 (5 civil engineers, 4 cost engineers) plus 3
reserves, drawn from a pool of 100,000 experts with every exclusion in play (employers among
the tenderee, the agency and 30 bidding organizations; recent service for the tenderee;
suspended, dismissed, over-age, unavailable and credit-barred experts), on a scratch PostgreSQL
database. The draw is timed as the platform runs it (`experts.committee.run_draw`: the pool
query, every exclusion with its reason, the canonical snapshot, the seed, the commitment in the
audit trail, its commit, the HMAC order, the seats, the notifications, the second commit), next
to two baselines measured in the same run over the same pool:

* `random.sample` of 12 ids from the eligible ids already in memory (no database at all);
* one indexed SQL query that returns the eligible ids (every exclusion written as SQL).

    .venv/bin/python -m bench.draw [--experts 100000] [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.actor import Actor
from app.core.clock import FrozenClock
from app.core.db import make_engine, make_session_factory
from app.core.uscc import make_uscc
from app.identity.models import Organization, User
from bench.scratch import scratch_database
from bidding.filing.models import Filing
from bidding.tender.models import Tender
from experts import committee
from experts import draw as draw_rules
from experts.models import Draw, Expert, ExpertSpecialty, Specialty, Unavailability
from experts.registry import UNUSABLE_PASSWORD

# A classification closer to a real one (hundreds of codes; the seeded one has 19): 8 branches
# of 10 children each besides the seeded codes, so a quota touches a realistic share of the pool.
EXTRA_BRANCHES = ["construction", "water", "it", "goods", "economics", "law", "energy", "transport"]
QUOTAS = [("construction.civil", 5, 2), ("economics.cost", 4, 1)]
AGE_CAP, RECENT_DAYS = 70, 180
SYSTEM = Actor.system("bench")


def uscc(n: int) -> str:
    return make_uscc("91", "420100", f"B{n:07d}")


async def seed_pool(
    sessions: async_sessionmaker[AsyncSession], experts: int, now: datetime, evaluation_on: date
) -> tuple[list[str], uuid.UUID, list[uuid.UUID]]:
    rnd = random.Random(20261129)
    async with sessions() as session:
        codes = [c for (c,) in (await session.execute(text("SELECT code FROM specialties"))).all()]
        extra = []
        for branch in EXTRA_BRANCHES:
            extra += [
                {"code": f"{branch}.x{i}", "parent_code": branch, "name_zh": f"{branch}{i}", "name_en": f"{branch} {i}"}
                for i in range(10)
            ]
        await session.execute(insert(Specialty), extra)
        codes = sorted({*codes, *(e["code"] for e in extra)} - {"energy", "transport"})
        orgs = [uscc(n) for n in range(40)]  # 0: tenderee, 1: agency, 2..31: bidders, the rest employers
        await session.execute(
            insert(Organization),
            [
                {
                    "uscc": u,
                    "name": f"单位{i}",
                    "kind": "tenderee" if i == 0 else "agency" if i == 1 else "bidder",
                    "created_at": now,
                }
                for i, u in enumerate(orgs)
            ],
        )
        employers = [uscc(n) for n in range(1000, 1800)] + orgs[:32]
        users, rows, links, blocks = [], [], [], []
        for n in range(experts):
            user_id, expert_id = uuid.uuid4(), uuid.uuid4()
            users.append(
                {
                    "id": user_id,
                    "username": f"e{n:06d}",
                    "display_name": f"专家{n}",
                    "password_hash": UNUSABLE_PASSWORD,
                    "org_uscc": None,
                    "roles": ["expert"],
                    "is_active": True,
                    "created_at": now,
                    "token_generation": 0,
                }
            )
            roll = rnd.random()
            status, until = (
                ("dismissed", None)
                if roll < 0.01
                else ("suspended", evaluation_on + timedelta(days=30))
                if roll < 0.03
                else ("active", None)
            )
            rows.append({
                "id": expert_id, "user_id": user_id, "name": f"专家{n}", "title": "高级工程师",
                "employer_uscc": rnd.choice(employers), "region": "420100",
                "birth_date": date(rnd.randint(1952, 1990), rnd.randint(1, 12), rnd.randint(1, 28)),
                "status": status, "suspended_until": until, "created_at": now, "updated_at": now,
            })  # fmt: skip
            for code in {rnd.choice(codes) for _ in range(rnd.choice((1, 1, 2)))}:
                links.append({"expert_id": expert_id, "code": code})
            if rnd.random() < 0.05:
                blocks.append(
                    {
                        "id": uuid.uuid4(),
                        "expert_id": expert_id,
                        "starts_on": evaluation_on - timedelta(days=1),
                        "ends_on": evaluation_on + timedelta(days=1),
                    }
                )
            elif rnd.random() < 0.05:
                blocks.append(
                    {
                        "id": uuid.uuid4(),
                        "expert_id": expert_id,
                        "starts_on": evaluation_on + timedelta(days=10),
                        "ends_on": evaluation_on + timedelta(days=12),
                    }
                )
        for table, data in ((User, users), (Expert, rows), (ExpertSpecialty, links), (Unavailability, blocks)):
            for i in range(0, len(data), 5000):
                await session.execute(insert(table), data[i : i + 5000])
        await session.commit()
        barred = [r["id"] for r in rnd.sample(rows, experts // 100)]
    return orgs, rows[0]["id"], barred


async def new_tender(session: AsyncSession, orgs: list[str], now: datetime, opening: datetime, n: int) -> uuid.UUID:
    filing = Filing(
        agency_uscc=orgs[1], created_by=uuid.uuid4(), status="accepted", project_name=f"bench {n}",
        project_type="construction", created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(filing)
    await session.flush()
    tender = Tender(
        filing_id=filing.id, status="published", project_name=f"bench {n}", project_code=f"B-{n}",
        project_type="construction", procurement_method="open", tenderee_uscc=orgs[0], agency_uscc=orgs[1],
        budget=Decimal("1000000.00"), evaluation_method="comprehensive_scoring", committee_size=9,
        announcement_date=now.date(), bid_deadline=opening, opening_time=opening, published_at=now,
    )  # fmt: skip
    session.add(tender)
    await session.flush()
    for i, org in enumerate(orgs[2:32]):
        await session.execute(
            text(
                "INSERT INTO bids (id, tender_id, bidder_uscc, status, sha256, size, payload_sha256,"
                " signer_fingerprint, received_at, submitted_by, receipt)"
                " VALUES (:id, :t, :u, 'submitted', :h, 1, :h, :h, :at, :by, '{}')"
            ),
            {"id": uuid.uuid4(), "t": tender.id, "u": org, "h": f"{i:064d}", "at": now, "by": uuid.uuid4()},
        )
    return tender.id


def timed(module: object, name: str, into: list[float]) -> None:
    """Wrap `module.name` (sync or async) to record how long each call takes, for the breakdown."""
    original = getattr(module, name)
    if asyncio.iscoroutinefunction(original):

        async def async_wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                into.append(time.perf_counter() - started)

        setattr(module, name, async_wrapper)
    else:

        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                into.append(time.perf_counter() - started)

        setattr(module, name, wrapper)


ELIGIBLE_SQL = """
SELECT DISTINCT e.id FROM experts e JOIN expert_specialties s ON s.expert_id = e.id
WHERE s.code = ANY(:codes)
  AND e.employer_uscc <> ALL(:parties)
  AND (e.status = 'active' OR (e.status = 'suspended' AND e.suspended_until <= :today))
  AND e.birth_date > :born_after
  AND NOT EXISTS (SELECT 1 FROM expert_unavailability u
                  WHERE u.expert_id = e.id AND u.starts_on <= :day AND u.ends_on >= :day)
  AND NOT EXISTS (SELECT 1 FROM committee_seats c JOIN expert_draws d ON d.tender_id = c.tender_id
                  JOIN tenders t ON t.id = c.tender_id
                  WHERE c.expert_id = e.id AND t.tenderee_uscc = :tenderee AND t.id <> :tender
                    AND c.status IN ('drawn', 'seated') AND d.evaluation_on > :since)
  AND e.id <> ALL(:barred)
"""


async def main(experts: int, runs: int) -> None:
    async with scratch_database() as url:
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        now = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
        opening = now + timedelta(days=20)
        evaluation_on = opening.date()
        clock = FrozenClock(now)
        started = time.perf_counter()
        orgs, _first, barred = await seed_pool(sessions, experts, now, evaluation_on)
        barred_set = set(barred)
        async with engine.connect() as connection:  # what autovacuum would have done on a pool built over years
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
            await connection.execute(text("CHECKPOINT"))  # the bulk load's writes are not the draw's
        gc.collect()  # the seeding's garbage is not the draw's
        gc.freeze()  # as `ggzy scheduler` does once started (app/scheduler.py)
        print(f"pool of {experts} experts seeded in {time.perf_counter() - started:.1f} s")

        async def credit(_session: AsyncSession, ids: Sequence[uuid.UUID], _day: date) -> set[uuid.UUID]:
            return {i for i in ids if i in barred_set}

        async with sessions() as session:
            every_code = [c for (c,) in (await session.execute(text("SELECT code FROM specialties"))).all()]
        quota_codes = [c for c in every_code if any(c == q or c.startswith(q + ".") for q, _m, _r in QUOTAS)]
        draw_times, sql_times, sample_times, eligible_counts = [], [], [], []
        phases: dict[str, list[float]] = {"pool": [], "snapshot": [], "order": []}
        timed(committee, "gather_pool", phases["pool"])
        timed(draw_rules, "snapshot", phases["snapshot"])
        timed(draw_rules, "canonical", phases["snapshot"])
        timed(draw_rules, "draw", phases["order"])
        for n in range(runs):
            clock.set(now)
            async with sessions() as session:
                tender_id = await new_tender(session, orgs, now, opening, n)
                quotas = [{"specialty": s, "members": m, "reserves": r} for s, m, r in QUOTAS]
                session.add(
                    Draw(
                        tender_id=tender_id,
                        status="scheduled",
                        quotas=quotas,
                        draw_at=now,
                        evaluation_on=evaluation_on,
                        configured_at=now,
                        configured_by="bench",
                    )
                )
                await session.commit()
            await asyncio.sleep(0)
            async with sessions() as session:
                t0 = time.perf_counter()
                assert await committee.run_draw(
                    session,
                    tender_id,
                    clock,
                    SYSTEM,
                    age_cap=AGE_CAP,
                    recent_days=RECENT_DAYS,
                    tz=UTC,
                    credit_barred=credit,
                )
                draw_times.append(time.perf_counter() - t0)
                seats = (
                    await session.execute(
                        text("SELECT count(*) FROM committee_seats WHERE tender_id = :t"), {"t": tender_id}
                    )
                ).scalar()
                assert seats == 12, seats
            async with sessions() as session:
                params = {
                    "parties": orgs[:32], "today": now.date(),
                    "born_after": date(now.year - AGE_CAP - 1, now.month, now.day),
                    "day": evaluation_on, "tenderee": orgs[0], "tender": tender_id,
                    "since": evaluation_on - timedelta(days=RECENT_DAYS), "barred": barred, "codes": quota_codes,
                }  # fmt: skip
                t0 = time.perf_counter()
                ids = [r[0] for r in (await session.execute(text(ELIGIBLE_SQL), params)).all()]
                sql_times.append(time.perf_counter() - t0)
                eligible_counts.append(len(ids))
                t0 = time.perf_counter()
                random.sample(ids, 12)
                sample_times.append(time.perf_counter() - t0)
        async with sessions() as session:
            pool_rows = (await session.execute(text(
                "SELECT count(DISTINCT expert_id) FROM expert_specialties WHERE code = ANY(:codes)"
            ), {"codes": quota_codes})).scalar()  # fmt: skip
        await engine.dispose()
    draw_ms, sql_ms, sample_ms = (statistics.median(t) * 1000 for t in (draw_times, sql_times, sample_times))
    pool_ms = statistics.median(phases["pool"]) * 1000
    snapshot_ms = (
        statistics.median([a + b for a, b in zip(phases["snapshot"][::2], phases["snapshot"][1::2], strict=True)])
        * 1000
    )
    order_ms = statistics.median(phases["order"]) * 1000
    print(f"experts under the quotas' specialties: {pool_rows}; eligible: {eligible_counts[0]}–{eligible_counts[-1]}")
    print(f"median of {runs} runs")
    print(f"baseline  random.sample of 12 eligible ids      {sample_ms:9.3f} ms")
    print(f"baseline  one indexed SQL query, eligible ids   {sql_ms:9.1f} ms")
    print(f"draw      run_draw (commitment, seats, audit)   {draw_ms:9.1f} ms  ({draw_ms / sql_ms:.1f}× the SQL query)")
    print(f"  of which  the pool with every exclusion's facts {pool_ms:7.1f} ms")
    print(f"            snapshot with reasons, canonical JSON {snapshot_ms:7.1f} ms")
    print(f"            HMAC order of the eligible, the seats {order_ms:7.1f} ms")
    print("            the rest: two commits, the commitment and result in the audit trail, seats, notices")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(main(args.experts, args.runs))
