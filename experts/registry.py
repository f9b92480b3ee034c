"""Use cases of the expert pool (专家库): the CSV import (all or nothing, idempotent), an expert's
own unavailability, the specialty classification, and the pool as the draw reads it."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.clock import Clock
from app.core.problems import NotFound, Problem
from app.core.resident_id import person_hash
from app.identity.models import User
from experts.models import DECLARED, POOL_FILE, Expert, ExpertSpecialty, Specialty, Unavailability
from experts.pool import ExpertRow, RowProblem, parse_csv
from experts.states import ExpertStatus, set_expert_status

# A password hash no password matches: imported experts sign in once an admin sets a password
# (POST /api/v1/users/{id}/password), which the platform never sends anywhere itself.
UNUSABLE_PASSWORD = "unset$0$0$0$$"  # noqa: S105 - not a password: a hash nothing matches


class PoolFileInvalid(Problem):
    status, slug, title = 422, "validation", "Invalid request"

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the file; nothing was imported")
        self.extra = {
            "invalid-params": [
                {"name": f"line {p.line}: {p.field}", "code": "invalid", "reason": p.reason} for p in problems
            ],
            "rows": [p.as_dict() for p in problems],
        }


async def specialty_codes(session: AsyncSession) -> set[str]:
    return set(await session.scalars(select(Specialty.code)))


async def specialties(session: AsyncSession) -> list[dict[str, str | None]]:
    rows = await session.scalars(select(Specialty).order_by(Specialty.code))
    return [{"code": s.code, "parent": s.parent_code, "name_zh": s.name_zh, "name_en": s.name_en} for s in rows]


async def _stored_fields(session: AsyncSession, expert: Expert) -> dict[str, object]:
    codes = sorted(await session.scalars(select(ExpertSpecialty.code).where(ExpertSpecialty.expert_id == expert.id)))
    blocks = (
        await session.execute(
            select(Unavailability.starts_on, Unavailability.ends_on, Unavailability.source)
            .where(Unavailability.expert_id == expert.id)
            .order_by(Unavailability.starts_on, Unavailability.ends_on)
        )
    ).all()
    return {
        "name": expert.name,
        "specialties": codes,
        "title": expert.title,
        "employer_uscc": expert.employer_uscc,
        "region": expert.region,
        "birth_date": expert.birth_date.isoformat(),
        "status": expert.status,
        "suspended_until": expert.suspended_until.isoformat() if expert.suspended_until else None,
        "unavailable": [[a.isoformat(), b.isoformat()] for a, b, source in blocks if source == POOL_FILE],
        "declared_unavailable": [[a.isoformat(), b.isoformat()] for a, b, source in blocks if source == DECLARED],
        "person_hash": expert.person_hash,
        "field_since": expert.field_since.isoformat() if expert.field_since else None,
        "title_level": expert.title_level,
    }


def _from_the_file(stored: dict[str, object]) -> dict[str, object]:
    """What the pool file says of an expert, of what is stored (not the days they declared)."""
    return {name: value for name, value in stored.items() if name != "declared_unavailable"}


def _write(session: AsyncSession, expert: Expert, row: ExpertRow) -> None:
    expert.name, expert.title, expert.employer_uscc = row.name, row.title, row.employer_uscc
    expert.region, expert.birth_date = row.region, row.birth_date
    set_expert_status(expert, ExpertStatus(row.status))
    expert.suspended_until = row.suspended_until
    expert.person_hash = row.person_hash
    expert.field_since, expert.title_level = row.field_since, row.title_level
    session.add_all(ExpertSpecialty(expert_id=expert.id, code=code) for code in row.specialties)
    session.add_all(
        Unavailability(expert_id=expert.id, starts_on=a, ends_on=b, source=POOL_FILE) for a, b in row.unavailable
    )


async def import_pool(
    session: AsyncSession, clock: Clock, actor: Actor, text: str, tz: Any, person_id_key: bytes
) -> dict[str, Any]:
    """Validate the whole file, then apply it in one transaction: new experts are added (with a
    login that has no usable password yet), changed ones updated, identical ones left alone;
    experts not in the file are untouched. Any bad row: 422 listing every problem, nothing written."""
    today = clock.now().astimezone(tz).date()
    rows, problems = parse_csv(
        text, await specialty_codes(session), today, lambda number: person_hash(person_id_key, number)
    )
    users = {
        u.username: u for u in await session.scalars(select(User).where(User.username.in_([r.username for r in rows])))
    }
    experts = {
        e.user_id: e
        for e in await session.scalars(select(Expert).where(Expert.user_id.in_([u.id for u in users.values()])))
    }
    for row in rows:
        user = users.get(row.username)
        if user is not None and (Role.expert not in user.roles or user.org_uscc is not None):
            problems.append(
                RowProblem(row.line, "username", f"{row.username} is the login of someone who is not an expert")
            )
    if problems:
        raise PoolFileInvalid(sorted(problems, key=lambda p: p.line))
    now = clock.now()
    added: list[str] = []
    changed: list[str] = []
    for row in rows:
        user = users.get(row.username)
        expert = experts.get(user.id) if user is not None else None
        if user is None:
            user = User(
                username=row.username,
                display_name=row.name,
                password_hash=UNUSABLE_PASSWORD,
                org_uscc=None,
                roles=[Role.expert.value],
                is_active=True,
                created_at=now,
            )
            session.add(user)
            await session.flush()
        if expert is None:
            expert = Expert(
                id=uuid.uuid4(), user_id=user.id, created_at=now, updated_at=now, status=ExpertStatus(row.status)
            )
            session.add(expert)
            _write(session, expert, row)
            added.append(row.username)
        elif _from_the_file(await _stored_fields(session, expert)) != row.fields():
            await session.execute(delete(ExpertSpecialty).where(ExpertSpecialty.expert_id == expert.id))
            await session.execute(  # the days the expert declared are theirs: the file never touches them
                delete(Unavailability).where(Unavailability.expert_id == expert.id, Unavailability.source == POOL_FILE)
            )
            _write(session, expert, row)
            expert.updated_at = now
            changed.append(row.username)
    if added or changed:
        digest = hashlib.sha256(text.encode()).hexdigest()
        payload = {"file_sha256": digest, "added": added, "changed": changed}
        await audit.record(session, clock, actor, "expert_pool.import", "expert_pool", digest[:16], payload)
    await session.commit()
    return {"added": added, "changed": changed, "unchanged": len(rows) - len(added) - len(changed)}


async def expert_of(session: AsyncSession, actor: Actor) -> Expert:
    expert = await session.scalar(select(Expert).where(Expert.user_id == actor.user_id))
    if expert is None:
        raise NotFound("you are not in the expert pool")
    return expert


async def profile(session: AsyncSession, expert: Expert) -> dict[str, Any]:
    shown = await _stored_fields(session, expert)
    shown["person_id_on_file"] = shown.pop("person_hash") is not None  # the hash is not for showing
    return {"id": str(expert.id), **shown}


async def set_unavailability(
    session: AsyncSession, clock: Clock, actor: Actor, blocks: Sequence[tuple[date, date]]
) -> dict[str, Any]:
    """An expert's own days they cannot serve (replaces the list they declared; the pool file's
    days stay, and a later import of the pool leaves these alone)."""
    expert = await expert_of(session, actor)
    await session.execute(
        delete(Unavailability).where(Unavailability.expert_id == expert.id, Unavailability.source == DECLARED)
    )
    session.add_all(
        Unavailability(expert_id=expert.id, starts_on=a, ends_on=b, source=DECLARED) for a, b in sorted(blocks)
    )
    payload = {"blocks": [[a.isoformat(), b.isoformat()] for a, b in sorted(blocks)]}
    await audit.record(session, clock, actor, "expert.unavailability", "expert", expert.id, payload)
    await session.commit()
    return await profile(session, expert)
