"""Tables of tender filing: the filing (a draft the agency edits), its documents, and its
submission rounds, each with the processing deadline it got and the decision it received."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.money import Money


class Filing(Base):
    __tablename__ = "filings"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    agency_uscc: Mapped[str] = mapped_column(ForeignKey("organizations.uscc"), index=True)
    created_by: Mapped[uuid.UUID] = mapped_column(GUID)
    status: Mapped[str] = mapped_column(String(16), index=True)
    project_name: Mapped[str] = mapped_column(String(200))
    project_type: Mapped[str] = mapped_column(String(32))
    project_code: Mapped[str | None] = mapped_column(String(64))
    tenderee_uscc: Mapped[str | None] = mapped_column(String(18))
    procurement_method: Mapped[str | None] = mapped_column(String(16))
    budget: Mapped[Decimal | None] = mapped_column(Money)
    ceiling_price: Mapped[Decimal | None] = mapped_column(Money)  # 最高投标限价, published with the documents
    reference_price: Mapped[Decimal | None] = mapped_column(Money)  # 标底: secret until the opening
    bid_validity_days: Mapped[int | None] = mapped_column(Integer)  # 投标有效期, from the bid deadline
    state_funded: Mapped[bool | None] = mapped_column(Boolean)  # 国有资金占控股或者主导地位 (Regs art. 55)
    # GP: 技术复杂、专业性强或者社会影响较大 — a committee of at least 7 (87号令 art. 47)
    complex_or_high_impact: Mapped[bool | None] = mapped_column(Boolean)
    invitees: Mapped[list[str] | None] = mapped_column(JSON)  # an invited tender's invitees (USCCs)
    # 投标保证金: the amount asked (None: none), the forms accepted, whether SMEs are exempt
    bond_amount: Mapped[Decimal | None] = mapped_column(Money)
    bond_forms: Mapped[list[str] | None] = mapped_column(JSON)
    bond_sme_exempt: Mapped[bool | None] = mapped_column(Boolean)
    announcement_date: Mapped[date | None] = mapped_column(Date)
    bid_deadline: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    opening_time: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    evaluation_method: Mapped[str | None] = mapped_column(String(32))
    committee_size: Mapped[int | None] = mapped_column(Integer)
    record_window_minutes: Mapped[int | None] = mapped_column(Integer)
    retender_of: Mapped[uuid.UUID | None] = mapped_column(GUID)  # 重新招标: checked by the checklist
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class FilingDocument(Base):
    __tablename__ = "filing_documents"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    filing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("filings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    uploaded_by: Mapped[uuid.UUID] = mapped_column(GUID)


class FilingRound(Base):
    """One submission and its outcome. Rounds are never edited after their decision."""

    __tablename__ = "filing_rounds"
    __table_args__ = (UniqueConstraint("filing_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    filing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("filings.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    project_type: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    submitted_by: Mapped[uuid.UUID] = mapped_column(GUID)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)  # the filing and documents as submitted
    working_days: Mapped[int] = mapped_column(Integer)
    deadline_day: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    provisional: Mapped[bool] = mapped_column(Boolean)
    overdue_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decided_by: Mapped[uuid.UUID | None] = mapped_column(GUID)
    decided_by_name: Mapped[str | None] = mapped_column(String(64))
    notice: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)  # deficiency items of a return
    comment: Mapped[str | None] = mapped_column(String(2000))
