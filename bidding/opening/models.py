"""Tables of the opening ceremony: the session, the shares handed in, each bid's opening, the
live events and the bidders' responses to the record."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class OpeningSession(Base):
    """The bid opening (开标) of one tender: its state survives restarts of any process."""

    __tablename__ = "opening_sessions"

    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(24))
    started_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    bidders: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # bid, name, uscc, received_at
    key_rebuilt_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    confirm_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Whoever is decrypting holds the lease; a crashed worker's lease runs out and another resumes.
    lease_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class HandedInShare(Base):
    """A custody share handed in at the opening, sealed at rest; deleted when the record is published."""

    __tablename__ = "handed_in_shares"
    __table_args__ = (UniqueConstraint("tender_id", "share_index"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    custodian_id: Mapped[uuid.UUID] = mapped_column(GUID)
    share_index: Mapped[int] = mapped_column(Integer)
    sealed_share: Mapped[str] = mapped_column(Text)  # never the words in clear (custody.seal_handed_in)
    received_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class BidOpening(Base):
    """The outcome of opening one bid: read out, or refused with its reason and classification."""

    __tablename__ = "bid_openings"

    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bids.id"), primary_key=True)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    bidder_uscc: Mapped[str] = mapped_column(String(18))
    outcome: Mapped[str] = mapped_column(String(16))  # opened, revoked (bidder's fault), withdrawn (platform's)
    reason: Mapped[str | None] = mapped_column(String(500))
    declaration: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    documents: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class OpeningEvent(Base):
    """One step of an opening, in order: what live watchers were sent, kept for late joiners."""

    __tablename__ = "opening_events"
    __table_args__ = (UniqueConstraint("tender_id", "seq"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class RecordResponse(Base):
    """A bidder's confirmation of, or objection to, the opening record (开标记录), and the
    tenderee's answer to an objection, given on the spot (实施条例 art. 44)."""

    __tablename__ = "record_responses"
    __table_args__ = (UniqueConstraint("tender_id", "bidder_uscc"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    bidder_uscc: Mapped[str] = mapped_column(String(18))
    response: Mapped[str] = mapped_column(String(16))  # confirmed or objected
    comment: Mapped[str | None] = mapped_column(String(2000))
    responded_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    responded_by: Mapped[uuid.UUID] = mapped_column(GUID)
    answer: Mapped[str | None] = mapped_column(String(2000))
    answered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    answered_by: Mapped[str | None] = mapped_column(String(100))
