"""Figures of the intermediary supermarket, pure: requests, registered intermediaries,
participants per request, total ceiling and award, savings amount and savings rate
(资金节省率 = (ceiling − award) / ceiling, weighted by ceiling), the distribution of the
per-request savings rates, overall and per category. Only awarded requests count towards
the money figures; failed ones (流标) count as requests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RATE_PLACES = Decimal("0.0001")
BUCKETS = tuple(range(0, 100, 10))  # [0, 10) … [90, 100] per cent


@dataclass(frozen=True)
class RequestOutcome:
    category: str
    ceiling: Decimal
    award: Decimal | None  # None when the request failed
    participants: int


@dataclass(frozen=True)
class Figures:
    requests: int
    awarded: int
    participants_per_request: Decimal
    total_ceiling: Decimal
    total_award: Decimal
    savings: Decimal
    savings_rate: Decimal | None
    rate_distribution: dict[str, int]


def savings(ceiling: Decimal, award: Decimal) -> Decimal:
    """The money saved by a selection: the ceiling less the award (0 for a draw at the ceiling)."""
    return ceiling - award


def rate(savings: Decimal, ceiling: Decimal) -> Decimal:
    """资金节省率 of one request: savings / ceiling, to 4 places."""
    return (savings / ceiling).quantize(RATE_PLACES, ROUND_HALF_UP)


def _bucket(rate: Decimal) -> str:
    percent = min(int(rate * 100), 99)
    low = max(b for b in BUCKETS if b <= percent)
    return f"{low}-{low + 10}%"


def figures(outcomes: Iterable[RequestOutcome]) -> Figures:
    items = list(outcomes)
    awarded = [o for o in items if o.award is not None]
    ceiling = sum((o.ceiling for o in awarded), Decimal("0.00"))
    award = sum((o.award for o in awarded if o.award is not None), Decimal("0.00"))
    distribution = {f"{b}-{b + 10}%": 0 for b in BUCKETS}
    for o in awarded:
        assert o.award is not None
        distribution[_bucket((o.ceiling - o.award) / o.ceiling)] += 1
    participants = Decimal(sum(o.participants for o in items)) / len(items) if items else Decimal(0)
    return Figures(
        requests=len(items),
        awarded=len(awarded),
        participants_per_request=participants.quantize(Decimal("0.01"), ROUND_HALF_UP),
        total_ceiling=ceiling,
        total_award=award,
        savings=ceiling - award,
        savings_rate=rate(ceiling - award, ceiling) if ceiling else None,
        rate_distribution=distribution,
    )


def by_category(outcomes: Iterable[RequestOutcome]) -> dict[str, Figures]:
    grouped: dict[str, list[RequestOutcome]] = defaultdict(list)
    for o in outcomes:
        grouped[o.category].append(o)
    return {category: figures(items) for category, items in sorted(grouped.items())}
