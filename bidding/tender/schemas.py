"""API contract of tenders (msgspec Structs), separate from the ORM table."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import msgspec

from bidding.tender.models import Tender


class TenderOut(msgspec.Struct):
    id: uuid.UUID
    status: str
    project_name: str
    project_code: str
    project_type: str
    procurement_method: str
    tenderee_uscc: str
    agency_uscc: str
    budget: Decimal
    evaluation_method: str
    committee_size: int
    announcement_date: date
    bid_deadline: datetime
    opening_time: datetime
    published_at: datetime
    record_window_minutes: int | None

    @classmethod
    def of(cls, t: Tender) -> TenderOut:
        return cls(
            t.id,
            t.status,
            t.project_name,
            t.project_code,
            t.project_type,
            t.procurement_method,
            t.tenderee_uscc,
            t.agency_uscc,
            t.budget,
            t.evaluation_method,
            t.committee_size,
            t.announcement_date,
            t.bid_deadline,
            t.opening_time,
            t.published_at,
            t.record_window_minutes,
        )
