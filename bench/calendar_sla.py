"""The working-day calendar and SLA statistics: how fast, next to a plain weekday count.

Baseline: counting N weekdays forward with nothing but `date.weekday()` — the floor any
calendar pays. Then the real calendar (holidays, adjusted working days), and the SLA report
over a year of filing rounds (working hours per round, percentiles, breakdowns).

    .venv/bin/python -m bench.calendar_sla
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.core.calendar.rules import WorkingCalendar
from bidding.filing.sla import RoundRecord, sla_report

TZ = ZoneInfo("Asia/Shanghai")


def weekday_deadline(start: date, n: int) -> date:
    current, counted = start, 0
    while counted < n:
        current += timedelta(days=1)
        counted += current.weekday() < 5
    return current


def rate(fn: object, items: list[object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for item in items:
            fn(*item)  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return len(items) / best


def main() -> None:
    rng = random.Random(7)
    calendar = WorkingCalendar.with_loaded({})
    starts = [(date(2026, 1, 1) + timedelta(days=rng.randrange(360)), 2) for _ in range(20_000)]
    baseline = rate(weekday_deadline, starts)
    real = rate(calendar.deadline, starts)

    rounds = []
    for i in range(10_000):
        submitted = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(360 * 24 * 60))
        due = calendar.period(submitted.astimezone(TZ).date(), 2, working=True).due_at(TZ)
        decided = submitted + timedelta(hours=rng.randrange(1, 120)) if rng.random() < 0.95 else None
        officer = f"officer{rng.randrange(12)}" if decided else None
        rounds.append(
            RoundRecord(
                uuid.uuid4(), 1, f"p{i}", rng.choice(["construction", "other"]), submitted, due, decided, officer
            )
        )
    started = time.perf_counter()
    report = sla_report(rounds, datetime(2027, 1, 1, tzinfo=UTC), calendar, TZ)
    elapsed = time.perf_counter() - started

    print(f"baseline  weekday-only deadline        {baseline:10.0f} deadlines/s")
    print(f"calendar  2-working-day deadline       {real:10.0f} deadlines/s  ({real / baseline:.0%} of baseline)")
    on_time = report.overall.on_time_rate
    print(f"SLA report over {len(rounds)} rounds        {elapsed * 1000:10.1f} ms  (on-time rate {on_time})")


if __name__ == "__main__":
    main()
