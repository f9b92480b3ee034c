"""Tables of the service shell: organizations (keyed by their USCC), users and the audit trail.

Timestamps are set from the injected clock by the services, never by column defaults, so a
test that moves the clock sees it everywhere.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base


class Role(enum.StrEnum):
    agency = "agency"
    bidder = "bidder"
    intermediary = "intermediary"
    expert = "expert"
    supervisor = "supervisor"
    admin = "admin"


# Roles whose users act for an organization and so must belong to one.
ROLES_NEEDING_ORG = frozenset({Role.agency, Role.bidder, Role.intermediary})


class OrgKind(enum.StrEnum):
    trading_centre = "trading_centre"
    supervision = "supervision"
    agency = "agency"
    tenderee = "tenderee"
    bidder = "bidder"
    intermediary = "intermediary"
    other = "other"


class Organization(Base):
    __tablename__ = "organizations"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    org_uscc: Mapped[str | None] = mapped_column(ForeignKey("organizations.uscc"), index=True)
    roles: Mapped[list[str]] = mapped_column(JSON)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    # Tokens carry the generation they were issued in; changing or resetting the password, or
    # deactivating the user, moves it on and so revokes every token issued before.
    token_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    org: Mapped[Organization | None] = relationship(lazy="raise")

    def has_role(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)


class CalendarYear(Base):
    """An official holiday schedule loaded by an admin for a year (法定节假日 and 调休上班)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list[str]] = mapped_column(JSON)  # ISO dates
    workdays: Mapped[list[str]] = mapped_column(JSON)  # ISO dates of adjusted working days
    loaded_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    loaded_by: Mapped[str] = mapped_column(String(64))


class Notification(Base):
    """A message for a role's desk (and optionally one user), e.g. a filing gone overdue.
    `dedupe_key` makes recording the same notification twice impossible."""

    __tablename__ = "notifications"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    audience_role: Mapped[str] = mapped_column(String(32))
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(GUID)
    kind: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(1000))
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)


class AuditEvent(Base):
    """One link of the hash chain. Rows are only ever inserted (a trigger enforces it on PostgreSQL)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    # Assigned by the appender, gapless: a deleted row shows up as a gap.
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(GUID)
    actor: Mapped[str] = mapped_column(String(64))
    org_uscc: Mapped[str | None] = mapped_column(String(18))
    client_ip: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def chain_fields(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "occurred_at": self.occurred_at,
            "actor_id": self.actor_id,
            "actor": self.actor,
            "org_uscc": self.org_uscc,
            "client_ip": self.client_ip,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "payload_sha256": self.payload_sha256,
            "prev_hash": self.prev_hash,
        }


class SignInThrottle(Base):
    """Sign-in attempts counted per account name and per client address (`key`), whether the
    account exists or not. An attempt reserves its place before the password is checked, so
    concurrent attempts cannot exceed the limit; a successful one gives its place back."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    last_attempt_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class RevokedToken(Base):
    """A sign-in token ended by its holder (logout) before it expired."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(GUID, index=True)
    revoked_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
