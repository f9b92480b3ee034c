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


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Literal["dismissed", "reevaluation", "disqualification"]
    answer: Annotated[str, msgspec.Meta(max_length=4000)]
    disqualified_bid: str | None = None


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


class BondRefundIn(msgspec.Struct, forbid_unknown_fields=True):
    refunded_on: date


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
