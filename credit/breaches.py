"""Breaches of the credit commitment (信用承诺) recorded on the platform's own list.

Every sealed bid carries the bidder's signed commitment (the declaration's `credit_commitment`,
kept with the bid's opening outcome). When an officer finds it broken — false material found in
evaluation, a withdrawal after the deadline, an award or a contract refused, an awarded service
abandoned by an intermediary — the officer records the breach: an entry on the `platform` list,
for the duration its memorandum's rule sets (or the officer's), in the audit trail. An officer
may end an entry early (`end_early`), with a reason.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.problems import Conflict, InvalidRequest, NotFound
from app.core.validation import FieldError
from app.identity.models import Organization
from credit.lists import list_type_or_404, next_version, shown
from credit.memoranda import current_rules
from credit.models import CreditEntry, CreditListImport

PLATFORM = "platform"
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
    today = clock.now().astimezone(tz).date()
    await list_type_or_404(session, PLATFORM, for_update=True)  # one breach of the list at a time
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
        listed_on=today,
        expires_on=today + timedelta(days=duration) if duration else None,
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
        },
    )
    await session.commit()
    return {**view, "duration_days": duration, "legal_basis": rule.legal_basis if rule else None}


async def end_early(
    session: AsyncSession, clock: Clock, actor: Actor, tz: ZoneInfo, entry_id: int, reason: str
) -> dict[str, Any]:
    """End a platform-list entry before it expires (信用修复): it stops counting from today."""
    if not 1 <= entry_id < 2**63:
        raise NotFound("no current entry of the platform's list has this id")
    entry = await session.scalar(select(CreditEntry).where(CreditEntry.id == entry_id).with_for_update())
    if entry is None or entry.list_type != PLATFORM or entry.removed_in is not None:
        raise NotFound("no current entry of the platform's list has this id")
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
