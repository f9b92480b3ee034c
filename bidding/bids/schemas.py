"""API contract of sealed bidding (msgspec Structs)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from app.core.gates import GateAnswer
from app.core.validation import RequestBody
from bidding.bids.models import Bid, RegisteredKey


class KeyIn(RequestBody):
    public_key: Annotated[str, msgspec.Meta(min_length=10, max_length=4000, description="the .pub file's line")]


class KeyOut(msgspec.Struct):
    id: uuid.UUID
    purpose: str
    owner: str
    public_key: str
    fingerprint: str
    registered_at: datetime
    retired_at: datetime | None

    @classmethod
    def of(cls, k: RegisteredKey) -> KeyOut:
        return cls(k.id, k.purpose, k.owner, k.public_key, k.fingerprint, k.registered_at, k.retired_at)


class OpeningKeyOut(msgspec.Struct):
    tender_id: uuid.UUID
    public_key: str
    custody_threshold: int
    custodians: list[str]


class ShareOut(msgspec.Struct):
    tender_id: uuid.UUID
    share_index: int
    custodian_role: str
    encrypted_share: str


class BidOut(msgspec.Struct):
    id: uuid.UUID
    tender_id: uuid.UUID
    bidder_uscc: str
    status: str
    sha256: str
    size: int
    received_at: datetime
    receipt: dict[str, Any]
    consortium: list[str] = msgspec.field(default_factory=list)
    # What the credit check before the submission found (a warning never refuses a bid).
    credit: dict[str, Any] | None = None

    @classmethod
    def of(cls, b: Bid, credit: GateAnswer | None = None) -> BidOut:
        shown = {"outcome": credit.outcome, "findings": list(credit.findings)} if credit else None
        return cls(
            b.id,
            b.tender_id,
            b.bidder_uscc,
            b.status,
            b.sha256,
            b.size,
            b.received_at,
            b.receipt,
            list(b.consortium or []),
            shown,
        )
