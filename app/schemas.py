"""API contract of the service shell (msgspec Structs), separate from the ORM tables."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from app.models import ROLES_NEEDING_ORG, AuditEvent, Organization, OrgKind, Role, User
from app.money import amount_problem, canonical
from app.validation import EARLIEST_YEAR, LATEST_YEAR, Canonical, Check, FieldError, RequestBody
from credit.uscc import check_uscc


def _uscc_rule(value: str) -> tuple[str, str] | None:
    error = check_uscc(value)
    return None if error is None else (f"uscc.{error.code}", f"not a valid unified social credit code: {error.message}")


USCC = Annotated[
    str, msgspec.Meta(description="18-character unified social credit code (GB 32100-2015)"), Check(_uscc_rule)
]


def _aware(value: datetime) -> tuple[str, str] | None:
    if value.tzinfo is None:
        return ("datetime.naive", "give a time zone, e.g. 2026-12-30T09:30:00+08:00")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return ("datetime.range", f"give a time between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return None


Instant = Annotated[datetime, Check(_aware)]
"""A moment with its time zone, within the years a tender can plausibly name."""

_MONEY = msgspec.Meta(description='CNY, as a decimal string with at most 2 places, e.g. "1250000.00"')
Yuan = Annotated[Decimal, _MONEY, Check(amount_problem), Canonical(canonical)]
"""An amount in yuan greater than 0 (prices, ceilings, budgets, decrements), echoed as "99000.00"."""
YuanOrZero = Annotated[Decimal, _MONEY, Check(lambda v: amount_problem(v, allow_zero=True)), Canonical(canonical)]
"""An amount in yuan that may be 0 (a floor price)."""


def _username_rule(value: str) -> tuple[str, str] | None:
    if _USERNAME.fullmatch(value):
        return None
    return ("username.format", "use 3 to 64 characters: letters, digits, '_', '.' or '-'")


_USERNAME = re.compile(r"[A-Za-z0-9_.\-]{3,64}")
Username = Annotated[str, msgspec.Meta(description="3-64 letters, digits, _ . -"), Check(_username_rule)]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=256, description="at least 10 characters")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class LoginRequest(RequestBody):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class PasswordChange(RequestBody):
    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    new_password: Password


class PasswordReset(RequestBody):
    new_password: Password


class OrgCreate(RequestBody):
    uscc: USCC
    name: Name
    kind: OrgKind
    contact_phone: Annotated[str, msgspec.Meta(max_length=32)] | None = None


class UserCreate(RequestBody):
    username: Username
    password: Password
    roles: Annotated[list[Role], msgspec.Meta(min_length=1)]
    display_name: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    org_uscc: USCC | None = None

    @classmethod
    def cross_field_errors(cls, values: dict[str, Any]) -> list[FieldError]:
        needs_org = sorted(role for role in values.get("roles", []) if role in ROLES_NEEDING_ORG)
        if needs_org and "org_uscc" in values and values["org_uscc"] is None:
            message = f"roles {', '.join(needs_org)} act for an organization: give its USCC"
            return [FieldError("org_uscc", "required_for_role", message)]
        return []


class OrgOut(msgspec.Struct):
    uscc: str
    name: str
    kind: str
    contact_phone: str | None
    created_at: datetime

    @classmethod
    def of(cls, org: Organization) -> OrgOut:
        return cls(org.uscc, org.name, org.kind, org.contact_phone, org.created_at)


class UserOut(msgspec.Struct):
    id: uuid.UUID
    username: str
    display_name: str
    org_uscc: str | None
    roles: list[str]
    is_active: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            user.id, user.username, user.display_name, user.org_uscc, list(user.roles), user.is_active, user.created_at
        )


class LoginResponse(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    user: UserOut


class AuditEventOut(msgspec.Struct):
    seq: int
    occurred_at: datetime
    actor: str
    actor_id: uuid.UUID | None
    org_uscc: str | None
    client_ip: str | None
    action: str
    object_type: str
    object_id: str
    payload_sha256: str
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(
            event.seq,
            event.occurred_at,
            event.actor,
            event.actor_id,
            event.org_uscc,
            event.client_ip,
            event.action,
            event.object_type,
            event.object_id,
            event.payload_sha256,
            event.prev_hash,
            event.hash,
        )


class ComponentHealth(msgspec.Struct):
    ok: bool | None
    detail: str


class HealthOut(msgspec.Struct):
    status: str
    time: datetime
    database: ComponentHealth
    redis: ComponentHealth
    live: ComponentHealth  # live events to watchers (openings, auctions)
