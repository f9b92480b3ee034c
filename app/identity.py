"""Identity use cases: organizations (keyed by USCC), users with roles, and sign-in.

Each function is one transaction: it checks everything it can before writing, reports every
problem at once, appends its audit event as the last write, and commits. They take an `Actor`
and a `Clock`, so the CLI and the demo loader call the very same code as the API.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audit
from app.actor import Actor
from app.clock import Clock
from app.models import AuditEvent, Organization, User
from app.problems import Conflict, InvalidRequest, NotFound, Problem
from app.schemas import OrgCreate, UserCreate
from app.security import ensure_visible, hash_password, verify_password
from app.validation import FieldError


async def create_org(session: AsyncSession, clock: Clock, actor: Actor, data: OrgCreate) -> Organization:
    if await session.get(Organization, data.uscc) is not None:
        raise Conflict(f"an organization with USCC {data.uscc} already exists", slug="org-exists")
    org = Organization(
        uscc=data.uscc, name=data.name, kind=data.kind, contact_phone=data.contact_phone, created_at=clock.now()
    )
    session.add(org)
    await session.flush()
    await audit.record(session, clock, actor, "org.create", "org", org.uscc, {"name": org.name, "kind": org.kind})
    await session.commit()
    return org


async def get_org(session: AsyncSession, actor: Actor, uscc: str) -> Organization:
    org = await session.get(Organization, uscc)
    if org is None:
        raise NotFound(f"organization {uscc} not found")
    ensure_visible(actor, org.uscc, "organization", uscc)
    return org


async def list_orgs(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[Organization], int]:
    total = await session.scalar(select(func.count()).select_from(Organization)) or 0
    orgs = await session.scalars(select(Organization).order_by(Organization.name).limit(limit).offset(offset))
    return list(orgs.all()), total


async def create_user(session: AsyncSession, clock: Clock, actor: Actor, data: UserCreate, scrypt_log_n: int) -> User:
    errors: list[FieldError] = []
    if data.org_uscc is not None and await session.get(Organization, data.org_uscc) is None:
        errors.append(FieldError("org_uscc", "unknown_org", f"no organization {data.org_uscc} is registered"))
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
        raise NotFound(f"user {user_id} not found")
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


# Sign-in throttling: this many failed attempts within the window lock the account until the
# window has passed since the last failure. Counted from the audit trail, so it holds across
# every web worker, and measured on the one clock.
MAX_FAILED_LOGINS = 5
LOCKOUT_WINDOW = timedelta(minutes=15)


class TooManyAttempts(Problem):
    status, slug, title = 429, "too-many-attempts", "Too Many Requests"


async def authenticate(
    session: AsyncSession, clock: Clock, username: str, password: str, client_ip: str | None, scrypt_log_n: int
) -> User | None:
    """The active user with these credentials, or None. Both outcomes are audited; an account
    with too many recent failures is refused before its password is even checked."""
    now = clock.now()
    user = await session.scalar(select(User).where(User.username == username))
    anonymous = Actor(username=f"anonymous:{username[:50]}", client_ip=client_ip)
    if user is not None:
        failures = (
            await session.scalars(
                select(AuditEvent.occurred_at).where(
                    AuditEvent.object_type == "user",
                    AuditEvent.object_id == str(user.id),
                    AuditEvent.action == "auth.login_failed",
                    AuditEvent.occurred_at > now - LOCKOUT_WINDOW,
                )
            )
        ).all()
        if len(failures) >= MAX_FAILED_LOGINS:
            retry = max(failures) + LOCKOUT_WINDOW
            await audit.record(session, clock, anonymous, "auth.login_locked", "user", user.id, {"username": username})
            await session.commit()
            raise TooManyAttempts(
                f"too many failed sign-ins for {username}: try again after {retry.isoformat()}",
                retry_after=retry.isoformat(),
            )
    ok = await verify_password(password, user.password_hash if user else None, scrypt_log_n)
    if user is not None and ok and user.is_active:
        await audit.record(session, clock, Actor.of(user, client_ip), "auth.login", "user", user.id)
        await session.commit()
        return user
    await audit.record(
        session, clock, anonymous, "auth.login_failed", "user", user.id if user else "-", {"username": username}
    )
    await session.commit()
    return None
