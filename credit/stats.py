"""Credit-check statistics for any date range (the figures the city's report quotes): projects
and candidates checked, hits by list type, review hits confirmed and dismissed, disqualifications
and the candidates flagged for the committee's re-review. Days are the platform's time zone,
the range inclusive at both ends."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from credit.models import CreditCheck, CreditCheckRun, CreditReview


async def stats(session: AsyncSession, tz: ZoneInfo, start: date, end: date) -> dict[str, Any]:
    since = datetime.combine(start, time(), tz)
    until = datetime.combine(end + timedelta(days=1), time(), tz)
    runs = list(
        await session.scalars(
            select(CreditCheckRun).where(CreditCheckRun.checked_at >= since, CreditCheckRun.checked_at < until)
        )
    )
    candidate_checks = (
        await session.execute(
            select(CreditCheck.tender_id, CreditCheck.bid_id, CreditCheck.hits).where(
                CreditCheck.context == "candidate", CreditCheck.checked_at >= since, CreditCheck.checked_at < until
            )
        )
    ).all()
    bids_checked: set[tuple[Any, Any]] = set()
    hits: Counter[str] = Counter()
    for tender_id, bid_id, found in candidate_checks:
        bids_checked.add((tender_id, bid_id))
        for hit in cast(list[dict[str, Any]], found):
            if hit.get("effect") != "none":
                hits[hit["list_type"]] += 1
    decided = Counter(
        status
        for (status,) in await session.execute(
            select(CreditReview.status).where(CreditReview.decided_at >= since, CreditReview.decided_at < until)
        )
    )
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "projects_checked": len({r.tender_id for r in runs}),
        "candidates_checked": len(bids_checked),
        "hits_by_list_type": dict(sorted(hits.items())),
        "review_hits": {"confirmed": decided.get("confirmed", 0), "dismissed": decided.get("dismissed", 0)},
        "disqualifications": len({(r.tender_id, b) for r in runs for b in r.disqualified}),
        "committee_reviews": len({(r.tender_id, b) for r in runs for b in r.flagged}),
        "tenders_failed": len({r.tender_id for r in runs if r.outcome == "none"}),
    }
