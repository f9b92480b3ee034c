"""Role guards and organization visibility, declared next to every route.

Every route declares who may call it: `guards=[requires(Role.admin)]`, or
`opt={"public": True}` for the few routes anyone may call. Objects private to an organization
are looked up through `ensure_visible`, which answers 404 for another org's object, so a
stranger cannot even learn that it exists.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from app.core.actor import Actor, Role, SignedInUser
from app.core.problems import NotFound


def requires(*roles: Role) -> Any:
    """Guard: the signed-in user must hold one of `roles`."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        user = connection.user
        if not isinstance(user, SignedInUser):
            raise NotAuthorizedException("sign in first")
        if not allowed.intersection(user.roles):
            names = ", ".join(sorted(allowed))
            raise PermissionDeniedException(f"this action needs one of the roles: {names}")

    guard.required_roles = allowed  # type: ignore[attr-defined]
    return guard


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Guard: any signed-in user, whatever the role (e.g. reading one's own profile)."""
    if not isinstance(connection.user, SignedInUser):
        raise NotAuthorizedException("sign in first")


def ensure_visible(actor: Actor, owner_uscc: str | None, what: str, ident: object) -> None:
    """Raise 404 unless `actor` may see an object private to organization `owner_uscc`."""
    if actor.sees_all_orgs or (owner_uscc is not None and owner_uscc == actor.org_uscc):
        return
    raise NotFound(f"{what} {ident} not found", zh="不存在或无权查看")
