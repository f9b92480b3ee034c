"""The supermarket's figures match a history computed by hand.

In range (posted 2026-11): four requests, two of them COST, two EIA
  COST 100,000 → awarded 50,000 (50 %), 4 participants
  COST 200,000 → awarded 120,000 (40 %), 5 participants
  EIA  300,000 → awarded 150,000 (50 %), 3 participants
  EIA   50,000 → failed (流标), 2 participants
Out of range: SURVEY 150,000 → 90,000, posted in October.
Overall: 4 requests, 3 awarded, 3.5 participants per request, ceiling 600,000, award 320,000,
savings 280,000, rate 280/600 = 0.4667; two requests saved 50-60 %, one 40-50 %.
COST: ceiling 300,000, award 170,000, savings 130,000, rate 0.4333, 4.5 participants.
EIA: 2 requests, 1 awarded, ceiling 300,000, savings 150,000, rate 0.5000, 2.5 participants.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.identity.models import OrgKind
from bidding.market.models import Auction, Registration, ServiceRequest
from tests.conftest import SHANGHAI, World

HISTORY = [
    ("COST", "100000.00", "50000.00", 4, "2026-11-03"),
    ("COST", "200000.00", "120000.00", 5, "2026-11-10"),
    ("EIA", "300000.00", "150000.00", 3, "2026-11-17"),
    ("EIA", "50000.00", None, 2, "2026-11-24"),
    ("SURVEY", "150000.00", "90000.00", 3, "2026-10-20"),
]


async def test_the_figures_match_a_history_computed_by_hand(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    intermediaries = [await world.org(OrgKind.intermediary) for _ in range(6)]
    owner = await world.org(OrgKind.tenderee)
    async with world.sessions() as session:
        for category, ceiling, award, participants, posted in HISTORY:
            when = datetime.fromisoformat(posted).replace(hour=10, tzinfo=SHANGHAI)
            request = ServiceRequest(
                owner_uscc=owner.uscc, project_name=f"{category} {posted}", category=category, ceiling=Decimal(ceiling),
                floor=None, registration_closes=when, bidding_starts=when, bidding_ends=when, min_participants=1,
                auction={}, selection_method="auction", status="awarded" if award else "failed", posted_at=when,
                posted_by=uuid.uuid4(),
            )  # fmt: skip
            session.add(request)
            await session.flush()
            for org in intermediaries[:participants]:
                session.add(Registration(request_id=request.id, org_uscc=org.uscc, registered_at=when))
            if award:
                session.add(
                    Auction(request_id=request.id, state={}, closed=True, winner_uscc=intermediaries[0].uscc,
                            award_price=Decimal(award), savings=Decimal(ceiling) - Decimal(award), closed_at=when)
                )  # fmt: skip
        await session.commit()

    response = await client.get("/api/v1/service-requests/stats?start=2026-11-01&end=2026-11-30")  # public
    assert response.status_code == 200, response.text
    figures = response.json()
    assert figures["intermediaries_registered"] == 6
    overall = figures["overall"]
    assert (overall["requests"], overall["awarded"], overall["participants_per_request"]) == (4, 3, "3.50")
    assert (overall["total_ceiling"], overall["total_award"], overall["savings"]) == (
        "600000.00",
        "320000.00",
        "280000.00",
    )
    assert overall["savings_rate"] == "0.4667"
    assert {k: v for k, v in overall["rate_distribution"].items() if v} == {"40-50%": 1, "50-60%": 2}
    cost, eia = figures["by_category"]["COST"], figures["by_category"]["EIA"]
    assert (cost["total_ceiling"], cost["savings"], cost["savings_rate"], cost["participants_per_request"]) == (
        "300000.00", "130000.00", "0.4333", "4.50",
    )  # fmt: skip
    assert (eia["requests"], eia["awarded"], eia["savings_rate"], eia["participants_per_request"]) == (
        2,
        1,
        "0.5000",
        "2.50",
    )
    assert "SURVEY" not in figures["by_category"]
