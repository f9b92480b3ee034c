"""Who may take part in a service request, pure: an intermediary is eligible when it is not
suspended and holds an unexpired qualification of the type the category requires. Every
reason it is not is returned, so the intermediary knows what to fix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bidding.market.categories import CATEGORIES


@dataclass(frozen=True)
class HeldQualification:
    certificate_type: str
    grade: str
    number: str
    expires_on: date


def ineligibility(
    category: str,
    qualifications: list[HeldQualification],
    suspended_reason: str | None,
    today: date,
    offered: frozenset[str],
    required_grade: str | None = None,
) -> list[str]:
    """Why an intermediary cannot serve `category` (at `required_grade`, if the request asks for
    one) today; empty when it can."""
    reasons = []
    if suspended_reason:
        reasons.append(f"suspended: {suspended_reason}")
    if category not in offered:
        reasons.append(f"does not offer {CATEGORIES[category].name_zh} ({category}) in the supermarket")
    needed = CATEGORIES[category].qualification
    if needed is None:  # abolished: nothing to hold
        return reasons
    held = [q for q in qualifications if q.certificate_type == needed]
    if required_grade is not None:
        held = [q for q in held if q.grade == required_grade]
        needed = f"{needed} ({required_grade})"
    if not held:
        reasons.append(f"no {needed} registered")
    elif all(q.expires_on < today for q in held):
        latest = max(q.expires_on for q in held)
        reasons.append(f"{needed} expired on {latest.isoformat()}")
    return reasons
