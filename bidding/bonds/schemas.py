"""API contract of bonds (msgspec Structs): a bidder's bond, the tenderee's forfeiture, the
performance bond, the settlement bank's refund answers."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec

from app.core.validation import RequestBody, Yuan
from bidding.bonds.guarantee import GuarantorKind
from bidding.bonds.rules import ForfeitReason
from bidding.filing.checklist import BondForm


class BondIn(RequestBody):
    """How the bidder posts its bond; a transfer names the bidder's basic deposit account."""

    form: BondForm
    basic_account: Annotated[str, msgspec.Meta(max_length=40)] | None = None


class ForfeitIn(RequestBody):
    reason: ForfeitReason
    note: Annotated[str, msgspec.Meta(max_length=2000)]


class PerformanceBondIn(RequestBody):
    amount: Yuan
    form: BondForm


class RefundAnswer(msgspec.Struct, forbid_unknown_fields=True):
    """The bank's answer to a refund instruction (in a signed callback)."""

    type: Literal["refund_result"]
    key: Annotated[str, msgspec.Meta(max_length=64)]
    result: Literal["paid", "rejected"]
    bank_ref: Annotated[str, msgspec.Meta(max_length=64)] = ""
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class GuarantorIn(RequestBody):
    """A guarantor the centre registers: its USCC, name, kind, Ed25519 public key (base64) and,
    if it takes applications through the platform, its API address."""

    uscc: Annotated[str, msgspec.Meta(min_length=18, max_length=18)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: GuarantorKind
    public_key: Annotated[str, msgspec.Meta(max_length=64)]
    endpoint: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class GuaranteeApplicationIn(RequestBody):
    guarantor: uuid.UUID
