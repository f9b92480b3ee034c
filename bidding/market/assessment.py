"""Intermediary assessment (考核), pure: the rule that suspends an intermediary from the
supermarket for a poor record. The rule is data; the shell applies it after each assessment.

An assessment is what a project owner records once the service is over: delivered, with
quality and timeliness scores (0–100), or abandoned by the intermediary after winning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Assessed:
    outcome: str  # "delivered" or "abandoned"
    quality: int | None
    timeliness: int | None
    at: datetime

    @property
    def score(self) -> Decimal | None:
        if self.quality is None or self.timeliness is None:
            return None
        return Decimal(self.quality + self.timeliness) / 2


@dataclass(frozen=True)
class SuspensionRule:
    lookback: timedelta = timedelta(days=365)
    max_abandonments: int = 2  # this many abandonments in the lookback suspend
    min_scored: int = 3  # at least this many scored deliveries before the average counts
    min_average: Decimal = Decimal(60)  # an average score below this suspends


DEFAULT_RULE = SuspensionRule()


def average_score(history: list[Assessed]) -> Decimal | None:
    scores = [a.score for a in history if a.score is not None]
    if not scores:
        return None
    return (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def suspension_reason(history: list[Assessed], now: datetime, rule: SuspensionRule = DEFAULT_RULE) -> str | None:
    """Why the record calls for a suspension, or None."""
    recent = [a for a in history if a.at >= now - rule.lookback]
    abandoned = sum(a.outcome == "abandoned" for a in recent)
    if abandoned >= rule.max_abandonments:
        return f"abandoned {abandoned} services after winning in the last {rule.lookback.days} days"
    scored = [a for a in recent if a.score is not None]
    average = average_score(scored)
    if len(scored) >= rule.min_scored and average is not None and average < rule.min_average:
        return f"average rating {average} over {len(scored)} services, below {rule.min_average}"
    return None
