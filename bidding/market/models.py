"""Tables of the intermediary supermarket: qualifications, suspensions, service requests,
registrations, and each request's auction (the engine's state, and every bid received)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.money import Money


class Qualification(Base):
    __tablename__ = "qualifications"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    org_uscc: Mapped[str] = mapped_column(ForeignKey("organizations.uscc"), index=True)
    certificate_type: Mapped[str] = mapped_column(String(64))
    grade: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(64))
    expires_on: Mapped[date] = mapped_column(Date)
    registered_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class OfferedService(Base):
    """A service category an intermediary offers in the supermarket."""

    __tablename__ = "offered_services"
    __table_args__ = (UniqueConstraint("org_uscc", "category"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    org_uscc: Mapped[str] = mapped_column(ForeignKey("organizations.uscc"), index=True)
    category: Mapped[str] = mapped_column(String(16))


class Suspension(Base):
    """An intermediary barred from the supermarket, until lifted."""

    __tablename__ = "intermediary_suspensions"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    org_uscc: Mapped[str] = mapped_column(ForeignKey("organizations.uscc"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    since: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class ServiceRequest(Base):
    """A project owner's call for an intermediary (中介服务项目)."""

    __tablename__ = "service_requests"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    owner_uscc: Mapped[str] = mapped_column(ForeignKey("organizations.uscc"), index=True)
    project_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16), index=True)
    required_grade: Mapped[str | None] = mapped_column(String(32))
    # The least credit score (信用评价, credit/score_rules.py) an intermediary needs to register.
    min_credit_score: Mapped[int | None] = mapped_column(Integer)
    # the local rule that lets a credit score gate a service below mandatory tendering
    min_credit_score_rule: Mapped[str | None] = mapped_column(String(300))
    ceiling: Mapped[Decimal] = mapped_column(Money)
    floor: Mapped[Decimal | None] = mapped_column(Money)
    registration_closes: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    bidding_starts: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    bidding_ends: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    min_participants: Mapped[int] = mapped_column(Integer)
    auction: Mapped[dict[str, Any]] = mapped_column(JSON)  # the auction's rules as posted
    selection_method: Mapped[str] = mapped_column(String(16))
    draw_commitment: Mapped[str | None] = mapped_column(String(64))  # published at posting
    draw_seed: Mapped[str | None] = mapped_column(String(64))  # kept secret until the draw, then shown
    justification: Mapped[str | None] = mapped_column(String(2000))  # of a direct selection
    reposted_from: Mapped[uuid.UUID | None] = mapped_column(GUID)
    status: Mapped[str] = mapped_column(String(16), index=True)
    posted_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    posted_by: Mapped[uuid.UUID] = mapped_column(GUID)


class Registration(Base):
    __tablename__ = "service_registrations"
    __table_args__ = (UniqueConstraint("request_id", "org_uscc"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_requests.id"), index=True)
    org_uscc: Mapped[str] = mapped_column(ForeignKey("organizations.uscc"))
    registered_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    # Rounds auctions: the initial offer given while registering (none: the ceiling), sealed at
    # rest (bidding.market.sealed_offers) with its salted commitment; it orders round 1 and is
    # opened only when the auction starts.
    initial_offer_sealed: Mapped[str | None] = mapped_column(Text)
    initial_offer_commitment: Mapped[str | None] = mapped_column(String(64))


class Auction(Base):
    """The live reverse auction of one request: the engine's state, written under a row lock."""

    __tablename__ = "auctions"

    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_requests.id"), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    winner_uscc: Mapped[str | None] = mapped_column(String(18))
    award_price: Mapped[Decimal | None] = mapped_column(Money)
    savings: Mapped[Decimal | None] = mapped_column(Money)
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class AuctionBid(Base):
    """Every bid received, accepted or not, in server receipt order."""

    __tablename__ = "auction_bids"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auctions.request_id"), index=True)
    org_uscc: Mapped[str] = mapped_column(String(18))
    price: Mapped[Decimal] = mapped_column(Money)
    received_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(300))
    seq: Mapped[int | None] = mapped_column(Integer)


class Assessment(Base):
    """The owner's assessment of the intermediary that served a request (one per request)."""

    __tablename__ = "intermediary_assessments"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_requests.id"), unique=True)
    org_uscc: Mapped[str] = mapped_column(ForeignKey("organizations.uscc"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    quality: Mapped[int | None] = mapped_column(Integer)
    timeliness: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(2000))
    assessed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    assessed_by: Mapped[uuid.UUID] = mapped_column(GUID)
