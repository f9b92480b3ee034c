"""Tables of the award: a tender's award file (its checked candidates, the publicity), the
objections and complaints, the awards with their contracts, cancellation requests, and the
documents uploaded for them (objections' attachments, the signed contract)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.money import Money


class AwardFile(Base):
    """A tender's candidates as the credit check settled them, and their publicity (公示)."""

    __tablename__ = "award_files"

    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), primary_key=True)
    # [{rank, bid, bidder, uscc, price, total}] in rank order; a disqualified one is removed
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    disqualified: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # by objections: [{bid, objection}]
    settled_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    publish_by: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    publicity_round: Mapped[int] = mapped_column(Integer, default=0)
    publicity_started_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    publicity_ends_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), index=True)
    committee: Mapped[list[str] | None] = mapped_column(JSON)  # the members' names, published with them
    decision_reminded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    retender_reason: Mapped[str | None] = mapped_column(String(2000))  # the tenderee decided to re-tender
    # The written report to the supervision department (招标投标法 art. 47), as submitted
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report_submitted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    report_late_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))  # flagged by the sweep
    # Government procurement: the purchaser confirms by this (5 working days), else the first is deemed
    # confirmed; the result notice (中标结果公告, with the committee's names) is published then.
    confirm_by: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), index=True)
    result_published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class AwardDocument(Base):
    """A document uploaded for the award (an objection's attachment, the signed contract)."""

    __tablename__ = "award_documents"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    org_uscc: Mapped[str] = mapped_column(String(18))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    uploaded_by: Mapped[str] = mapped_column(String(100))


class Objection(Base):
    """An objection (异议) to the tenderee — to the documents, or to the candidates during their
    publicity — or a complaint (投诉) to the supervisors, after an objection (`parent_id`) or direct
    on another matter: accepted or not within 3 working days (`accepted_at`), decided within 30
    working days of its acceptance plus the excluded time (`due_at` moves)."""

    __tablename__ = "award_objections"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # objection or complaint
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("award_objections.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    raised_by_uscc: Mapped[str] = mapped_column(String(18))
    raised_by: Mapped[str] = mapped_column(String(100))
    grounds: Mapped[str] = mapped_column(String(4000))
    attachments: Mapped[list[str]] = mapped_column(JSON)  # award document ids
    raised_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    overdue_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    answered_by: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(String(20))
    answer: Mapped[str | None] = mapped_column(String(4000))
    disqualified_bid: Mapped[str | None] = mapped_column(String(36))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))  # a complaint's acceptance
    # What it is about: documents (art. 22), opening (art. 44), candidates (art. 54) or other
    matter: Mapped[str] = mapped_column(String(16), default="candidates", server_default="candidates")
    interest: Mapped[str | None] = mapped_column(String(2000))  # an objector that did not bid states it
    known_on: Mapped[date | None] = mapped_column(Date)  # a direct complaint: the day its matter was known
    amendment_number: Mapped[int | None] = mapped_column(Integer)  # the amendment an upheld document objection cites
    # A complaint's excluded time (inspection, expert opinions): [{kind, from, to, working_days, reason, by, at}]
    excluded: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    suspended_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))  # a suspension order
    suspension_reason: Mapped[str | None] = mapped_column(String(2000))
    suspension_lifted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # government procurement: the order lapses 30 days after it was first given (政府采购法 art. 57)
    suspension_ends_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), index=True)


class Award(Base):
    """The award to one candidate (中标通知书) and, once signed, its contract (合同)."""

    __tablename__ = "awards"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    bid_id: Mapped[str] = mapped_column(String(36))
    bidder_uscc: Mapped[str] = mapped_column(String(18))
    bidder: Mapped[str] = mapped_column(String(200))
    candidate_rank: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(16), index=True)
    awarded_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    sign_by: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    late_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))  # flagged by the sweep
    declined_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decline_reason: Mapped[str | None] = mapped_column(String(2000))
    declined_by: Mapped[str | None] = mapped_column(String(100))
    contract_document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("award_documents.id"))
    contract_amount: Mapped[Decimal | None] = mapped_column(Money)
    contract_signed_on: Mapped[date | None] = mapped_column(Date)
    contract_starts_on: Mapped[date | None] = mapped_column(Date)
    contract_ends_on: Mapped[date | None] = mapped_column(Date)
    contract_recorded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(String(2000))  # why not the first remaining candidate
    decided_by: Mapped[str | None] = mapped_column(String(100))  # the tenderee's agency user who decided
    contract_differences: Mapped[list[str] | None] = mapped_column(JSON)  # where the contract departs from the award
    # Government procurement: the contract published within 2 working days of signing (the platform
    # publishes it when it is recorded) and filed (备案) with the finance department within 7
    contract_publish_by: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    contract_file_by: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), index=True)
    contract_filed_on: Mapped[date | None] = mapped_column(Date)
    contract_filing_number: Mapped[str | None] = mapped_column(String(100))
    contract_filing_late_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    contract_difference_reason: Mapped[str | None] = mapped_column(String(2000))


class ValidityExtension(Base):
    """The tenderee's request that bidders extend their bids' validity to 24:00 of `until`
    (实施条例 art. 25); each bidder answers for itself (`ValidityConsent`)."""

    __tablename__ = "validity_extensions"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    until: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(2000))
    requested_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    requested_by: Mapped[str] = mapped_column(String(100))


class ValidityConsent(Base):
    """A bidder's answer to an extension: consent extends its bid (unchanged in substance);
    a refusal lets it lapse at the end of the validity it had (its bond is returned)."""

    __tablename__ = "validity_consents"

    extension_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("validity_extensions.id"), primary_key=True)
    bidder_uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    consent: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    answered_by: Mapped[str] = mapped_column(String(100))


class Cancellation(Base):
    """The agency's request to cancel a tender, with its reason, and a supervisor's decision."""

    __tablename__ = "tender_cancellations"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(2000))
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    note: Mapped[str | None] = mapped_column(String(2000))
