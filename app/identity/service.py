"""Identity use cases: organizations (keyed by USCC), users with roles, and sign-in.

Each function is one transaction: it checks everything it can before writing, reports every
problem at once, appends its audit event as the last write, and commits. They take an `Actor`
and a `Clock`, so the CLI and the demo loader call the very same code as the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.guards import ensure_visible
from app.core.problems import Conflict, InvalidRequest, NotFound, Problem
from app.core.resident_id import person_hash
from app.core.validation import FieldError
from app.identity import throttle
from app.identity.auth import hash_password, verify_password
from app.identity.kinds import ROLES_BY_KIND, roles_refused
from app.identity.models import Organization, RevokedToken, SignInThrottle, User
from app.identity.schemas import OrgCreate, UserCreate


async def create_org(
    session: AsyncSession, clock: Clock, actor: Actor, data: OrgCreate, person_id_key: bytes | None = None
) -> Organization:
    """Register an organization; a legal representative's resident ID becomes its keyed hash
    (`person_id_key`, app.core.resident_id) and is never kept."""
    if await session.get(Organization, data.uscc) is not None:
        raise Conflict(
            f"an organization with USCC {data.uscc} already exists",
            zh=f"统一社会信用代码为 {data.uscc} 的机构已登记",
            slug="org-exists",
        )
    if data.legal_representative_id and person_id_key is None:
        raise ValueError("a legal representative's ID needs the platform's person-ID key")
    org = Organization(
        uscc=data.uscc,
        name=data.name,
        kind=data.kind,
        contact_phone=data.contact_phone,
        created_at=clock.now(),
        legal_representative=data.legal_representative,
        legal_representative_hash=person_hash(person_id_key, data.legal_representative_id)
        if data.legal_representative_id and person_id_key
        else None,
    )
    session.add(org)
    await session.flush()
    await audit.record(session, clock, actor, "org.create", "org", org.uscc, {"name": org.name, "kind": org.kind})
    await session.commit()
    return org


async def get_org(session: AsyncSession, actor: Actor, uscc: str) -> Organization:
    org = await session.get(Organization, uscc)
    if org is None:
        raise NotFound(f"organization {uscc} not found", zh=f"未找到机构 {uscc}")
    ensure_visible(actor, org.uscc, "organization", uscc)
    return org


async def list_orgs(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[Organization], int]:
    total = await session.scalar(select(func.count()).select_from(Organization)) or 0
    orgs = await session.scalars(select(Organization).order_by(Organization.name).limit(limit).offset(offset))
    return list(orgs.all()), total


async def org_names(session: AsyncSession, usccs: Iterable[str]) -> dict[str, str]:
    """The names of these organizations, by USCC (unknown ones left out)."""
    rows = await session.execute(
        select(Organization.uscc, Organization.name).where(Organization.uscc.in_(sorted(set(usccs))))
    )
    return {uscc: name for uscc, name in rows}


async def users_of_orgs(session: AsyncSession, usccs: Iterable[str]) -> list[tuple[uuid.UUID, str]]:
    """(user id, org USCC) of every user of these organizations: whom to notify."""
    rows = await session.execute(select(User.id, User.org_uscc).where(User.org_uscc.in_(sorted(set(usccs)))))
    return [(user_id, uscc) for user_id, uscc in rows if uscc]


async def create_user(session: AsyncSession, clock: Clock, actor: Actor, data: UserCreate, scrypt_log_n: int) -> User:
    errors: list[FieldError] = []
    org = await session.get(Organization, data.org_uscc) if data.org_uscc is not None else None
    if data.org_uscc is not None and org is None:
        errors.append(FieldError("org_uscc", "unknown_org", f"no organization {data.org_uscc} is registered"))
    if org is not None and (refused := roles_refused(org.kind, data.roles)):
        errors.append(
            FieldError(
                "roles",
                "conflict_of_role",
                f"a user of an organization of kind {org.kind} cannot hold {', '.join(refused)}"
                f" (allowed: {', '.join(sorted(ROLES_BY_KIND.get(org.kind, ())))})",
            )
        )
    if await session.scalar(select(User.id).where(User.username == data.username)) is not None:
        errors.append(FieldError("username", "taken", f"username {data.username!r} is taken"))
    if errors:
        raise InvalidRequest(errors)
    user = User(
        username=data.username,
        display_name=data.display_name or data.username,
        password_hash=await hash_password(data.password, scrypt_log_n),
        org_uscc=data.org_uscc,
        roles=sorted(set(data.roles)),
        is_active=True,
        created_at=clock.now(),
    )
    session.add(user)
    await session.flush()
    payload = {"username": user.username, "roles": user.roles, "org_uscc": user.org_uscc}
    await audit.record(session, clock, actor, "user.create", "user", user.id, payload)
    await session.commit()
    return user


async def get_user(session: AsyncSession, actor: Actor, user_id: object) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found", zh="未找到该用户")
    if user.id != actor.user_id:
        ensure_visible(actor, user.org_uscc, "user", user_id)
    return user


async def list_users(session: AsyncSession, actor: Actor, *, limit: int, offset: int) -> tuple[list[User], int]:
    """Admins and supervisors list everyone; anyone else lists the users of their own org."""
    query = select(User)
    if not actor.sees_all_orgs:
        query = (
            query.where(User.org_uscc == actor.org_uscc) if actor.org_uscc else query.where(User.id == actor.user_id)
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    users = await session.scalars(query.order_by(User.username).limit(limit).offset(offset))
    return list(users.all()), total


# Sign-in throttling (app.identity.throttle): failures counted per account name, per client
# address and per pair of both, with growing delays and a way in for the real user. An attempt
# reserves its place under row locks *before* the password is checked, so fifty concurrent
# attempts check at most the free allowance's worth of passwords; a successful attempt gives its
# places back. Measured on the one clock.


class TooManyAttempts(Problem):
    status, slug, title = 429, "too-many-attempts", "Too Many Requests"


def _account_key(username: str) -> str:
    return "user:" + username.strip().lower()[:100]


def _throttle_keys(username: str, client_ip: str | None) -> list[str]:
    name, address = username.strip().lower()[:100], (client_ip or "-")[:45]
    return sorted({f"user:{name}", f"ip:{address}", f"pair:{name}|{address}"})  # one lock order: no deadlock


async def _locked_rows(session: AsyncSession, keys: list[str], now: datetime) -> dict[str, SignInThrottle]:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = {}
    for key in keys:
        await session.execute(
            insert(SignInThrottle)
            .values(key=key, attempts=0, last_attempt_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        row = await session.get(SignInThrottle, key, with_for_update=True, populate_existing=True)
        assert row is not None
        rows[key] = row
    return rows


async def _reserve(session: AsyncSession, keys: list[str], now: datetime) -> tuple[str, datetime] | None:
    """Count one failure under every key, or none and (the key, when to come back) if any key
    makes this attempt wait."""
    rows = await _locked_rows(session, keys, now)
    pair = next(row for key, row in rows.items() if throttle.kind_of(key) == "pair")
    clean = throttle.current(pair.attempts, pair.last_attempt_at, now) == 0
    waits = [
        (key, until)
        for key, row in rows.items()
        if (until := throttle.allowed_from(throttle.kind_of(key), row.attempts, row.last_attempt_at, now, clean))
    ]
    if waits:
        return max(waits, key=lambda wait: wait[1])
    for row in rows.values():
        row.attempts, row.last_attempt_at = throttle.current(row.attempts, row.last_attempt_at, now) + 1, now
    return None


async def _give_back(session: AsyncSession, keys: list[str]) -> None:
    """A successful sign-in: its reserved failure is given back, and its pair starts clean."""
    pairs = [key for key in keys if throttle.kind_of(key) == "pair"]
    await session.execute(update(SignInThrottle).where(SignInThrottle.key.in_(pairs)).values(attempts=0))
    await session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.key.in_(keys), SignInThrottle.attempts > 0)
        .values(attempts=SignInThrottle.attempts - 1)
    )


async def authenticate(
    session: AsyncSession, clock: Clock, username: str, password: str, client_ip: str | None, scrypt_log_n: int
) -> User | None:
    """The active user with these credentials, or None. Both outcomes are audited; a name or an
    address with too many recent attempts is refused before any password is checked."""
    now = clock.now()
    anonymous = Actor(username=f"anonymous:{username[:50]}", client_ip=client_ip)
    keys = _throttle_keys(username, client_ip)
    wait = await _reserve(session, keys, now)
    if wait is not None:
        key, retry = wait
        await session.rollback()  # nothing counted for a refused attempt
        user = await session.scalar(select(User).where(User.username == username))
        kind = throttle.kind_of(key)
        await audit.record(
            session, clock, anonymous, "auth.login_locked", "user", user.id if user else "-", {"key": kind}
        )
        await session.commit()
        whom = {"user": f"for {username}", "ip": "from this address", "pair": f"for {username} from this address"}
        raise TooManyAttempts(
            f"too many failed sign-ins {whom[kind]}: try again after {retry.isoformat()}",
            zh=f"登录失败次数过多，请于 {retry.isoformat()} 之后再试",
            retry_after=retry.isoformat(),
        )
    await session.commit()  # the places are taken before the slow password check
    user = await session.scalar(select(User).where(User.username == username))
    ok = await verify_password(password, user.password_hash if user else None, scrypt_log_n)
    if user is not None and ok and user.is_active:
        await _give_back(session, keys)
        await audit.record(session, clock, Actor.of(user, client_ip), "auth.login", "user", user.id)
        await session.commit()
        return user
    await audit.record(
        session, clock, anonymous, "auth.login_failed", "user", user.id if user else "-", {"username": username}
    )
    await session.commit()
    return None


async def unlock(session: AsyncSession, clock: Clock, actor: Actor, user_id: uuid.UUID) -> User:
    """An admin lifts the sign-in lock of an account."""
    user = await get_user(session, actor, user_id)
    name = user.username.strip().lower()[:100]
    await session.execute(
        delete(SignInThrottle).where(
            (SignInThrottle.key == _account_key(user.username))
            | SignInThrottle.key.startswith(f"pair:{name}|", autoescape=True)
        )
    )
    await audit.record(session, clock, actor, "auth.unlock", "user", user.id)
    await session.commit()
    return user


async def set_active(session: AsyncSession, clock: Clock, actor: Actor, user_id: uuid.UUID, active: bool) -> User:
    """An admin deactivates (every token revoked) or reactivates a user."""
    user = await get_user(session, actor, user_id)
    if user.id == actor.user_id and not active:
        raise Conflict("you cannot deactivate yourself", zh="不能停用自己的账户", slug="self-deactivation")
    if user.is_active == active:
        return user  # nothing changes: no token is revoked, nothing to audit
    user.is_active = active
    if not active:
        user.token_generation += 1
    await audit.record(session, clock, actor, "user.activate" if active else "user.deactivate", "user", user.id)
    await session.commit()
    return user


async def change_password(
    session: AsyncSession, clock: Clock, actor: Actor, current: str, new: str, scrypt_log_n: int
) -> User:
    """The user changes their own password; every token issued before is revoked."""
    user = await get_user(session, actor, actor.user_id)
    if not await verify_password(current, user.password_hash, scrypt_log_n):
        raise InvalidRequest([FieldError("current_password", "wrong", "the current password is not right")])
    return await _new_password(session, clock, actor, user, new, scrypt_log_n, "user.password_change")


async def reset_password(
    session: AsyncSession, clock: Clock, actor: Actor, user_id: uuid.UUID, new: str, scrypt_log_n: int
) -> User:
    """An admin sets a user's password; every token issued before is revoked."""
    user = await get_user(session, actor, user_id)
    return await _new_password(session, clock, actor, user, new, scrypt_log_n, "user.password_reset")


async def _new_password(
    session: AsyncSession, clock: Clock, actor: Actor, user: User, new: str, scrypt_log_n: int, action: str
) -> User:
    user.password_hash = await hash_password(new, scrypt_log_n)
    user.token_generation += 1
    await audit.record(session, clock, actor, action, "user", user.id)
    await session.commit()
    return user


async def revoke_token(session: AsyncSession, clock: Clock, actor: Actor, jti: str, expires_at: datetime) -> None:
    """Logout: this token stops working now, whatever its expiry."""
    if await session.get(RevokedToken, jti) is None:
        session.add(RevokedToken(jti=jti, user_id=actor.user_id, revoked_at=clock.now(), expires_at=expires_at))
        await audit.record(session, clock, actor, "auth.logout", "user", actor.user_id)
    await session.commit()
