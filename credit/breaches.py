"""Breaches of the credit commitment (信用承诺) recorded on the platform's own list.

Every sealed bid carries the bidder's signed commitment (the declaration's `credit_commitment`,
kept with the bid's opening outcome). When an officer finds it broken — false material found in
evaluation, a withdrawal after the deadline, an award or a contract refused, an awarded service
abandoned by an intermediary — the officer records the breach: an entry on the `platform` list,
for the duration its memorandum's rule sets (or the officer's), in the audit trail. The subject
is told at once and the entry takes effect the day after its statement period (陈述申辩, the
list's `statement_working_days`; credit.submissions records the statement); an officer may end
an entry early (`end_early`), with a reason — before it takes effect, it never does.

The platform's entry warns only (a trading centre is a service body). A supervisor enters a
competent authority's decision on it (`record_decision`: authority, number, day, measures,
until, legal basis, the document): then, and only then, the entry bars (credit.matching).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.blobs import StoredBlob
from app.core.calendar.rules import PeriodRule
from app.core.calendar.service import periods
from app.core.clock import Clock
from app.core.notifications import Notice, notify_many
from app.core.problems import Conflict, InvalidRequest, NotFound
from app.core.validation import FieldError
from app.identity import service as identity
from app.identity.models import Organization
from credit import submissions
from credit.lists import list_type_or_404, next_version, shown
from credit.matching import MEASURES
from credit.memoranda import current_rules
from credit.models import CreditEntry, CreditListImport

PLATFORM = "platform"
BARS = tuple(m for m in MEASURES if m != "warning")
BREACHES = {
    "false_material": "提供虚假材料",
    "withdrawal_after_deadline": "投标截止后撤回投标文件",
    "refused_award": "放弃中标",
    "refused_contract": "拒不签订合同",
    "abandoned_service": "中介机构放弃已选中的服务",
}


async def _current_count(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(CreditEntry.list_type == PLATFORM, CreditEntry.removed_in.is_(None))
        )
        or 0
    )


async def record_breach(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tz: ZoneInfo,
    *,
    uscc: str,
    kind: str,
    reference: str,
    note: str,
    days: int | None,
) -> dict[str, Any]:
    org = await session.get(Organization, uscc)
    if org is None:
        raise InvalidRequest([FieldError("uscc", "unknown", f"no organization {uscc} is registered on the platform")])
    document = f"{kind}:{reference}"
    key = f"org:{uscc}|{document}"
    if await session.scalar(
        select(CreditEntry.id).where(
            CreditEntry.list_type == PLATFORM, CreditEntry.entry_key == key, CreditEntry.removed_in.is_(None)
        )
    ):
        raise Conflict("this breach is recorded already", slug="breach-recorded")
    rule = (await current_rules(session)).get(PLATFORM)
    duration = days if days is not None else rule.duration_days if rule else None
    kind_row = await list_type_or_404(session, PLATFORM, for_update=True)  # one breach of the list at a time
    counted = await periods(session, tz)
    statement_due = (
        counted.last_day_of(clock.now(), statement_rule(kind_row.statement_working_days))
        if kind_row.statement_working_days
        else None
    )
    listed_on = statement_due + timedelta(days=1) if statement_due else counted.today(clock.now())
    version = await next_version(session, PLATFORM)
    reason = f"{BREACHES[kind]}：{note}"
    entry = CreditEntry(
        list_type=PLATFORM,
        entry_key=key,
        digest=hashlib.sha256(reason.encode()).hexdigest()[:32],
        subject_kind="organization",
        uscc=uscc,
        person_hash=None,
        masked_id=None,
        name=org.name,
        reason=reason,
        authority="公共资源交易中心",
        document=document,
        listed_on=listed_on,
        expires_on=listed_on + timedelta(days=duration) if duration else None,
        removed_on=None,
        added_in=version,
    )
    session.add(entry)
    await session.flush()
    session.add(
        CreditListImport(
            list_type=PLATFORM,
            version=version,
            source=f"breach:{kind}",
            file_sha256="",
            imported_at=clock.now(),
            imported_by=actor.username,
            entries=await _current_count(session),
            added=1,
            removed=0,
            changed=0,
        )
    )
    view = shown(entry)
    await audit.record(
        session,
        clock,
        actor,
        "credit.breach",
        "org",
        uscc,
        {
            "kind": kind,
            "reference": reference,
            "entry": entry.id,
            "duration_days": duration,
            "rule_version": rule.version if rule else None,
            "statement_due": statement_due.isoformat() if statement_due else None,
        },
    )
    await _tell_subject(session, clock, entry, statement_due)
    await session.commit()
    return {
        **view,
        "duration_days": duration,
        "legal_basis": rule.legal_basis if rule else None,
        "statement_due": statement_due.isoformat() if statement_due else None,
    }


def statement_rule(days: int) -> PeriodRule:
    return PeriodRule(days, True, "陈述申辩: the subject answers before a platform listing takes effect")


async def _tell_subject(session: AsyncSession, clock: Clock, entry: CreditEntry, statement_due: date | None) -> None:
    """The subject's users learn of the record at once, with the statement period."""
    answer = (
        f"，可于 {statement_due.isoformat()} 24:00 前陈述申辩（POST /api/v1/credit/breaches/{entry.id}/statement）"
        if statement_due
        else ""
    )
    message = f"失信记录告知：{entry.reason}；{entry.listed_on.isoformat()} 起生效{answer}"
    notices = [
        Notice(Role.bidder, "credit_breach", "org", entry.uscc or "", message, f"breach:{entry.id}:{user_id}", user_id)
        for user_id, _ in await identity.users_of_orgs(session, [entry.uscc or ""])
    ]
    await notify_many(session, clock, notices)


def _decision_errors(decision: dict[str, Any], today: date, known_blob: Callable[[str], bool]) -> list[FieldError]:
    errors = []
    for name in ("authority", "number", "legal_basis"):
        if not str(decision[name]).strip():
            errors.append(FieldError(name, "required", "required"))
    decided_on, until = decision["decided_on"], decision["until"]
    if decided_on > today:
        errors.append(FieldError("decided_on", "future", "a decision already made: not after today"))
    if until is not None and until < decided_on:
        errors.append(FieldError("until", "before_decided_on", "on or after the day of the decision"))
    measures = decision["measures"]
    if not measures or not set(measures) <= set(BARS) or len(set(measures)) != len(measures):
        errors.append(FieldError("measures", "invalid", "one or more of " + ", ".join(BARS) + ", each once"))
    if not known_blob(decision["document_sha256"]):
        message = "upload the decision document first (POST /api/v1/credit/documents)"
        errors.append(FieldError("document_sha256", "unknown", message))
    return errors


async def record_decision(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tz: ZoneInfo,
    entry_id: int,
    decision: dict[str, Any],
    known_blob: Callable[[str], bool],
) -> dict[str, Any]:
    """A supervisor enters a competent authority's decision on a platform-list entry, with the
    document: the entry then bars by the decision's measures (实施条例 arts. 67–68)."""
    entry = await _current_platform_entry(session, entry_id)
    errors = _decision_errors(decision, clock.now().astimezone(tz).date(), known_blob)
    if errors:
        raise InvalidRequest(errors)
    stored = {
        **decision,
        "decided_on": decision["decided_on"].isoformat(),
        "until": decision["until"].isoformat() if decision["until"] else None,
        "entered_by": actor.username,
        "entered_at": clock.now().isoformat(),
    }
    entry.decision = stored
    await audit.record(
        session, clock, actor, "credit.authority_decision", "org", entry.uscc, {"entry": entry.id, **stored}
    )
    await session.commit()
    return shown(entry)


async def _current_platform_entry(session: AsyncSession, entry_id: int) -> CreditEntry:
    if not 1 <= entry_id < 2**63:
        raise NotFound("no current entry of the platform's list has this id")
    entry = await session.scalar(select(CreditEntry).where(CreditEntry.id == entry_id).with_for_update())
    if entry is None or entry.list_type != PLATFORM or entry.removed_in is not None:
        raise NotFound("no current entry of the platform's list has this id")
    return entry


async def end_early(
    session: AsyncSession, clock: Clock, actor: Actor, tz: ZoneInfo, entry_id: int, reason: str
) -> dict[str, Any]:
    """End a platform-list entry before it expires: it stops counting from today (before it took
    effect, after the subject's statement: it never does)."""
    entry = await _current_platform_entry(session, entry_id)
    today = clock.now().astimezone(tz).date()
    if entry.removed_on is not None and entry.removed_on <= today:
        raise Conflict("the entry has ended already")
    if entry.expires_on is not None and entry.expires_on <= today:
        raise Conflict("the entry has expired already")
    entry.removed_on = max(today, entry.listed_on)
    await audit.record(
        session,
        clock,
        actor,
        "credit.breach_ended",
        "org",
        entry.uscc,
        {"entry": entry.id, "removed_on": entry.removed_on.isoformat(), "reason": reason},
    )
    await session.commit()
    return shown(entry)


async def listing(session: AsyncSession, actor: Actor, limit: int, offset: int) -> list[dict[str, Any]]:
    """The platform list's current entries, newest first, each with its authority decision and
    the subject's statements and repair applications: supervisors see all, an organization its own."""
    query = select(CreditEntry).where(CreditEntry.list_type == PLATFORM, CreditEntry.removed_in.is_(None))
    if not actor.sees_all_orgs:
        query = query.where(CreditEntry.uscc == (actor.org_uscc or ""))
    rows = list(await session.scalars(query.order_by(CreditEntry.id.desc()).limit(limit).offset(offset)))
    found = await submissions.of_entries(session, [e.id for e in rows])
    return [{**shown(e), "submissions": found.get(e.id, [])} for e in rows]


async def record_document(
    session: AsyncSession, clock: Clock, actor: Actor, stored: StoredBlob, filename: str
) -> dict[str, Any]:
    """An authority's decision document, stored: its digest is what `record_decision` cites."""
    payload = {"sha256": stored.sha256, "size": stored.size, "filename": filename}
    await audit.record(session, clock, actor, "credit.document", "credit_document", stored.sha256, payload)
    await session.commit()
    return payload
