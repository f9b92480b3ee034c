"""What a page of the public OCDS feed costs at 10,000 tenders, on PostgreSQL, over HTTP in process.

A scratch database gets N published tenders (each with its filing, its announcement and its
`tender.publish` event, as the platform writes them). The feed's index is built once (every
tender's releases derived: what each page cost before the index, when the feed derived every
tender on every request), then pages of 100 releases are read through `GET /api/v1/ocds/releases`:
the first, one in the middle and the last (by the cursor of `links.next`), and a page read right
after one tender's new event (its releases derived again). The baseline, measured in the same
run, is the bare indexed SELECT of the same 101 stored rows. Medians of `--rounds` reads.

    .venv/bin/python -m bench.ocds_feed [--tenders 10000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from litestar.testing import AsyncTestClient
from sqlalchemy import insert, text

from app.core import audit
from app.core.actor import Actor
from app.core.clock import SystemClock
from app.core.db import make_engine, make_session_factory
from app.core.settings import Settings
from app.core.uscc import make_uscc
from app.identity.models import Organization
from app.main import create_app
from bench.scratch import scratch_database
from bidding.filing.models import Filing, FilingDocument
from bidding.ocds import service
from bidding.tender.models import Tender

PREFIX, PUBLIC = "ocds-ggzy00", "http://127.0.0.1:8000"


async def _populate(url: str, count: int) -> list[uuid.UUID]:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    start = datetime(2026, 1, 5, 1, 30, tzinfo=UTC)
    tenderee, agency = make_uscc("11", "420100", "MB16BEN1"), make_uscc("91", "420100", "MA4KBEN1")
    ids = [uuid.uuid4() for _ in range(count)]
    async with sessions() as session:
        for uscc, kind in ((tenderee, "tenderee"), (agency, "agency")):
            session.add(Organization(uscc=uscc, name=f"bench {kind}", kind=kind, created_at=start))
        await session.flush()
        for first in range(0, count, 1000):
            chunk = list(enumerate(ids[first : first + 1000], start=first))
            filings = [
                {
                    "id": tender_id,
                    "agency_uscc": agency,
                    "created_by": uuid.uuid4(),
                    "status": "accepted",
                    "project_name": f"基准项目{i}",
                    "project_type": "construction",
                    "created_at": start,
                    "updated_at": start,
                }
                for i, tender_id in chunk
            ]
            await session.execute(insert(Filing), filings)
            published = [start + timedelta(minutes=i) for i, _ in chunk]
            await session.execute(
                insert(FilingDocument),
                [
                    {
                        "filing_id": tender_id,
                        "kind": "announcement",
                        "filename": "招标公告.pdf",
                        "content_type": "application/pdf",
                        "sha256": "0" * 64,
                        "size": 1,
                        "uploaded_at": at,
                        "uploaded_by": uuid.uuid4(),
                    }
                    for (_, tender_id), at in zip(chunk, published, strict=True)
                ],
            )
            await session.execute(
                insert(Tender),
                [
                    {
                        "id": tender_id,
                        "filing_id": tender_id,
                        "status": "published",
                        "project_name": f"基准项目{i}",
                        "project_code": f"BENCH-{i:05d}",
                        "project_type": "construction",
                        "procurement_method": "open",
                        "tenderee_uscc": tenderee,
                        "agency_uscc": agency,
                        "budget": Decimal("1000000.00") + i,
                        "evaluation_method": "comprehensive",
                        "committee_size": 5,
                        "announcement_date": date(2026, 1, 5),
                        "bid_deadline": at + timedelta(days=30),
                        "opening_time": at + timedelta(days=30),
                        "published_at": at,
                    }
                    for (i, tender_id), at in zip(chunk, published, strict=True)
                ],
            )
        clock, actor = SystemClock(), Actor.system("bench")
        for tender_id in ids:
            await audit.record(session, clock, actor, "tender.publish", "tender", tender_id, None)
        await session.commit()
    await engine.dispose()
    return ids


async def _median(rounds: int, read: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await read()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def main(count: int, rounds: int) -> None:
    async with scratch_database() as url:
        started = time.perf_counter()
        ids = await _populate(url, count)
        print(f"{count} published tenders written in {time.perf_counter() - started:.1f} s")
        settings = Settings(data_dir=Path(tempfile.mkdtemp()), database_url=url, redis_url=None, secret_key="b" * 40)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        async with sessions() as session:
            started = time.perf_counter()
            indexed = await service.sync_index(session, PREFIX, PUBLIC)
            built = time.perf_counter() - started
        print(f"index built once: {indexed} tenders in {built:.1f} s — what every page cost before the index")

        async with AsyncTestClient(create_app(settings)) as client:
            pages: list[str | None] = [None]
            answer = await client.get("/api/v1/ocds/releases", params={"limit": "100"})
            while "links" in answer.json() and len(pages) < count // 100 + 1:
                cursor = answer.json()["links"]["next"].split("after=")[1].split("&")[0]
                pages.append(cursor)
                answer = await client.get(f"/api/v1/ocds/releases?after={cursor}&limit=100")
            assert len(pages) == count // 100, f"{len(pages)} pages"

            def read(cursor: str | None) -> Callable[[], Awaitable[object]]:
                async def go() -> object:
                    query = f"?limit=100&after={cursor}" if cursor else "?limit=100"
                    response = await client.get(f"/api/v1/ocds/releases{query}")
                    assert response.status_code == 200 and len(response.json()["releases"]) == 100
                    return response

                return go

            async def bare() -> object:
                async with sessions() as session:
                    rows = await session.execute(
                        text("SELECT body FROM ocds_releases ORDER BY date, release_id LIMIT 101")
                    )
                    return rows.all()

            async def after_an_event() -> object:
                async with sessions() as session:
                    await audit.record(
                        session, SystemClock(), Actor.system("bench"), "tender.document", "tender", ids[0]
                    )
                    await session.commit()
                return await read(None)()

            figures = {
                "baseline: bare SELECT of 101 stored rows": await _median(rounds, bare),
                "first page": await _median(rounds, read(pages[0])),
                "middle page": await _median(rounds, read(pages[len(pages) // 2])),
                "last page": await _median(rounds, read(pages[-1])),
                "first page right after a tender's new event": await _median(rounds, after_an_event),
            }
        await engine.dispose()
    print(f"a page of 100 releases at {count} tenders, median of {rounds} (ms):")
    for name, ms in figures.items():
        print(f"  {name:<46} {ms:8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenders", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.tenders, arguments.rounds))
