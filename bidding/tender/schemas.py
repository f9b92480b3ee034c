"""API contract of tenders (msgspec Structs), separate from the ORM table."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from app.core.validation import Instant, RequestBody
from bidding.tender.amendments import AmendmentKind
from bidding.tender.models import Tender
from bidding.tender.regime import regime_of


class TenderOut(msgspec.Struct):
    id: uuid.UUID
    status: str
    project_name: str
    project_code: str
    project_type: str
    regime: str  # tendering or government_procurement, by the project type (bidding/tender/regime.py)
    procurement_method: str
    tenderee_uscc: str
    agency_uscc: str
    budget: Decimal
    ceiling_price: Decimal | None  # 最高投标限价, published; the 标底 is not shown before the opening
    bid_validity_days: int | None  # 投标有效期 from the bid deadline (GET …/validity: its end and extensions)
    state_funded: bool | None  # state funds control it: the award takes rank 1 (Regs art. 55)
    evaluation_method: str
    committee_size: int
    announcement_date: date
    bid_deadline: datetime
    opening_time: datetime
    published_at: datetime
    record_window_minutes: int | None
    retender_of: uuid.UUID | None  # the failed or cancelled tender this one re-tenders (重新招标)
    # 投标保证金: the amount, the forms, SMEs exempt, valid as long as the bids (None: none asked)
    bond: dict[str, Any] | None = None

    @classmethod
    def of(cls, t: Tender) -> TenderOut:
        return cls(
            t.id,
            t.status,
            t.project_name,
            t.project_code,
            t.project_type,
            regime_of(t.project_type),
            t.procurement_method,
            t.tenderee_uscc,
            t.agency_uscc,
            t.budget,
            t.ceiling_price,
            t.bid_validity_days,
            t.state_funded,
            t.evaluation_method,
            t.committee_size,
            t.announcement_date,
            t.bid_deadline,
            t.opening_time,
            t.published_at,
            t.record_window_minutes,
            t.retender_of,
            None
            if t.bond_amount is None
            else {
                "amount": str(t.bond_amount),
                "forms": t.bond_forms or [],
                "sme_exempt": bool(t.bond_sme_exempt),
                "valid_days": t.bid_validity_days,
            },
        )


class AmendmentIn(RequestBody):
    """A clarification or change (澄清/修改) of the tender documents."""

    kind: AmendmentKind
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=20000)]
    documents: Annotated[
        list[uuid.UUID], msgspec.Meta(max_length=50, description="revised documents uploaded first")
    ] = msgspec.field(default_factory=list)
    bid_deadline: Annotated[Instant | None, msgspec.Meta(description="a later deadline than the 15-day rule gives")] = (
        None
    )
