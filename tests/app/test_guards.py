"""Every route says who may call it, and each role is refused where it should be."""

from __future__ import annotations

import uuid

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from app.identity.models import OrgKind
from tests.app.test_roles import ACCESS, BANK, GUARANTOR, PUBLIC
from tests.conftest import World, login, random_uscc

# the role table's public routes, and those whose caller proves itself by signing its message
PUBLIC_ROUTES = {route for route, who in ACCESS.items() if who in (PUBLIC, BANK, GUARANTOR)}


def test_every_api_route_declares_a_guard_or_is_explicitly_public(app: Litestar) -> None:
    unguarded = []
    for route in app.routes:
        if route.path.startswith("/schema"):
            continue  # Litestar's own OpenAPI document, public by design
        for handler in getattr(route, "route_handlers", []):
            if handler.http_methods <= {"OPTIONS", "HEAD"}:
                continue  # Litestar's automatic CORS preflight answers
            public = handler.opt.get("public") is True
            guarded = bool(handler.resolve_guards())
            listed = {(method, route.path) for method in handler.http_methods} <= PUBLIC_ROUTES
            if public != listed or not (public or guarded):
                unguarded.append(f"{sorted(handler.http_methods)} {route.path}")
    assert unguarded == []


# (method, path, body, roles allowed). Bodies are valid so only the guard decides.
def _org_body() -> dict[str, str]:
    return {"uscc": random_uscc(), "name": "新单位", "kind": "bidder"}


ROUTES = [
    ("POST", "/api/v1/orgs", _org_body, {Role.admin}),
    ("GET", "/api/v1/orgs", None, {Role.admin, Role.supervisor}),
    (
        "POST",
        "/api/v1/users",
        lambda: {"username": f"u{uuid.uuid4().hex[:8]}", "password": "x" * 12, "roles": ["expert"]},
        {Role.admin},
    ),
    ("GET", "/api/v1/audit-events?object_type=org&object_id=x", None, {Role.admin, Role.supervisor}),
]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES])
async def test_each_role_is_refused_where_it_should_be(
    backend: str,
    client: AsyncTestClient[Litestar],
    world: World,
    method: str,
    path: str,
    body: object,
    allowed: set[Role],
) -> None:
    kinds = {Role.agency: OrgKind.agency, Role.bidder: OrgKind.bidder, Role.intermediary: OrgKind.intermediary}
    outcomes = {}
    for role in Role:  # each in an organization whose kind allows the role (app.identity.kinds)
        user = await world.user(role, await world.org(kinds[role]) if role in kinds else None)
        headers = await login(client, user.username)
        response = await client.request(method, path, headers=headers, json=body() if callable(body) else None)
        outcomes[role] = response.status_code
        if role not in allowed:
            assert response.json()["detail"].startswith("this action needs one of the roles")
    assert {role for role, status in outcomes.items() if status < 400} == allowed
    assert {status for role, status in outcomes.items() if role not in allowed} == {403}
    anonymous = await client.request(method, path, json=body() if callable(body) else None)
    assert anonymous.status_code == 401
