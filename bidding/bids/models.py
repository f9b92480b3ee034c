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

from app.core.db import Base


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
    # A consortium bid (联合体投标): the other members' USCCs, declared in clear at submission so
    # that each is credit-checked (one member's record counts for the consortium).
    consortium: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
