"""API contract of the evaluation (评标): request bodies as msgspec Structs. Answers are the
plain JSON the services build (committee names only where the confidentiality rule allows)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from app.core.validation import FieldError, Instant, RequestBody, Yuan
from experts.assessment import RECOMMEND_ONLY, AssessmentRule
from experts.draw import Quota, Rules

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
BidId = Annotated[str, msgspec.Meta(min_length=1, max_length=36)]


class QuotaIn(msgspec.Struct, forbid_unknown_fields=True):
    specialty: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    members: Annotated[int, msgspec.Meta(ge=1, le=25)]
    reserves: Annotated[int, msgspec.Meta(ge=0, le=25)] = 2


class DrawEntryIn(RequestBody):
    """A supervisor's value for the draw's final seed (e.g. digits read from a die, or any phrase
    of their own): entered after the commitment, it is what the platform could not know."""

    entry: Annotated[str, msgspec.Meta(min_length=6, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


class DrawIn(RequestBody):
    """The draw of the tender's committee: when, for which evaluation day, the quotas per
    specialty (their members add up to the committee), the reserves, the optional region rule."""

    draw_at: Instant
    evaluation_on: date
    quotas: Annotated[list[QuotaIn], msgspec.Meta(min_length=1, max_length=10)]
    region_rule: Literal["local", "other"] | None = None
    region: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None
    # seats left to the purchaser's representatives, named by the agency (at most a third)
    representatives: Annotated[int, msgspec.Meta(ge=0, le=10)] = 0

    def rules(self) -> Rules:
        return Rules(
            tuple(Quota(q.specialty, q.members, q.reserves) for q in self.quotas), self.region_rule, self.region
        )


class DeclineIn(RequestBody):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)] | None = None


class DeclarationIn(RequestBody):
    """回避声明: no conflict of interest with any bidder (false), or one (true, with a statement)."""

    conflict: bool
    statement: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class ScoresIn(RequestBody):
    """Your whole sheet: {bid id: {item id: "12.5" (scored items) | true/false (pass/fail)}}."""

    scores: dict[BidId, dict[Annotated[str, msgspec.Meta(max_length=64)], str | bool]]
    submit: bool = False


class ExplanationIn(RequestBody):
    bid: BidId
    explanation: Text


class TieIn(RequestBody):
    order: Annotated[list[BidId], msgspec.Meta(min_length=2, max_length=200)]
    reason: Text


class PriceDecisionIn(RequestBody):
    """The committee's decision on a price suspected below cost (实施条例 art. 51 (五))."""

    bid: BidId
    decision: Literal["reject", "accept"]
    reason: Text


class CandidateDecisionIn(RequestBody):
    """The committee's decision on a candidate the credit check flagged (实施条例 art. 56)."""

    bid: BidId
    decision: Literal["disqualify", "keep"]
    reason: Text


class ReviewSignatureIn(RequestBody):
    decision: Literal["sign", "dissent"]
    reason: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class PriceAnswerIn(RequestBody):
    """A bidder's written clarification of its price (实施条例 art. 52)."""

    answer: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class SignatureIn(RequestBody):
    decision: Literal["sign", "dissent", "refuse"]
    reason: Text | None = None


class CorrectionIn(RequestBody):
    bid: BidId
    item: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    value: str | bool
    case: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    reason: Text


class ReReviewIn(RequestBody):
    """Government procurement: the original committee re-reviews its signed report for a case of
    MOF order 87 art. 64."""

    case: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    reason: Annotated[str, msgspec.Meta(max_length=2000)]


class RatingIn(RequestBody):
    seat: uuid.UUID
    score: Annotated[int, msgspec.Meta(ge=0, le=100)]
    comment: Annotated[str, msgspec.Meta(max_length=1000)] | None = None


class BlockIn(msgspec.Struct, forbid_unknown_fields=True):
    starts_on: date
    ends_on: date


class UnavailabilityIn(RequestBody):
    blocks: Annotated[list[BlockIn], msgspec.Meta(max_length=200)]

    @classmethod
    def cross_field_errors(cls, values: dict[str, Any]) -> list[FieldError]:
        return [
            FieldError(f"blocks[{i}].ends_on", "before_start", "a block ends on or after the day it starts")
            for i, b in enumerate(values.get("blocks") or [])
            if b.ends_on < b.starts_on
        ]


class RuleIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    action: Literal["suspend", "dismiss", "recommend"]
    incident: Literal["abnormal_score", "decline_without_cause", "no_show"] | None = None
    count: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    window_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] = 365
    average_below: Decimal | None = None  # 0–100, checked with the other rules
    min_ratings: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 1
    suspend_days: Annotated[int, msgspec.Meta(ge=0, le=3650)] = 0


class RulesIn(RequestBody):
    rules: Annotated[list[RuleIn], msgspec.Meta(max_length=50)]

    @classmethod
    def cross_field_errors(cls, values: dict[str, Any]) -> list[FieldError]:
        errors = []
        for i, r in enumerate(values.get("rules") or []):
            if (r.incident is None) == (r.average_below is None):
                errors.append(
                    FieldError(f"rules[{i}]", "one_trigger", "a rule counts incidents or looks at the average rating")
                )
            if r.average_below is not None and not (r.average_below.is_finite() and 0 <= r.average_below <= 100):
                errors.append(FieldError(f"rules[{i}].average_below", "range", "an average rating from 0 to 100"))
            if r.incident is not None and r.count < 1:
                errors.append(FieldError(f"rules[{i}].count", "range", "a counting rule counts at least 1"))
            if r.incident in RECOMMEND_ONLY and r.action != "recommend":
                message = "abnormal scores lead to a recommendation to the pool's managing department only"
                errors.append(FieldError(f"rules[{i}].action", "recommend_only", message))
        return errors

    def assessment_rules(self) -> list[AssessmentRule]:
        return [
            AssessmentRule(
                r.code, r.action, r.incident, r.count, r.window_days, r.average_below, r.min_ratings, r.suspend_days
            )
            for r in self.rules
        ]


class ExclusionIn(msgspec.Struct, forbid_unknown_fields=True):
    bid: str
    reason: Annotated[str, msgspec.Meta(max_length=2000)]


class ConsultationRoundIn(RequestBody):
    """A round of 竞争性磋商: the terms the panel changed (for the purchaser to confirm) and the
    suppliers it excludes, each with its reason."""

    changes: Annotated[str, msgspec.Meta(max_length=4000)] | None = None
    excluded: Annotated[list[ExclusionIn], msgspec.Meta(max_length=200)] = msgspec.field(default_factory=list)


class RoundConfirmationIn(RequestBody):
    """The purchaser's written confirmation (or refusal) of a round's changed terms."""

    confirmed: bool
    text: Annotated[str, msgspec.Meta(max_length=2000)]


class FinalQuotesIn(RequestBody):
    until: Instant


class FinalQuoteIn(RequestBody):
    price: Yuan


class ConsultationCloseIn(RequestBody):
    """The case of 财库〔2015〕124号 that lets the consultation go on with 2 final suppliers, if any."""

    listed_case: Literal["government_services", "research", "tech_transfer"] | None = None


class ChairIn(RequestBody):
    """The seat of the chair (组长) the committee elected."""

    seat: uuid.UUID


class RepresentativeIn(RequestBody):
    """A login of the tenderee with the expert role, named to a representative's seat."""

    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
