"""API contract of the opening (msgspec Structs), separate from the ORM tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from app.core.validation import RequestBody


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


class ObjectionAnswerIn(RequestBody):
    """The tenderee's answer, on the spot, to an objection at the opening (实施条例 art. 44)."""

    answer: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
