"""What a listed subject submits about an entry of the platform's own list, and the supervisors'
answers:

* its statement (陈述申辩) during the statement period, before the entry takes effect: recorded
  and shown to the supervisors, who may then end the entry before it ever counts
  (credit.breaches.end_early);
* a credit-repair application (信用修复) once the entry has been published for its list's minimum
  period (`min_publication_days`, 信用修复管理办法, 国家发展改革委令第36号): a supervisor grants it
  (the entry ends today) or refuses it, with reasons. Entries of the imported lists are repaired
  by the authority that issued them, whom the refusal names.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.notifications import tell_supervisors
from app.core.problems import Conflict, InvalidRequest, NotFound
from app.core.validation import FieldError
from credit.lists import list_type_or_404
from credit.models import CreditEntry, CreditSubmission
from credit.states import SubmissionStatus, move_submission


async def _own_entry(session: AsyncSession, actor: Actor, entry_id: int) -> CreditEntry:
    """A current entry about the actor's own organization (anyone else's is not found)."""
    entry = await session.get(CreditEntry, entry_id) if 1 <= entry_id < 2**63 else None
    if entry is None or entry.removed_in is not None or not actor.org_uscc or entry.uscc != actor.org_uscc:
        raise NotFound("no current entry about your organization has this id")
    return entry


def _text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidRequest([FieldError("text", "required", "required")])
    return text


async def state(
    session: AsyncSession, clock: Clock, actor: Actor, tz: ZoneInfo, entry_id: int, text: str
) -> dict[str, Any]:
    """The subject's statement on a platform entry, before the entry takes effect."""
    entry = await _own_entry(session, actor, entry_id)
    text = _text(text)
    today = clock.now().astimezone(tz).date()
    if entry.list_type != "platform" or today >= entry.listed_on:
        raise Conflict(
            f"a statement is made before the entry takes effect: it took effect on {entry.listed_on}",
            slug="period-ended",
        )
    return await _submit(session, clock, actor, entry, "statement", text, SubmissionStatus.received)


async def apply_for_repair(
    session: AsyncSession, clock: Clock, actor: Actor, tz: ZoneInfo, entry_id: int, text: str
) -> dict[str, Any]:
    """A credit-repair application, once the entry's list's minimum publication period has passed."""
    entry = await _own_entry(session, actor, entry_id)
    text = _text(text)
    kind = await list_type_or_404(session, entry.list_type)
    if kind.min_publication_days is None:
        raise Conflict(f"entries of this list are repaired by the authority that listed them: {kind.authority}")
    earliest = entry.listed_on + timedelta(days=kind.min_publication_days)
    today = clock.now().astimezone(tz).date()
    if today < earliest:
        raise Conflict(
            f"credit repair is applied for after the {kind.min_publication_days}-day minimum publication "
            f"(国家发展改革委令第36号): from {earliest}",
            slug="too-early",
        )
    pending = await session.scalar(
        select(CreditSubmission.id).where(
            CreditSubmission.entry_id == entry.id,
            CreditSubmission.kind == "repair",
            CreditSubmission.status == SubmissionStatus.open,
        )
    )
    if pending is not None:
        raise Conflict("an application for this entry awaits its decision")
    return await _submit(session, clock, actor, entry, "repair", text, SubmissionStatus.open)


async def decide_repair(
    session: AsyncSession, clock: Clock, actor: Actor, tz: ZoneInfo, submission_id: uuid.UUID, grant: bool, reason: str
) -> dict[str, Any]:
    """A supervisor grants an application (the entry ends today: it no longer counts) or refuses
    it; both with reasons, audited, and the subject told."""
    submission = await session.scalar(
        select(CreditSubmission).where(CreditSubmission.id == submission_id).with_for_update()
    )
    if submission is None or submission.kind != "repair":
        raise NotFound(f"no credit-repair application {submission_id}")
    if submission.status != SubmissionStatus.open:
        raise Conflict("the application is decided already")
    reason = reason.strip()
    if not reason:
        raise InvalidRequest([FieldError("reason", "required", "a decision states its reasons")])
    now = clock.now()
    move_submission(submission, SubmissionStatus.granted if grant else SubmissionStatus.refused)
    submission.decided_at, submission.decided_by, submission.reason = now, actor.username, reason
    entry = await session.get(CreditEntry, submission.entry_id, with_for_update=True)
    if grant and entry is not None and entry.removed_in is None:
        entry.removed_on = max(now.astimezone(tz).date(), entry.listed_on)
    payload = {"entry": submission.entry_id, "submission": str(submission.id), "grant": grant, "reason": reason}
    await audit.record(session, clock, actor, "credit.repair_decided", "org", submission.uscc, payload)
    await session.commit()
    return view(submission)


async def of_entries(session: AsyncSession, entry_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = await session.scalars(
        select(CreditSubmission).where(CreditSubmission.entry_id.in_(entry_ids)).order_by(CreditSubmission.submitted_at)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for s in rows:
        found.setdefault(s.entry_id, []).append(view(s))
    return found


async def open_repairs(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(CreditSubmission)
        .where(CreditSubmission.kind == "repair", CreditSubmission.status == SubmissionStatus.open)
        .order_by(CreditSubmission.submitted_at)
    )
    return [view(s) for s in rows]


async def _submit(
    session: AsyncSession, clock: Clock, actor: Actor, entry: CreditEntry, kind: str, text: str, status: str
) -> dict[str, Any]:
    """Record a statement or an application, audited, the supervisors told; committed."""
    submission = CreditSubmission(
        id=uuid.uuid4(),
        entry_id=entry.id,
        kind=kind,
        uscc=entry.uscc or "",
        text=text[:4000],
        submitted_at=clock.now(),
        submitted_by=actor.username,
        status=status,
    )
    session.add(submission)
    payload = {"entry": entry.id, "submission": str(submission.id)}
    await audit.record(session, clock, actor, f"credit.{kind}", "org", entry.uscc, payload)
    await tell_supervisors(
        session,
        clock,
        f"credit_{kind}",
        "credit_entry",
        entry.id,
        f"{'陈述申辩' if kind == 'statement' else '信用修复申请'}：{entry.name}（{entry.uscc}）",
        f"credit_{kind}:{submission.id}",
    )
    await session.commit()
    return view(submission)


def view(s: CreditSubmission) -> dict[str, Any]:
    return {
        "id": str(s.id),
        "entry": s.entry_id,
        "kind": s.kind,
        "uscc": s.uscc,
        "text": s.text,
        "submitted_at": s.submitted_at.isoformat(),
        "status": s.status,
        "decided_at": s.decided_at.isoformat() if s.decided_at else None,
        "reason": s.reason,
    }
