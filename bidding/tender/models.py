"""Tables of published tenders: the tender with its timeline; its clarifications and changes
(澄清/修改) with the documents added by them; who downloaded the documents (the holders an
amendment is sent to); bidders' confirmations of bids sealed before an amendment."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
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
    ceiling_price: Mapped[Decimal | None] = mapped_column(Money)  # 最高投标限价: public (Regs art. 27)
    reference_price: Mapped[Decimal | None] = mapped_column(Money)  # 标底: secret, read out at the opening
    bid_validity_days: Mapped[int | None] = mapped_column(Integer)  # 投标有效期 (Regs art. 25); None: filed before it
    # 投标保证金 (Regs art. 26; GPR art. 33): the amount (None: none asked), the forms it may take,
    # whether small and medium enterprises are exempt; it is valid as long as the bids
    bond_amount: Mapped[Decimal | None] = mapped_column(Money)
    bond_forms: Mapped[list[str] | None] = mapped_column(JSON)
    bond_sme_exempt: Mapped[bool | None] = mapped_column(Boolean)
    validity_reminded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    state_funded: Mapped[bool | None] = mapped_column(Boolean)  # the award takes rank 1 (Regs art. 55)
    invitees: Mapped[list[str] | None] = mapped_column(JSON)  # invited tender: only they bid (Law art. 17)
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
    # A re-tender (重新招标) names the failed or cancelled tender it replaces; one re-tender each.
    retender_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenders.id"), unique=True)
    # Held (暂停): the opening waits and the tenderee's award steps are refused while an objection to
    # the documents awaits its answer (实施条例 art. 22) or a suspension order stands (art. 62).
    held_since: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    holds: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # bidding.tender.holds


class TenderAmendment(Base):
    """A clarification or change of the tender documents, numbered from 1 per tender."""

    __tablename__ = "tender_amendments"
    __table_args__ = (UniqueConstraint("tender_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    issued_by: Mapped[str] = mapped_column(String(100))
    deadline_before: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    deadline_after: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the revised documents it publishes


class TenderDocument(Base):
    """A document the agency uploads after publication; bidders see it once an amendment cites it."""

    __tablename__ = "tender_documents"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    amendment_number: Mapped[int | None] = mapped_column(Integer)  # None: not published yet


class DocumentDownload(Base):
    """A bidder that obtained the tender documents (获取招标文件): an amendment's recipient."""

    __tablename__ = "tender_downloads"

    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), primary_key=True)
    bidder_uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    first_downloaded_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class BidConfirmation(Base):
    """A bidder confirms its bid, sealed before amendment `number`, stands as it is."""

    __tablename__ = "bid_confirmations"

    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bids.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    confirmed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    confirmed_by: Mapped[str] = mapped_column(String(100))
