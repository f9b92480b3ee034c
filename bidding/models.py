"""Tables of sealed bidding: registered public keys, custody shares (encrypted to their
custodians), submitted bids with their receipts, and the opening session's durable state.

Nothing here can decrypt a bid before the opening: bids are stored sealed, the opening key
exists only as shares encrypted to the custodians' own keys, and shares handed in at the
opening are kept only until the session ends.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class RegisteredKey(Base):
    """A public key registered with the platform: an organization's bid-signing key (Ed25519)
    or a user's custody key (X25519). One active key per owner and purpose; rotation retires
    the old one and keeps it, so old signatures stay verifiable."""

    __tablename__ = "registered_keys"
    __table_args__ = (Index("ix_registered_keys_owner", "purpose", "owner"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    purpose: Mapped[str] = mapped_column(String(16))  # "bid_signing" or "custody"
    owner: Mapped[str] = mapped_column(String(64))  # the org's USCC, or the user's id
    public_key: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    registered_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    registered_by: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class CustodyShare(Base):
    """One custodian's share of a tender's opening key, encrypted to the custodian's key."""

    __tablename__ = "custody_shares"
    __table_args__ = (UniqueConstraint("tender_id", "custodian_id"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    custodian_id: Mapped[uuid.UUID] = mapped_column(GUID)
    custodian_role: Mapped[str] = mapped_column(String(32))
    share_index: Mapped[int] = mapped_column(Integer)
    encrypted_share: Mapped[str] = mapped_column(Text)  # base64 HPKE ciphertext
    delivered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class Bid(Base):
    """A sealed bid as received. The newest `submitted` bid of a bidder is the one that counts."""

    __tablename__ = "bids"
    __table_args__ = (
        Index(
            "uq_bids_one_current",
            "tender_id",
            "bidder_uscc",
            unique=True,
            postgresql_where=text("status = 'submitted'"),
            sqlite_where=text("status = 'submitted'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    bidder_uscc: Mapped[str] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    signer_fingerprint: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    submitted_by: Mapped[uuid.UUID] = mapped_column(GUID)
    receipt: Mapped[dict[str, Any]] = mapped_column(JSON)
    ended_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))  # replaced or withdrawn


class OpeningSession(Base):
    """The bid opening (开标) of one tender: its state survives restarts of any process."""

    __tablename__ = "opening_sessions"

    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(24))
    started_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    bidders: Mapped[list[str]] = mapped_column(JSON)
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
    """A bidder's confirmation of, or objection to, the opening record (开标记录)."""

    __tablename__ = "record_responses"
    __table_args__ = (UniqueConstraint("tender_id", "bidder_uscc"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    bidder_uscc: Mapped[str] = mapped_column(String(18))
    response: Mapped[str] = mapped_column(String(16))  # confirmed or objected
    comment: Mapped[str | None] = mapped_column(String(2000))
    responded_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    responded_by: Mapped[uuid.UUID] = mapped_column(GUID)
