"""What the chronograph runs for filings: an undecided round goes overdue at its deadline."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from app.core.chronograph import Step
from bidding.filing import service


def steps(tz: ZoneInfo) -> list[Step]:
    return [
        Step(
            "filing-overdue",
            "filing_round",
            every=60,
            due=service.overdue_rounds,
            run=lambda session, round_id, clock, actor: service.mark_overdue(session, clock, actor, round_id, tz),
        )
    ]
