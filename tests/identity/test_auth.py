"""Signing in: tokens in the body and a cookie, wrong credentials refused, both audited."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.core import audit
from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.models import AuditEvent
from app.identity.models import OrgKind
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
    user = await world.user(Role.agency, await world.org(OrgKind.agency), username="zhao")
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


async def test_fifty_concurrent_guesses_check_at_most_five_passwords(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    await world.user(Role.admin, username="root")
    guesses = [f"guess number {i}" for i in range(49)] + [PASSWORD]
    answers = await asyncio.gather(
        *(client.post("/api/v1/auth/login", json={"username": "root", "password": guess}) for guess in guesses)
    )
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses[429] >= 45 and statuses[200] + statuses[401] <= 5
    async with world.sessions() as session:
        checked = await session.scalar(
            select(func.count()).where(AuditEvent.action.in_(["auth.login", "auth.login_failed"]))
        )
    assert checked == statuses[200] + statuses[401] <= 5


async def test_a_locked_name_looks_the_same_whether_the_account_exists_or_not(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    await world.user(Role.bidder, await world.org(), username="real.user")
    answers = {}
    for name in ("real.user", "ghost.user"):
        for _ in range(5):
            assert (
                await client.post("/api/v1/auth/login", json={"username": name, "password": "x"})
            ).status_code == 401
        locked = await client.post("/api/v1/auth/login", json={"username": name, "password": "x"})
        answers[name] = (locked.status_code, locked.json()["type"], set(locked.json()))
    assert answers["real.user"] == answers["ghost.user"] and answers["ghost.user"][0] == 429


async def test_an_admin_unlocks_an_account_and_one_address_cannot_try_more_than_twenty_sign_ins(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    target = await world.user(Role.supervisor, username="officer.li")
    await world.user(Role.admin, username="root")
    for _ in range(5):
        await client.post("/api/v1/auth/login", json={"username": "officer.li", "password": "x"})
    locked = await client.post("/api/v1/auth/login", json={"username": "officer.li", "password": PASSWORD})
    assert locked.status_code == 429 and "for officer.li" in locked.json()["detail"]
    admin = await login(client, "root")
    assert (await client.post(f"/api/v1/users/{target.id}/unlock", headers=admin)).status_code == 200
    assert (
        await client.post(f"/api/v1/users/{target.id}/unlock", headers=await login(client, "officer.li"))
    ).status_code == 403
    for i in range(3):  # 5 failures counted already; 15 more across other names spend the address's 20
        for _ in range(5):
            assert (
                await client.post("/api/v1/auth/login", json={"username": f"name{i}", "password": "x"})
            ).status_code == 401
    refused = await client.post("/api/v1/auth/login", json={"username": "officer.li", "password": PASSWORD})
    assert refused.status_code == 429 and "from this address" in refused.json()["detail"]


async def test_logout_password_changes_and_deactivation_revoke_tokens(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    user = await world.user(Role.agency, await world.org(OrgKind.agency), username="agent.wu")
    admin = await world.user(Role.admin, username="root")
    admin_headers = await login(client, "root")
    bearer = await login(client, "agent.wu")
    assert (await client.post("/api/v1/auth/logout", headers=bearer)).status_code == 200
    assert (await client.get("/api/v1/users/me", headers=bearer)).status_code == 401
    signed = await client.post("/api/v1/auth/login", json={"username": "agent.wu", "password": PASSWORD})
    assert signed.status_code == 200 and (await client.get("/api/v1/users/me")).status_code == 200  # the cookie
    assert (await client.post("/api/v1/auth/logout")).status_code == 403  # a cookie needs the page's CSRF token
    await client.get("/console")  # the page a browser signs out from sets the token
    logout = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": client.cookies["ggzy_csrf"]})
    assert logout.status_code == 200
    client.cookies.set("ggzy_token", signed.cookies["ggzy_token"])
    assert (await client.get("/api/v1/users/me")).status_code == 401  # the cookie's token is revoked too
    client.cookies.clear()

    bearer = await login(client, "agent.wu")
    wrong = await client.post(
        "/api/v1/users/me/password",
        json={"current_password": "not it", "new_password": "a new passphrase"},
        headers=bearer,
    )
    assert wrong.status_code == 422 and wrong.json()["invalid-params"][0]["name"] == "current_password"
    changed = await client.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": "a new passphrase"},
        headers=bearer,
    )
    assert changed.status_code == 200
    assert (await client.get("/api/v1/users/me", headers=bearer)).status_code == 401
    bearer = await login(client, "agent.wu", "a new passphrase")
    reset = await client.post(
        f"/api/v1/users/{user.id}/password", json={"new_password": PASSWORD + "!"}, headers=admin_headers
    )
    assert reset.status_code == 200 and (await client.get("/api/v1/users/me", headers=bearer)).status_code == 401
    bearer = await login(client, "agent.wu", PASSWORD + "!")
    assert (await client.post(f"/api/v1/users/{user.id}/deactivate", headers=admin_headers)).status_code == 200
    assert (await client.get("/api/v1/users/me", headers=bearer)).status_code == 401
    refused = await client.post("/api/v1/auth/login", json={"username": "agent.wu", "password": PASSWORD + "!"})
    assert refused.status_code == 401
    assert (await client.post(f"/api/v1/users/{admin.id}/deactivate", headers=admin_headers)).status_code == 409
    for action in ("auth.logout", "user.password_change", "user.password_reset", "user.deactivate"):
        async with world.sessions() as session:
            assert await session.scalar(select(func.count()).where(AuditEvent.action == action)), action


async def test_only_a_bearer_token_in_the_authorization_header_counts(
    backend: str, client: AsyncTestClient[Litestar], world: World
) -> None:
    await world.user(Role.expert, username="expert.he")
    token = (await login(client, "expert.he"))["Authorization"].split(" ")[1]
    for header in (f"Basic {token}", f"Token {token}", token, "Bearer "):
        assert (await client.get("/api/v1/users/me", headers={"Authorization": header})).status_code == 401
    assert (await client.get("/api/v1/users/me", headers={"Authorization": f"bearer {token}"})).status_code == 200
