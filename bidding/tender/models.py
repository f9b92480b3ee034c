"""The tender table: what bidders see once a filing is accepted, with its timeline."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.money import Money


class Tender(Base):
    __tablename__ = "tenders"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    filing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("filings.id"), unique=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    project_name: Mapped[str] = mapped_column(String(200))
    project_code: Mapped[str] = mapped_column(String(64))
    project_type: Mapped[str] = mapped_column(String(32))
    procurement_method: Mapped[str] = mapped_column(String(16))
    tenderee_uscc: Mapped[str] = mapped_column(String(18))
    agency_uscc: Mapped[str] = mapped_column(String(18), index=True)
    budget: Mapped[Decimal] = mapped_column(Money)
    evaluation_method: Mapped[str] = mapped_column(String(32))
    committee_size: Mapped[int] = mapped_column(Integer)
    announcement_date: Mapped[date] = mapped_column(Date)
    bid_deadline: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    opening_time: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    published_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    # Sealed bidding: the published opening key, its custody, and the opening record's window.
    # Empty only for tenders published before sealed bidding existed; those take no bids.
    opening_public_key: Mapped[str | None] = mapped_column(Text)
    custody_set_id: Mapped[int | None] = mapped_column(Integer)
    custody_threshold: Mapped[int | None] = mapped_column(Integer)
    record_window_minutes: Mapped[int | None] = mapped_column(Integer)
