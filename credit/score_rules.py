"""The credit score (信用评价) of an organization, pure: 100 less what its record costs, every
contribution explained. The weights are data (`credit_score_weights`): per factor the points one
occurrence costs, the most the factor can cost (its cap), and how far back it looks (days; none:
what is active on the day). The score never goes below 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

FULL_SCORE = 100

# What counts against an organization, in the order an explanation lists it.
FACTORS = {
    "listed_barring": "active entries on a credit list whose memorandum bars",
    "listed_warning": "active entries on a credit list whose memorandum only warns",
    "commitment_breach": "breaches of the credit commitment (the platform's own list)",
    "bidder_fault_decryption": "bids that failed to open through the bidder's fault",
    "upheld_complaint": "complaints or objections against it that were upheld",
    "poor_assessment": "intermediary services assessed below 60",
    "abandoned_service": "intermediary services abandoned after winning",
}


@dataclass(frozen=True)
class Weight:
    factor: str
    points: int  # what one occurrence costs (≥ 0)
    cap: int  # the most the factor can cost (≥ 0)
    window_days: int | None  # how far back it looks; None: what is active on the day


@dataclass(frozen=True)
class Fact:
    factor: str
    on: date
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Contribution:
    factor: str
    count: int
    points: int  # negative: what it took off
    weight: Weight
    evidence: tuple[Mapping[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "description": FACTORS[self.factor],
            "count": self.count,
            "points": self.points,
            "points_each": -self.weight.points,
            "cap": -self.weight.cap,
            "window_days": self.weight.window_days,
            "evidence": list(self.evidence),
        }


def weight_errors(weights: Iterable[Weight]) -> list[tuple[str, str]]:
    errors = []
    for i, w in enumerate(weights):
        if w.factor not in FACTORS:
            errors.append((f"weights[{i}].factor", "one of " + ", ".join(FACTORS)))
        if not 0 <= w.points <= FULL_SCORE:
            errors.append((f"weights[{i}].points", f"0 to {FULL_SCORE}"))
        if not 0 <= w.cap <= FULL_SCORE:
            errors.append((f"weights[{i}].cap", f"0 to {FULL_SCORE}"))
        if w.window_days is not None and not 1 <= w.window_days <= 36500:
            errors.append((f"weights[{i}].window_days", "1 to 36500 days, or null"))
    return errors


def score(facts: Iterable[Fact], weights: Mapping[str, Weight], day: date) -> tuple[int, list[Contribution]]:
    """The score on `day` and what each factor contributed (every factor with a weight is listed,
    those with nothing against the organization with 0)."""
    by_factor: dict[str, list[Fact]] = {f: [] for f in FACTORS}
    for fact in facts:
        by_factor[fact.factor].append(fact)
    contributions = []
    for factor in FACTORS:
        weight = weights.get(factor)
        if weight is None:
            continue
        since = day - timedelta(days=weight.window_days) if weight.window_days else None
        counted = [f for f in by_factor[factor] if f.on <= day and (since is None or f.on > since)]
        points = -min(weight.cap, weight.points * len(counted))
        contributions.append(Contribution(factor, len(counted), points, weight, tuple(f.detail for f in counted)))
    return max(0, FULL_SCORE + sum(c.points for c in contributions)), contributions
