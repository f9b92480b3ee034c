"""API contract of the award (msgspec Structs): objections and complaints, answers, the refusal
of an award, the contract, the bid-bond refund, cancellation."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

import msgspec

from app.core.validation import RequestBody, Yuan


class ObjectionIn(msgspec.Struct, forbid_unknown_fields=True):
    grounds: Annotated[str, msgspec.Meta(max_length=4000)]
    attachments: Annotated[list[uuid.UUID], msgspec.Meta(max_length=20)] = []
    # an objector to the candidates that did not bid states its interest (实施条例 art. 54)
    interest: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class ProcedureQuestionIn(RequestBody):
    """Government procurement: a 质疑 on a stage of the procedure, within 7 working days of its end."""

    stage: Literal["opening", "evaluation"]
    grounds: Annotated[str, msgspec.Meta(max_length=4000)]
    attachments: Annotated[list[uuid.UUID], msgspec.Meta(max_length=20)] = msgspec.field(default_factory=list)


class ComplaintIn(RequestBody):
    """A complaint without an objection before it: on the opening (after the objection answered
    there) or on another matter, within 10 days of `known_on` (实施条例 art. 60)."""

    matter: Literal["documents", "opening", "candidates", "other"]
    grounds: Annotated[str, msgspec.Meta(max_length=4000)]
    known_on: date | None = None
    attachments: Annotated[list[uuid.UUID], msgspec.Meta(max_length=20)] = msgspec.field(default_factory=list)


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Literal["dismissed", "reevaluation", "disqualification", "amended", "upheld"]
    answer: Annotated[str, msgspec.Meta(max_length=4000)]
    disqualified_bid: str | None = None
    amendment: Annotated[int, msgspec.Meta(ge=1, le=10_000)] | None = None  # an upheld objection to the documents


class ExcludedTimeIn(RequestBody):
    """Time excluded from a complaint's decision period (实施条例 art. 61 ¶3), both days counted."""

    kind: Literal["inspection", "testing", "appraisal", "expert_review"]
    start: date = msgspec.field(name="from")
    end: date = msgspec.field(name="to")
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class SuspensionIn(RequestBody):
    """Order the tendering activity suspended while a complaint is handled, or lift the order."""

    suspend: bool
    reason: Annotated[str, msgspec.Meta(max_length=2000)]


class AcceptanceIn(RequestBody):
    accept: bool
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=2000)]


class ContractIn(msgspec.Struct, forbid_unknown_fields=True):
    document: uuid.UUID
    amount: Yuan
    signed_on: date
    starts_on: date
    ends_on: date
    # why the contract departs from the award (amount or term), required when it does
    difference_reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class ContractFilingIn(msgspec.Struct, forbid_unknown_fields=True):
    """GP: the contract's filing (备案) with the finance department, its day and number."""

    filed_on: date
    number: Annotated[str, msgspec.Meta(max_length=100)]


class DecisionIn(RequestBody):
    """The tenderee's award decision: `{"bid": "<candidate>", "reason": "…"}` or `{"retender": true, "reason": "…"}`."""

    bid: Annotated[str, msgspec.Meta(min_length=1, max_length=36)] | None = None
    retender: bool = False
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class ValidityExtensionIn(RequestBody):
    """Ask the bidders to extend their bids' validity to 24:00 of `until` (实施条例 art. 25)."""

    until: date
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class ValidityAnswerIn(RequestBody):
    consent: bool
