"""Bid validity (投标有效期, 实施条例 art. 25): each tender states the period, counted from its bid
deadline by the kernel's period function; the award falls within it. When it will not, the
tenderee's agency asks the bidders to extend (to 24:00 of a later day, with its reason); each
bidder consents or refuses for itself, recorded; a refusal lets its bid lapse at the end of the
validity it had (its bond is returned, art. 25 ¶2). The award skips a candidate whose bid has
lapsed. The scheduler reminds the agency and the supervisors once when fewer than 30 working
days remain and nothing is awarded (七部委12号令 art. 40); it decides nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.calendar.rules import end_of_day
from app.core.calendar.service import Periods, periods
from app.core.clock import Clock
from app.core.notifications import Notice, notify, notify_many, tell_supervisors
from app.core.problems import Conflict, Forbidden, InvalidRequest, NotFound
from app.core.validation import FieldError
from app.identity import service as identity
from bidding.award import states
from bidding.award.models import ValidityConsent, ValidityExtension
from bidding.bids.models import Bid
from bidding.tender.models import Tender
from bidding.tender.queries import visible_tender
from bidding.tender.states import TenderStatus

# Until the contract: the statuses in which a bid's validity still matters.
OPEN_STATUSES = frozenset(
    {
        TenderStatus.published,
        TenderStatus.opening,
        TenderStatus.opened,
        TenderStatus.evaluation,
        TenderStatus.evaluated,
        TenderStatus.candidates,
        TenderStatus.publicity,
        TenderStatus.awarded,
    }
)
NOT_YET_AWARDED = OPEN_STATUSES - {TenderStatus.awarded}


def base_end(counted: Periods, tender: Tender) -> datetime | None:
    """When the validity the tender stated ends (None: a tender filed before it was required)."""
    if tender.bid_validity_days is None:
        return None
    return counted.end_of(tender.bid_deadline, states.validity_rule(tender.bid_validity_days))


def last_day_of(end: datetime, tz: ZoneInfo) -> date:
    """The last day of a period that ends at `end` (24:00 of that day, local time)."""
    return (end.astimezone(tz) - timedelta(seconds=1)).date()


async def _extensions(session: AsyncSession, tender_id: uuid.UUID) -> list[ValidityExtension]:
    rows = await session.scalars(
        select(ValidityExtension)
        .where(ValidityExtension.tender_id == tender_id)
        .order_by(ValidityExtension.requested_at)
    )
    return list(rows)


async def _answers(session: AsyncSession, extension_ids: list[uuid.UUID]) -> dict[tuple[uuid.UUID, str], bool]:
    if not extension_ids:
        return {}
    rows = await session.scalars(select(ValidityConsent).where(ValidityConsent.extension_id.in_(extension_ids)))
    return {(row.extension_id, row.bidder_uscc): row.consent for row in rows}


async def valid_until_of(
    session: AsyncSession, counted: Periods, tender: Tender, usccs: Sequence[str]
) -> dict[str, datetime | None]:
    """When each bidder's bid on the tender stops being valid (None: the tender states no
    period); the extensions and answers are read once for all of them."""
    end = base_end(counted, tender)
    if end is None:
        return dict.fromkeys(usccs)
    extensions = await _extensions(session, tender.id)
    answers = await _answers(session, [e.id for e in extensions])
    ends = [(e, end_of_day(e.until, counted.tz)) for e in extensions]
    return {
        uscc: states.bid_valid_until(end, [(e.requested_at, until, answers.get((e.id, uscc))) for e, until in ends])
        for uscc in usccs
    }


async def valid_until(session: AsyncSession, counted: Periods, tender: Tender, uscc: str) -> datetime | None:
    """When `uscc`'s bid on the tender stops being valid (None: the tender states no period)."""
    return (await valid_until_of(session, counted, tender, [uscc]))[uscc]


async def _bidders(session: AsyncSession, tender_id: uuid.UUID) -> list[str]:
    rows = await session.scalars(
        select(Bid.bidder_uscc).where(Bid.tender_id == tender_id, Bid.status == "submitted").distinct()
    )
    return list(rows)


async def request_extension(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    until: date,
    reason: str,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """The agency asks every bidder to extend its bid's validity to 24:00 of `until`."""
    tender = await session.scalar(select(Tender).where(Tender.id == tender_id).with_for_update())
    if tender is None:
        raise NotFound(f"tender {tender_id} not found")
    if not (actor.has_role(Role.agency) and actor.org_uscc == tender.agency_uscc):
        raise Forbidden("only the tender's agency asks bidders to extend their bids' validity")
    counted = await periods(session, tz)
    end = base_end(counted, tender)
    if end is None:
        raise Conflict("the tender states no bid validity period")
    if tender.status not in OPEN_STATUSES:
        raise Conflict(f"the tender is {tender.status}: no bid's validity is pending")
    extensions = await _extensions(session, tender_id)
    latest = max([end, *(end_of_day(e.until, tz) for e in extensions)])
    errors: list[FieldError] = []
    if end_of_day(until, tz) <= latest:
        message = f"a day after the current last day of the validity ({last_day_of(latest, tz)})"
        errors.append(FieldError("until", "not_later", message))
    if not reason.strip():
        errors.append(FieldError("reason", "required", "say why the award cannot be made within the validity"))
    if errors:
        raise InvalidRequest(errors)
    extension = ValidityExtension(
        id=uuid.uuid4(),
        tender_id=tender_id,
        until=until,
        reason=reason.strip(),
        requested_at=clock.now(),
        requested_by=actor.username,
    )
    session.add(extension)
    await audit.record(
        session,
        clock,
        actor,
        "tender.validity_extension",
        "tender",
        tender_id,
        {"extension": str(extension.id), "until": until.isoformat(), "reason": extension.reason},
    )
    users = await identity.users_of_orgs(session, await _bidders(session, tender_id))
    message = f"招标人请求将投标有效期延长至 {until.isoformat()}（请表示同意或拒绝）：{tender.project_name}"
    await notify_many(
        session,
        clock,
        [
            Notice(Role.bidder, "validity_extension", "tender", tender_id, message, f"validity:{extension.id}:{u}", u)
            for u, _ in users
        ],
    )
    await session.commit()
    return await view(session, actor, tender_id, tz)


async def answer(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    extension_id: uuid.UUID,
    consent: bool,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """A bidder consents to an extension or refuses it, once, while its bid is still valid."""
    tender = await visible_tender(session, actor, tender_id)
    extension = await session.get(ValidityExtension, extension_id)
    if extension is None or extension.tender_id != tender_id:
        raise NotFound(f"validity extension {extension_id} not found")
    uscc = actor.org_uscc or ""
    if uscc not in await _bidders(session, tender_id):
        raise Forbidden("only a bidder of this tender answers for its own bid")
    if await session.get(ValidityConsent, (extension_id, uscc)) is not None:
        raise Conflict("your organization has answered this extension already")
    counted = await periods(session, tz)
    now = clock.now()
    until = await valid_until(session, counted, tender, uscc)
    if until is not None and until <= now:
        raise Conflict(f"your bid's validity ended at {until.astimezone(tz).isoformat()}: it cannot be extended")
    session.add(
        ValidityConsent(
            extension_id=extension_id, bidder_uscc=uscc, consent=consent, answered_at=now, answered_by=actor.username
        )
    )
    await audit.record(
        session,
        clock,
        actor,
        "tender.validity_consent" if consent else "tender.validity_refusal",
        "tender",
        tender_id,
        {"extension": str(extension_id), "bidder": uscc, "consent": consent},
    )
    await session.commit()
    return await view(session, actor, tender_id, tz)


async def view(session: AsyncSession, actor: Actor, tender_id: uuid.UUID, tz: ZoneInfo) -> dict[str, Any]:
    """The tender's validity: its days and end, the extensions; the agency and officers see every
    bidder's answer, a bidder its own and its bid's end."""
    tender = await visible_tender(session, actor, tender_id)
    counted = await periods(session, tz)
    end = base_end(counted, tender)
    extensions = await _extensions(session, tender_id)
    answers = await _answers(session, [e.id for e in extensions])
    officer = actor.sees_all_orgs or actor.org_uscc == tender.agency_uscc
    own = actor.org_uscc if actor.org_uscc in await _bidders(session, tender_id) else None
    return {
        "tender": str(tender_id),
        "days": tender.bid_validity_days,
        "ends_at": end.isoformat() if end else None,
        "extensions": [
            {
                "id": str(e.id),
                "until": e.until.isoformat(),
                "reason": e.reason,
                "requested_at": e.requested_at.isoformat(),
                "answers": {
                    uscc: consent
                    for (extension_id, uscc), consent in answers.items()
                    if extension_id == e.id and (officer or uscc == own)
                },
            }
            for e in extensions
        ],
        "own_valid_until": None
        if own is None or end is None
        else (await valid_until(session, counted, tender, own) or end).isoformat(),
    }


# --- the reminder (the chronograph's step) ------------------------------------------------------


async def reminder_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Tenders stating a validity, not yet awarded and not yet reminded (the step checks the 30
    working days itself)."""
    rows = await session.scalars(
        select(Tender.id).where(
            Tender.bid_validity_days.is_not(None),
            Tender.validity_reminded_at.is_(None),
            Tender.status.in_(sorted(NOT_YET_AWARDED)),
            Tender.bid_deadline <= now,
        )
    )
    return list(rows)


async def remind(session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor, tz: ZoneInfo) -> bool:
    """Once fewer than 30 working days remain of the validity and nothing is awarded: tell the
    agency and the supervisors (they decide whether to ask for an extension)."""
    tender = await session.scalar(select(Tender).where(Tender.id == tender_id).with_for_update())
    if tender is None or tender.validity_reminded_at is not None or tender.status not in NOT_YET_AWARDED:
        return False
    counted = await periods(session, tz)
    end = base_end(counted, tender)
    now = clock.now()
    if end is None or counted.end_of(now, states.VALIDITY_REMINDER) < end:
        return False
    tender.validity_reminded_at = now
    message = f"投标有效期至 {last_day_of(end, tz)} 24:00 届满，尚未定标，请考虑请求投标人延长：{tender.project_name}"
    payload = {"ends_at": end.isoformat()}
    await audit.record(session, clock, actor, "tender.validity_reminder", "tender", tender_id, payload)
    for user_id, _ in await identity.users_of_orgs(session, [tender.agency_uscc]):
        await notify(
            session,
            clock,
            audience_role=Role.agency,
            kind="validity_expiring",
            object_type="tender",
            object_id=tender_id,
            message=message,
            dedupe_key=f"validity:{tender_id}:{user_id}",
            recipient_id=user_id,
        )
    await tell_supervisors(
        session,
        clock,
        "validity_expiring",
        "tender",
        tender_id,
        message,
        f"validity:{tender_id}",
    )
    await session.commit()
    return True
