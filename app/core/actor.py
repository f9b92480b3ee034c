"""Who performs an action, and the roles a user may hold: a signed-in user from a request, or the
system (a job, the CLI).

Services take an `Actor` rather than a request, so the same use case runs from a handler, a
scheduled job or a command line, and the audit trail always knows who and from where.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


class Role(enum.StrEnum):
    agency = "agency"
    bidder = "bidder"
    intermediary = "intermediary"
    expert = "expert"
    supervisor = "supervisor"
    admin = "admin"


# Roles whose users act for an organization and so must belong to one.
ROLES_NEEDING_ORG = frozenset({Role.agency, Role.bidder, Role.intermediary})


@runtime_checkable
class SignedInUser(Protocol):
    """What the kernel needs of a signed-in user (the identity domain's `User` is one)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def username(self) -> str: ...
    @property
    def org_uscc(self) -> str | None: ...
    @property
    def roles(self) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Actor:
    username: str
    user_id: uuid.UUID | None = None
    org_uscc: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    client_ip: str | None = None

    @classmethod
    def of(cls, user: SignedInUser, client_ip: str | None = None) -> Actor:
        return cls(user.username, user.id, user.org_uscc, frozenset(user.roles), client_ip)

    @classmethod
    def system(cls, name: str) -> Actor:
        """A job or command acting on its own authority, e.g. `Actor.system("cli")`."""
        return cls(f"system:{name}", roles=frozenset({Role.admin}))

    def has_role(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def sees_all_orgs(self) -> bool:
        """Supervisors and admins oversee every organization; everyone else sees their own."""
        return self.has_role(Role.supervisor, Role.admin)
