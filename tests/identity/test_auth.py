"""Signing in: tokens in the body and a cookie, wrong credentials refused, both audited."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.core import audit
from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.models import AuditEvent
from app.identity import service as identity
from app.identity.models import OrgKind, User
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


async def test_repeated_wrong_passwords_make_the_next_attempt_wait_longer_and_longer(
    backend: str, client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    await world.user(Role.bidder, await world.org(), username="target")
    for _ in range(5):
        clock.advance(timedelta(minutes=1))
        wrong = await client.post("/api/v1/auth/login", json={"username": "target", "password": "guess guess"})
        assert wrong.status_code == 401
    waits = []
    for _ in range(3):  # after 3 free failures of this name from this address: 1 s, 2 s, 4 s, 8 s …
        refused = await client.post("/api/v1/auth/login", json={"username": "target", "password": PASSWORD})
        assert refused.status_code == 429 and refused.json()["type"].endswith("/too-many-attempts")
        retry = datetime.fromisoformat(refused.json()["retry_after"])
        waits.append((retry - clock.now()).total_seconds())
        clock.set(retry)
        wrong = await client.post("/api/v1/auth/login", json={"username": "target", "password": "guess guess"})
        assert wrong.status_code == 401
    assert waits == [4.0, 8.0, 16.0]  # refused attempts count nothing: only failures grow the wait
    clock.advance(timedelta(seconds=32))
    assert (
        await client.post("/api/v1/auth/login", json={"username": "target", "password": PASSWORD})
    ).status_code == 200
    async with world.sessions() as session:
        report = await audit.verify(session)
        locked_events = await session.scalar(select(func.count()).where(AuditEvent.action == "auth.login_locked"))
    assert report.ok and locked_events == 3


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
        for _ in range(3):
            assert (
                await client.post("/api/v1/auth/login", json={"username": name, "password": "x"})
            ).status_code == 401
        locked = await client.post("/api/v1/auth/login", json={"username": name, "password": "x"})
        answers[name] = (locked.status_code, locked.json()["type"], set(locked.json()))
    assert answers["real.user"] == answers["ghost.user"] and answers["ghost.user"][0] == 429


async def test_an_admin_lifts_an_accounts_delays(backend: str, client: AsyncTestClient[Litestar], world: World) -> None:
    target = await world.user(Role.supervisor, username="officer.li")
    await world.user(Role.admin, username="root")
    for _ in range(3):
        await client.post("/api/v1/auth/login", json={"username": "officer.li", "password": "x"})
    waiting = await client.post("/api/v1/auth/login", json={"username": "officer.li", "password": PASSWORD})
    assert waiting.status_code == 429 and "for officer.li from this address" in waiting.json()["detail"]
    admin = await login(client, "root")
    assert (await client.post(f"/api/v1/users/{target.id}/unlock", headers=admin)).status_code == 200
    assert (
        await client.post(f"/api/v1/users/{target.id}/unlock", headers=await login(client, "officer.li"))
    ).status_code == 403


async def test_guessing_never_keeps_the_real_user_out_and_one_address_never_locks_an_office_out(
    backend: str, world: World, clock: FrozenClock
) -> None:
    """Hours of guessing at an admin account from a few addresses (at the pace a hard lock of 5
    every 15 minutes invited): the admin, from an address that never failed, gets in within two
    seconds. Forty failures from an office's one address: a colleague there gets in the same way."""
    await world.user(Role.admin, username="root")
    await world.user(Role.bidder, await world.org(), username="colleague")
    log_n = world.settings.scrypt_log_n

    async def attempt(name: str, password: str, address: str) -> str:
        async with world.sessions() as session:
            try:
                user = await identity.authenticate(session, clock, name, password, address, log_n)
            except identity.TooManyAttempts as refused:
                return str(refused.extra["retry_after"])
            return "ok" if user else "wrong"

    guesses, attackers, until = 0, ["198.51.100.7", "198.51.100.8", "203.0.113.9"], clock.now() + timedelta(hours=6)
    while clock.now() < until:  # as fast as the delays let them, rotating addresses
        answer = await attempt("root", f"guess {guesses}", attackers[guesses % 3])
        if answer == "wrong":
            guesses += 1
        else:
            clock.set(datetime.fromisoformat(answer))
    assert 20 <= guesses <= 60  # delays grow to 15 minutes: a handful of guesses an hour, not 20

    answer = await attempt("root", PASSWORD, "192.0.2.10")  # the admin at the office
    if answer != "ok":
        assert datetime.fromisoformat(answer) - clock.now() <= timedelta(seconds=2)
        clock.set(datetime.fromisoformat(answer))
        answer = await attempt("root", PASSWORD, "192.0.2.10")
    assert answer == "ok"

    office, failed = "192.0.2.20", 0
    while failed < 40:  # colleagues' typos, waiting whenever the address has to wait
        answer = await attempt(f"typo{failed % 13}", "x", office)
        if answer == "wrong":
            failed += 1
        else:
            clock.set(datetime.fromisoformat(answer))
    answer = await attempt("colleague", PASSWORD, office)
    if answer != "ok":
        assert datetime.fromisoformat(answer) - clock.now() <= timedelta(seconds=2)
        clock.set(datetime.fromisoformat(answer))
        answer = await attempt("colleague", PASSWORD, office)
    assert answer == "ok"


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


async def test_every_refused_sign_in_costs_one_password_hash_whatever_the_account(
    world: World, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No timing oracle: an unknown name, an imported expert who has no password yet and a wrong
    password each derive exactly one scrypt key at the platform's cost, as a right password does."""
    from app.identity import auth
    from experts.registry import UNUSABLE_PASSWORD

    await world.user(Role.bidder, await world.org(), username="has.password")
    imported = await world.user(Role.expert, username="imported.expert")
    async with world.sessions() as session:
        row = await session.get(User, imported.id)
        assert row is not None
        row.password_hash = UNUSABLE_PASSWORD
        await session.commit()
    costs: list[int] = []
    derive = auth._scrypt

    def counted(password: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
        costs.append(log_n)
        return derive(password, salt, log_n, r, p)

    monkeypatch.setattr(auth, "_scrypt", counted)
    log_n = world.settings.scrypt_log_n
    for name, password, address in [
        ("nobody.here", "guess guess", "192.0.2.1"),
        ("imported.expert", "guess guess", "192.0.2.2"),
        ("has.password", "guess guess", "192.0.2.3"),
        ("has.password", PASSWORD, "192.0.2.4"),
    ]:
        costs.clear()
        async with world.sessions() as session:
            await identity.authenticate(session, clock, name, password, address, log_n)
        assert costs == [log_n], name
