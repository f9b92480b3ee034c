"""API contract of sealed bidding (msgspec Structs)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from app.validation import RequestBody
from bidding.models import Bid, RegisteredKey


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

    @classmethod
    def of(cls, b: Bid) -> BidOut:
        return cls(b.id, b.tender_id, b.bidder_uscc, b.status, b.sha256, b.size, b.received_at, b.receipt)


class ShareIn(RequestBody):
    share: Annotated[str, msgspec.Meta(min_length=20, max_length=2000, description="your share's words")]


class RecordResponseIn(RequestBody):
    response: Annotated[str, msgspec.Meta(pattern="^(confirmed|objected)$")]
    comment: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class OpeningStateOut(msgspec.Struct):
    tender_id: uuid.UUID
    status: str
    started_at: datetime
    bidders: list[dict[str, Any]]
    threshold: int | None
    shares_from: list[str]
    key_rebuilt_at: datetime | None
    results: list[dict[str, Any]]
    record: dict[str, Any] | None
    confirm_until: datetime | None
    responses: list[dict[str, Any]]
