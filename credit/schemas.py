"""API contract of joint credit penalties (联合惩戒): request bodies as msgspec Structs. Answers
are the plain JSON the services build (never a resident ID: only hashes, abridged)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

from app.core.validation import RequestBody

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Measure = Literal["bar_bidding", "bar_winning", "bar_expert", "bar_agency", "warning"]
CheckRole = Literal["bidder", "candidate", "expert", "intermediary", "agency"]


class RuleIn(RequestBody):
    """A memorandum's rule for one list: its measures, how long they last (days; null: as long as
    the subject is listed) and the legal basis every measure names."""

    measures: Annotated[list[Measure], msgspec.Meta(min_length=1, max_length=5)]
    legal_basis: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    duration_days: int | None = None


class ListSettingsIn(RequestBody):
    max_age_days: Annotated[int, msgspec.Meta(ge=1, le=3650)]


class SubjectIn(msgspec.Struct, forbid_unknown_fields=True):
    """One subject: exactly one of `uscc`, `person_id` (the 18-digit resident ID: hashed at once,
    never kept) or `name`; `role` says in which context it is checked (default: a candidate
    winner). A name alone is an organization's unless `kind` says person."""

    uscc: Annotated[str, msgspec.Meta(max_length=18)] | None = None
    person_id: Annotated[str, msgspec.Meta(max_length=18)] | None = None
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    role: CheckRole = "candidate"
    kind: Literal["organization", "person"] | None = None


class CheckIn(RequestBody):
    at: date
    subjects: Annotated[list[SubjectIn], msgspec.Meta(min_length=1, max_length=1000)]


class ReviewDecisionIn(RequestBody):
    decision: Literal["confirm", "dismiss"]
    reason: Text


class BreachIn(RequestBody):
    """A breach of the credit commitment (信用承诺) found by an officer: whose, what, about which
    tender or service request, and for how long (days; default: the platform rule's duration)."""

    uscc: Annotated[str, msgspec.Meta(min_length=18, max_length=18)]
    kind: Literal[
        "false_material", "withdrawal_after_deadline", "refused_award", "refused_contract", "abandoned_service"
    ]
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    note: Text
    days: Annotated[int, msgspec.Meta(ge=1, le=36500)] | None = None


class EndEarlyIn(RequestBody):
    reason: Text


class WeightIn(msgspec.Struct, forbid_unknown_fields=True):
    factor: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    points: int
    cap: int
    window_days: int | None = None


class WeightsIn(RequestBody):
    weights: Annotated[list[WeightIn], msgspec.Meta(min_length=1, max_length=20)]


Bar = Literal["bar_bidding", "bar_winning", "bar_expert", "bar_agency"]


class AuthorityDecisionIn(RequestBody):
    """A competent authority's decision on a platform-list entry (实施条例 arts. 67–68): who decided,
    its number and day, the measures and the last day they apply (null: as long as listed), the
    legal basis, and the decision document (uploaded first: POST /api/v1/credit/documents)."""

    authority: Annotated[str, msgspec.Meta(max_length=200)]
    number: Annotated[str, msgspec.Meta(max_length=100)]
    decided_on: date
    measures: Annotated[list[Bar], msgspec.Meta(max_length=4)]
    legal_basis: Annotated[str, msgspec.Meta(max_length=300)]
    document_sha256: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]
    until: date | None = None


class StatementIn(RequestBody):
    """The subject's statement (陈述申辩) on a platform entry, before it takes effect."""

    text: Annotated[str, msgspec.Meta(max_length=4000)]


class RepairIn(RequestBody):
    """A credit-repair application (信用修复) for an entry about the applicant's organization."""

    entry: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
    text: Annotated[str, msgspec.Meta(max_length=4000)]


class RepairDecisionIn(RequestBody):
    grant: bool
    reason: Text
