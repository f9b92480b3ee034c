"""API contract of the service shell (msgspec Structs), separate from the ORM tables."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from app.core.actor import ROLES_NEEDING_ORG, Role
from app.core.validation import USCC, Check, FieldError, RequestBody, ResidentId
from app.identity.models import Organization, OrgKind, User


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
    # The legal representative (法定代表人), checked against the credit lists' person entries:
    # the resident ID is verified and kept only as a keyed hash.
    legal_representative: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    legal_representative_id: ResidentId | None = None


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
    legal_representative: str | None = None
    legal_representative_id_on_file: bool = False

    @classmethod
    def of(cls, org: Organization) -> OrgOut:
        return cls(
            org.uscc,
            org.name,
            org.kind,
            org.contact_phone,
            org.created_at,
            org.legal_representative,
            org.legal_representative_hash is not None,
        )


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
