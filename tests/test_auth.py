"""Signing in: tokens in the body and a cookie, wrong credentials refused, both audited."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app import audit
from app.clock import FrozenClock
from app.models import AuditEvent, Role
from tests.conftest import PASSWORD, World, login


async def test_login_returns_a_bearer_token_that_opens_the_api(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    bidder_org = await world.org()
    await world.user(Role.bidder, bidder_org, username="li.wei")

    response = await client.post("/api/v1/auth/login", json={"username": "li.wei", "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["access_token"].count(".") == 2
    assert body["user"]["org_uscc"] == bidder_org.uscc and body["user"]["roles"] == ["bidder"]
    me = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "li.wei"


async def test_browser_cookie_from_login_is_accepted(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    await world.user(Role.supervisor, username="wang.jd")
    response = await client.post("/api/v1/auth/login", json={"username": "wang.jd", "password": PASSWORD})
    assert "ggzy_token" in response.cookies
    me = await client.get("/api/v1/users/me")  # the client keeps the cookie, as a browser would
    assert me.status_code == 200 and me.json()["username"] == "wang.jd"
    await client.post("/api/v1/auth/logout")
    client.cookies.clear()
    assert (await client.get("/api/v1/users/me")).status_code == 401


async def test_wrong_password_and_unknown_user_get_the_same_refusal(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    await world.user(Role.admin, username="root")
    wrong = await client.post("/api/v1/auth/login", json={"username": "root", "password": "not the password"})
    unknown = await client.post("/api/v1/auth/login", json={"username": "nobody", "password": "whatever"})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"] == "wrong username or password"


async def test_logins_and_failed_logins_are_audited(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    user = await world.user(Role.agency, await world.org(), username="zhao")
    await login(client, "zhao")
    await client.post("/api/v1/auth/login", json={"username": "zhao", "password": "guess guess"})
    async with world.sessions() as session:
        events = (await session.scalars(select(AuditEvent).where(AuditEvent.object_id == str(user.id)))).all()
    assert [event.action for event in events] == ["user.create", "auth.login", "auth.login_failed"]
    assert events[1].actor == "zhao" and events[1].client_ip is not None
    assert events[2].actor == "anonymous:zhao"


async def test_a_forged_or_missing_token_is_refused(backend: str, client: AsyncTestClient[Litestar]) -> None:
    assert (await client.get("/api/v1/users/me")).status_code == 401
    forged = await client.get("/api/v1/users/me", headers={"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"})
    assert forged.status_code == 401
    assert forged.json()["type"].endswith("/unauthorized")


async def test_a_deactivated_users_token_stops_working(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    user = await world.user(Role.expert, username="expert.chen")
    headers = await login(client, "expert.chen")
    async with world.sessions() as session:
        stored = await session.get(type(user), user.id)
        assert stored is not None
        stored.is_active = False
        await session.commit()
    assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 401


async def test_repeated_wrong_passwords_lock_the_account_for_a_while(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    await world.user(Role.bidder, await world.org(), username="target")
    for _ in range(5):
        clock.advance(timedelta(minutes=1))
        wrong = await client.post("/api/v1/auth/login", json={"username": "target", "password": "guess guess"})
        assert wrong.status_code == 401
    locked = await client.post("/api/v1/auth/login", json={"username": "target", "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["type"].endswith("/too-many-attempts")
    assert locked.json()["retry_after"] == (clock.now() + timedelta(minutes=15)).isoformat()
    clock.advance(timedelta(minutes=15, seconds=1))
    assert (
        await client.post("/api/v1/auth/login", json={"username": "target", "password": PASSWORD})
    ).status_code == 200
    async with world.sessions() as session:
        report = await audit.verify(session)
        locked_events = await session.scalar(select(func.count()).where(AuditEvent.action == "auth.login_locked"))
    assert report.ok and locked_events == 1
