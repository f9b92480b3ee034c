"""Tables of the service shell: organizations (keyed by their USCC), users and the audit trail.

Timestamps are set from the injected clock by the services, never by column defaults, so a
test that moves the clock sees it everywhere.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.actor import Role
from app.core.db import Base


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
    # The legal representative (法定代表人), checked against the credit lists' person entries by
    # the keyed hash of the resident ID (app.core.resident_id): never the number itself.
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    legal_representative_hash: Mapped[str | None] = mapped_column(String(64))


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
