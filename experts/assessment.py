"""Expert assessment (考核), pure: the rules in data that act on an expert's record.

After each evaluation the agency and the supervisors rate each member (0–100), and the platform
records incidents: an abnormal score (畸高畸低) flagged on the expert, a decline without cause, a
no-show. A rule either counts incidents of one kind within a window (e.g. two declines without
cause in 365 days → suspended 182 days) or looks at the average rating (below 60 → dismissed).
`decide` names the strongest measure the rules call for; dismissal outranks suspension, which
outranks a recommendation. Abnormal scores only ever lead to a recommendation to the pool's
managing department (评标专家库管理部门), never to an automatic suspension: whether a score was
abnormal is for that department to judge (实施条例 arts. 46, 71).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

INCIDENTS = ("abnormal_score", "decline_without_cause", "no_show")
ACTIONS = ("suspend", "dismiss", "recommend")
RECOMMEND_ONLY = frozenset({"abnormal_score"})  # incidents that may only lead to a recommendation


@dataclass(frozen=True)
class AssessmentRule:
    code: str
    action: str  # suspend, dismiss or recommend (to the pool's managing department; no status change)
    incident: str | None = None  # counted incidents of this kind ...
    count: int = 0  # ... at least this many ...
    window_days: int = 365  # ... within this many days
    average_below: Decimal | None = None  # or: the average rating below this
    min_ratings: int = 1
    suspend_days: int = 0


@dataclass(frozen=True)
class Measure:
    action: str
    until: date | None
    rule: str
    reason: str


def decide(
    rules: Sequence[AssessmentRule],
    incidents: Sequence[tuple[str, date]],
    ratings: Sequence[Decimal],
    today: date,
) -> Measure | None:
    measures: list[Measure] = []
    for rule in rules:
        if rule.incident is not None:
            since = today - timedelta(days=rule.window_days)
            seen = sum(1 for kind, day in incidents if kind == rule.incident and day > since)
            if seen >= rule.count > 0:
                reason = f"{seen} × {rule.incident} within {rule.window_days} days"
                until = today + timedelta(days=rule.suspend_days) if rule.action == "suspend" else None
                measures.append(Measure(rule.action, until, rule.code, reason))
        elif rule.average_below is not None and len(ratings) >= rule.min_ratings:
            average = sum(ratings, Decimal(0)) / len(ratings)
            if average < rule.average_below:
                until = today + timedelta(days=rule.suspend_days) if rule.action == "suspend" else None
                measures.append(Measure(rule.action, until, rule.code, f"average rating {average:.2f}"))
    if not measures:
        return None
    dismissals = [m for m in measures if m.action == "dismiss"]
    if dismissals:
        return dismissals[0]
    suspensions = [m for m in measures if m.action == "suspend"]
    if suspensions:
        return max(suspensions, key=lambda m: m.until or today)
    return measures[0]
