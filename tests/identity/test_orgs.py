"""Organizations: registered under a valid USCC, private to their members (404 to others)."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from app.identity.models import OrgKind
from tests.conftest import World, login, random_uscc


@pytest.fixture
async def admin_headers(client: AsyncTestClient[Litestar], world: World) -> dict[str, str]:
    await world.user(Role.admin, username="admin")
    return await login(client, "admin")


async def test_admin_registers_an_organization_under_its_uscc(
    backend: str, client: AsyncTestClient[Litestar], admin_headers: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v1/orgs",
        headers=admin_headers,
        json={"uscc": "914403001922038216", "name": "深圳某科技公司", "kind": "bidder"},
    )
    assert response.status_code == 201
    assert response.json()["uscc"] == "914403001922038216"
    again = await client.post(
        "/api/v1/orgs", headers=admin_headers, json={"uscc": "914403001922038216", "name": "重复", "kind": "bidder"}
    )
    assert again.status_code == 409 and "already exists" in again.json()["detail"]


@pytest.mark.parametrize(
    ("uscc", "code", "reason"),
    [
        ("91440300192203821", "uscc.length", "must be 18 characters, got 17"),
        ("91440300192203821I", "uscc.character", "character 18 'I' is not allowed"),
        ("B14403001922038216", "uscc.authority", "character 1 'B' is not a registration authority code"),
        ("944403001922038216", "uscc.category", "character 2 '4' is not a category of authority '9'"),
        ("919903001922038216", "uscc.division", "characters 3-4 '99' are not a province code"),
        ("914403001922038316", "uscc.org_code_check", "character 17 should be"),
        ("914403001922038217", "uscc.check_character", "character 18 (check character) should be '6', got '7'"),
    ],
)
async def test_an_invalid_uscc_is_refused_with_the_reason(
    backend: str, client: AsyncTestClient[Litestar], admin_headers: dict[str, str], uscc: str, code: str, reason: str
) -> None:
    response = await client.post(
        "/api/v1/orgs", headers=admin_headers, json={"uscc": uscc, "name": "某公司", "kind": "bidder"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422 and problem["type"].endswith("/validation")
    [item] = problem["invalid-params"]
    assert item["name"] == "uscc" and item["code"] == code and reason in item["reason"]
    listing = await client.get("/api/v1/orgs", headers=admin_headers)
    assert uscc not in {org["uscc"] for org in listing.json()["items"]}


async def test_every_invalid_field_is_named_in_one_response(
    backend: str, client: AsyncTestClient[Litestar], admin_headers: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v1/orgs",
        headers=admin_headers,
        json={"uscc": "914403001922038217", "name": "", "kind": "castle", "phone": "123"},
    )
    assert response.status_code == 422
    named = {item["name"]: item["code"] for item in response.json()["invalid-params"]}
    assert named == {"uscc": "uscc.check_character", "name": "invalid", "kind": "invalid", "phone": "unknown"}


async def test_missing_fields_and_bad_users_are_all_reported(
    backend: str, client: AsyncTestClient[Litestar], admin_headers: dict[str, str]
) -> None:
    response = await client.post("/api/v1/users", headers=admin_headers, json={"username": "a", "roles": []})
    named = {item["name"]: item["code"] for item in response.json()["invalid-params"]}
    assert named == {"username": "username.format", "password": "required", "roles": "invalid"}
    # A rule between fields is reported beside the type errors of other fields.
    response = await client.post("/api/v1/users", headers=admin_headers, json={"username": "a", "roles": ["bidder"]})
    named = {item["name"]: item["code"] for item in response.json()["invalid-params"]}
    assert named == {"username": "username.format", "password": "required", "org_uscc": "required_for_role"}
    # Rules that need the database are collected together too, once the body itself is sound.
    response = await client.post(
        "/api/v1/users",
        headers=admin_headers,
        json={"username": "admin", "password": "long enough pw", "roles": ["bidder"], "org_uscc": random_uscc()},
    )
    named = {item["name"]: item["code"] for item in response.json()["invalid-params"]}
    assert named == {"org_uscc": "unknown_org", "username": "taken"}


async def test_malformed_json_is_a_problem_too(
    backend: str, client: AsyncTestClient[Litestar], admin_headers: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v1/orgs", headers={**admin_headers, "content-type": "application/json"}, content=b"{nope"
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"].endswith("/bad-request") and "JSON is malformed" in problem["detail"]


async def test_another_orgs_private_objects_are_not_found(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    mine, theirs = await world.org(OrgKind.bidder), await world.org(OrgKind.bidder)
    me = await world.user(Role.bidder, mine)
    colleague = await world.user(Role.bidder, mine)
    stranger = await world.user(Role.bidder, theirs)
    headers = await login(client, me.username)

    assert (await client.get(f"/api/v1/orgs/{mine.uscc}", headers=headers)).status_code == 200
    assert (await client.get(f"/api/v1/users/{colleague.id}", headers=headers)).status_code == 200
    for path in (f"/api/v1/orgs/{theirs.uscc}", f"/api/v1/users/{stranger.id}"):
        response = await client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json()["title"] == "Not Found"
    # An object that does not exist at all looks exactly the same.
    missing = await client.get(f"/api/v1/orgs/{random_uscc()}", headers=headers)
    assert missing.status_code == 404
    listed = await client.get("/api/v1/users", headers=headers)
    assert {user["username"] for user in listed.json()["items"]} == {me.username, colleague.username}


async def test_supervisors_see_every_organization(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    org = await world.org(OrgKind.bidder)
    await world.user(Role.supervisor, username="officer")
    headers = await login(client, "officer")
    assert (await client.get(f"/api/v1/orgs/{org.uscc}", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/orgs", headers=headers)).json()["total"] == 1
