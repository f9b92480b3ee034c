"""Filing service-level statistics (限时办理 measured), pure.

Over the submission rounds received in a date range: how many were received and decided,
the share decided by their deadline (on-time rate), the median and 90th-percentile processing
time in working hours, the rounds that ran over, and the same per deciding officer and per
project type. Working hours are hours elapsed on working days (`WorkingCalendar`); the 90th
percentile is the nearest-rank value (the ⌈0.9·n⌉-th smallest), so it is always an observed time.
"""

from __future__ import annotations

import math
import statistics
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app.core.calendar.rules import WorkingCalendar

DEEMED_ACCEPTED_BY = "系统（逾期视为同意）"


@dataclass(frozen=True)
class RoundRecord:
    filing_id: uuid.UUID
    number: int
    project_name: str
    project_type: str
    submitted_at: datetime
    due_at: datetime
    decided_at: datetime | None
    decided_by_name: str | None


@dataclass(frozen=True)
class Breakdown:
    received: int
    decided: int
    on_time: int
    on_time_rate: float | None
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class OverdueRound:
    filing_id: uuid.UUID
    number: int
    project_name: str
    project_type: str
    submitted_at: datetime
    due_at: datetime
    decided_at: datetime | None
    decided_by: str | None


@dataclass(frozen=True)
class SlaReport:
    overall: Breakdown
    by_officer: dict[str, Breakdown]
    by_project_type: dict[str, Breakdown]
    overdue: list[OverdueRound]


def nearest_rank(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def _breakdown(rounds: list[RoundRecord], calendar: WorkingCalendar, tz: ZoneInfo) -> Breakdown:
    decided = [r for r in rounds if r.decided_at is not None]
    hours = [
        round(calendar.working_hours_between(r.submitted_at, r.decided_at, tz), 2) for r in decided if r.decided_at
    ]
    on_time = sum(1 for r in decided if r.decided_at is not None and r.decided_at <= r.due_at)
    return Breakdown(
        received=len(rounds),
        decided=len(decided),
        on_time=on_time,
        on_time_rate=round(on_time / len(decided), 4) if decided else None,
        median_hours=round(statistics.median(hours), 2) if hours else None,
        p90_hours=nearest_rank(hours, 0.9),
    )


def _ran_over(r: RoundRecord, now: datetime) -> bool:
    return (r.decided_at is None and r.due_at < now) or (r.decided_at is not None and r.decided_at > r.due_at)


def sla_report(rounds: Iterable[RoundRecord], now: datetime, calendar: WorkingCalendar, tz: ZoneInfo) -> SlaReport:
    rounds = list(rounds)
    by_officer: dict[str, list[RoundRecord]] = defaultdict(list)
    by_type: dict[str, list[RoundRecord]] = defaultdict(list)
    for r in rounds:
        by_type[r.project_type].append(r)
        if r.decided_at is not None:
            by_officer[r.decided_by_name or DEEMED_ACCEPTED_BY].append(r)
    overdue = [
        OverdueRound(
            r.filing_id,
            r.number,
            r.project_name,
            r.project_type,
            r.submitted_at,
            r.due_at,
            r.decided_at,
            r.decided_by_name,
        )
        for r in sorted(rounds, key=lambda r: r.due_at)
        if _ran_over(r, now)
    ]
    return SlaReport(
        overall=_breakdown(rounds, calendar, tz),
        by_officer={name: _breakdown(items, calendar, tz) for name, items in sorted(by_officer.items())},
        by_project_type={name: _breakdown(items, calendar, tz) for name, items in sorted(by_type.items())},
        overdue=overdue,
    )
