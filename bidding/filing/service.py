"""Tender filing use cases: drafts and documents, submission with the one-time notice (一次性告知),
officers' decisions, the overdue sweep (限时办理), provisional deadlines and SLA statistics.

Each use case is one transaction that appends its audit events last. The filing's status moves
only as `bidding.filing.states` allows; the checklist (`bidding.filing.checklist`) decides what is
deficient; the calendar decides when a round is due.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.blobs import StoredBlob
from app.core.calendar.rules import WorkingCalendar, end_of_day, start_of_day
from app.core.calendar.service import load_calendar, period_from
from app.core.clock import Clock
from app.core.guards import ensure_visible
from app.core.notifications import tell_supervisors
from app.core.problems import Conflict, InvalidRequest, NotFound, Problem
from app.core.validation import FieldError
from app.identity.models import Organization
from bidding.bids.publication import choose_custodians, publish_opening_key
from bidding.filing import states as filing_states
from bidding.filing.checklist import POLICIES, Deficiency, FilingFacts, PreviousTender, ProjectType, check_filing
from bidding.filing.models import Filing, FilingDocument, FilingRound
from bidding.filing.schemas import FilingDraft, ReturnRequest
from bidding.filing.sla import RoundRecord, SlaReport, sla_report
from bidding.filing.states import EDITABLE, Decision, FilingStatus, can_move
from bidding.tender.models import Tender
from bidding.tender.states import TenderStatus

DRAFT_FIELDS = tuple(FilingDraft.__struct_fields__)
DEEMED_REASON = "逾期视为同意 (deemed accepted on expiry)"
logger = logging.getLogger("ggzy.filing")


class FilingDeficient(Problem):
    """The one-time notice: every deficiency of a filing, in one answer."""

    status, slug, title = 422, "filing-deficient", "The filing has deficiencies (一次性告知)"

    def __init__(self, deficiencies: list[Deficiency], detail: str | None = None) -> None:
        super().__init__(
            detail or f"{len(deficiencies)} deficiencies: correct all of them, then submit again",
            zh=f"共 {len(deficiencies)} 项问题，请一并改正后重新提交"
            if detail is None
            else "备案现有问题，不能受理：请退回并一次性告知",
            deficiencies=[d.as_dict() for d in deficiencies],
        )


# -- reading --------------------------------------------------------------------------------


async def get_visible(session: AsyncSession, actor: Actor, filing_id: uuid.UUID, *, for_update: bool = False) -> Filing:
    """The filing, if `actor` may see it: its own agency, supervisors and admins; else 404."""
    filing = await session.get(Filing, filing_id, with_for_update=for_update)
    if filing is None:
        raise NotFound(f"filing {filing_id} not found", zh="未找到该备案")
    ensure_visible(actor, filing.agency_uscc, "filing", filing_id)
    return filing


async def documents_of(session: AsyncSession, filing_id: uuid.UUID) -> list[FilingDocument]:
    query = select(FilingDocument).where(FilingDocument.filing_id == filing_id).order_by(FilingDocument.uploaded_at)
    return list((await session.scalars(query)).all())


async def rounds_of(session: AsyncSession, filing_id: uuid.UUID) -> list[FilingRound]:
    query = select(FilingRound).where(FilingRound.filing_id == filing_id).order_by(FilingRound.number)
    return list((await session.scalars(query)).all())


async def current_round(session: AsyncSession, filing_id: uuid.UUID) -> FilingRound | None:
    query = select(FilingRound).where(FilingRound.filing_id == filing_id).order_by(FilingRound.number.desc()).limit(1)
    return await session.scalar(query)


async def tender_id_of(session: AsyncSession, filing_id: uuid.UUID) -> uuid.UUID | None:
    return await session.scalar(select(Tender.id).where(Tender.filing_id == filing_id))


async def list_visible(
    session: AsyncSession, actor: Actor, status: FilingStatus | None, *, limit: int, offset: int
) -> tuple[list[Filing], int]:
    query = select(Filing)
    if not actor.sees_all_orgs:
        query = query.where(Filing.agency_uscc == actor.org_uscc)
    if status is not None:
        query = query.where(Filing.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(Filing.updated_at.desc()).limit(limit).offset(offset))
    return list(rows.all()), total


# -- the agency's draft ---------------------------------------------------------------------------


def _draft_values(data: FilingDraft) -> dict[str, Any]:
    return {name: getattr(data, name) for name in DRAFT_FIELDS}


def _ensure_editable(filing: Filing) -> None:
    if filing.status not in EDITABLE:
        raise Conflict(
            f"the filing is {filing.status}: it can be changed only as a draft or after it is returned",
            zh="备案只有在草稿或被退回后才能修改",
            slug="filing-not-editable",
        )


async def create(session: AsyncSession, clock: Clock, actor: Actor, data: FilingDraft) -> Filing:
    assert actor.org_uscc is not None, "agency users always belong to an organization"
    now = clock.now()
    filing = Filing(
        agency_uscc=actor.org_uscc,
        created_by=actor.user_id,
        status=FilingStatus.draft,
        created_at=now,
        updated_at=now,
        **_draft_values(data),
    )
    session.add(filing)
    await session.flush()
    await audit.record(session, clock, actor, "filing.create", "filing", filing.id, msgspec.to_builtins(data))
    await session.commit()
    return filing


async def replace_draft(
    session: AsyncSession, clock: Clock, actor: Actor, filing_id: uuid.UUID, data: FilingDraft
) -> Filing:
    filing = await get_visible(session, actor, filing_id, for_update=True)
    _ensure_editable(filing)
    for name, value in _draft_values(data).items():
        setattr(filing, name, value)
    filing.updated_at = clock.now()
    await audit.record(session, clock, actor, "filing.update", "filing", filing.id, msgspec.to_builtins(data))
    await session.commit()
    return filing


async def check_upload_allowed(session: AsyncSession, actor: Actor, filing_id: uuid.UUID) -> None:
    """Refuse early, before any byte is stored; ends the read so no transaction spans the upload."""
    _ensure_editable(await get_visible(session, actor, filing_id))
    await session.commit()


async def add_document(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    filing_id: uuid.UUID,
    *,
    kind: str,
    filename: str,
    content_type: str,
    blob: StoredBlob,
) -> FilingDocument:
    filing = await get_visible(session, actor, filing_id, for_update=True)
    _ensure_editable(filing)
    document = FilingDocument(
        filing_id=filing.id,
        kind=kind,
        filename=filename,
        content_type=content_type,
        sha256=blob.sha256,
        size=blob.size,
        uploaded_at=clock.now(),
        uploaded_by=actor.user_id,
    )
    session.add(document)
    filing.updated_at = clock.now()
    await session.flush()
    payload = {
        "document": str(document.id),
        "kind": kind,
        "filename": filename,
        "sha256": blob.sha256,
        "size": blob.size,
    }
    await audit.record(session, clock, actor, "filing.document_add", "filing", filing.id, payload)
    await session.commit()
    return document


async def get_document(
    session: AsyncSession, actor: Actor, filing_id: uuid.UUID, document_id: uuid.UUID
) -> FilingDocument:
    await get_visible(session, actor, filing_id)
    document = await session.get(FilingDocument, document_id)
    if document is None or document.filing_id != filing_id:
        raise NotFound(f"document {document_id} not found", zh="未找到该文件")
    return document


async def remove_document(
    session: AsyncSession, clock: Clock, actor: Actor, filing_id: uuid.UUID, document_id: uuid.UUID
) -> None:
    filing = await get_visible(session, actor, filing_id, for_update=True)
    _ensure_editable(filing)
    document = await get_document(session, actor, filing_id, document_id)
    await session.delete(document)
    filing.updated_at = clock.now()
    payload = {"document": str(document_id), "kind": document.kind, "sha256": document.sha256}
    await audit.record(session, clock, actor, "filing.document_remove", "filing", filing.id, payload)
    await session.commit()


# -- submission and decisions ---------------------------------------------------------------------------


async def _previous_tender(session: AsyncSession, filing: Filing) -> PreviousTender | None:
    if filing.retender_of is None:
        return None
    previous = await session.get(Tender, filing.retender_of, with_for_update=True)  # one re-tender each
    if previous is None:
        return None
    successor = await session.scalar(select(Tender.id).where(Tender.retender_of == previous.id))
    retendered = successor is not None
    return PreviousTender(previous.status, previous.agency_uscc, retendered)


async def deficiencies_of(session: AsyncSession, filing: Filing, now: datetime, tz: ZoneInfo) -> list[Deficiency]:
    documents = await documents_of(session, filing.id)
    registered = filing.tenderee_uscc is not None and await session.get(Organization, filing.tenderee_uscc) is not None
    facts = FilingFacts(
        project_type=ProjectType(filing.project_type),
        agency_uscc=filing.agency_uscc,
        project_code=filing.project_code,
        tenderee_uscc=filing.tenderee_uscc,
        tenderee_registered=registered,
        procurement_method=filing.procurement_method,
        budget=filing.budget,
        announcement_date=filing.announcement_date,
        bid_deadline=filing.bid_deadline,
        opening_time=filing.opening_time,
        evaluation_method=filing.evaluation_method,
        committee_size=filing.committee_size,
        bid_validity_days=filing.bid_validity_days,
        state_funded=filing.state_funded,
        complex_or_high_impact=filing.complex_or_high_impact,
        bond_amount=filing.bond_amount,
        bond_forms=tuple(filing.bond_forms or ()),
        invitees=tuple(filing.invitees or ()),
        document_kinds=frozenset(d.kind for d in documents),
        retender_of=filing.retender_of,
        previous_tender=await _previous_tender(session, filing),
    )
    return check_filing(facts, now, tz)


async def _snapshot(session: AsyncSession, filing: Filing) -> dict[str, Any]:
    fields = {name: getattr(filing, name) for name in DRAFT_FIELDS}
    documents = [
        {"id": str(d.id), "kind": d.kind, "filename": d.filename, "sha256": d.sha256, "size": d.size}
        for d in await documents_of(session, filing.id)
    ]
    return {"fields": msgspec.to_builtins(fields), "documents": documents}


def _ensure_can_move(filing: Filing, target: FilingStatus, action: str) -> None:
    if not can_move(filing.status, target):
        raise Conflict(
            f"a {filing.status} filing cannot be {action}", zh="备案当前的状态不允许此操作", slug="filing-wrong-status"
        )


async def submit(session: AsyncSession, clock: Clock, actor: Actor, filing_id: uuid.UUID, tz: ZoneInfo) -> FilingRound:
    """Submit if nothing is deficient; otherwise raise the one-time notice and change nothing."""
    filing = await get_visible(session, actor, filing_id, for_update=True)
    _ensure_can_move(filing, FilingStatus.submitted, "submitted")
    now = clock.now()
    deficiencies = await deficiencies_of(session, filing, now, tz)
    if deficiencies:
        raise FilingDeficient(deficiencies)
    working_days = POLICIES[ProjectType(filing.project_type)].processing_working_days
    deadline = period_from(await load_calendar(session), now, working_days, tz, working=True)
    previous = await current_round(session, filing.id)
    submitted = FilingRound(
        filing_id=filing.id,
        number=previous.number + 1 if previous else 1,
        project_type=filing.project_type,
        submitted_at=now,
        submitted_by=actor.user_id,
        snapshot=await _snapshot(session, filing),
        working_days=working_days,
        deadline_day=deadline.last_day,
        due_at=deadline.due_at(tz),
        provisional=deadline.provisional,
    )
    session.add(submitted)
    filing_states.move(filing, FilingStatus.submitted)
    filing.updated_at = now
    await session.flush()
    payload = {"round": submitted.number, "deadline": deadline.last_day, "provisional": deadline.provisional}
    await audit.record(session, clock, actor, "filing.submit", "filing", filing.id, payload)
    await session.commit()
    return submitted


def _decide(
    round_: FilingRound,
    now: datetime,
    actor: Actor | None,
    decision: Decision,
    notice: list[Deficiency],
    comment: str | None,
) -> None:
    round_.decision, round_.decided_at, round_.comment = decision, now, comment
    round_.decided_by = actor.user_id if actor else None
    round_.decided_by_name = actor.username if actor else None
    round_.notice = [item.as_dict() for item in notice] or None


async def _accept(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    filing: Filing,
    round_: FilingRound,
    decision: Decision,
    comment: str | None,
) -> Tender:
    now = clock.now()
    officer = None if decision is Decision.deemed_accepted else actor
    _decide(round_, now, officer, decision, [], comment)
    filing_states.move(filing, FilingStatus.accepted)
    filing.updated_at = now
    tender = Tender(
        filing_id=filing.id,
        status=TenderStatus.published,
        project_name=filing.project_name,
        project_code=filing.project_code,
        project_type=filing.project_type,
        procurement_method=filing.procurement_method,
        tenderee_uscc=filing.tenderee_uscc,
        agency_uscc=filing.agency_uscc,
        budget=filing.budget,
        ceiling_price=filing.ceiling_price,
        reference_price=filing.reference_price,
        bid_validity_days=filing.bid_validity_days,
        bond_amount=filing.bond_amount,
        bond_forms=filing.bond_forms,
        bond_sme_exempt=filing.bond_sme_exempt,
        state_funded=filing.state_funded,
        invitees=filing.invitees,
        evaluation_method=filing.evaluation_method,
        committee_size=filing.committee_size,
        announcement_date=filing.announcement_date,
        bid_deadline=filing.bid_deadline,
        opening_time=filing.opening_time,
        published_at=now,
        retender_of=filing.retender_of,
    )
    session.add(tender)
    await session.flush()
    custodians = await choose_custodians(session, filing.created_by, officer.user_id if officer else None)
    names = await publish_opening_key(session, tender, custodians, filing.record_window_minutes)
    decided = {"round": round_.number, "comment": comment}
    await audit.record(session, clock, actor, f"filing.{decision}", "filing", filing.id, decided)
    published = {"filing": str(filing.id), "opening_key": tender.opening_public_key, "custodians": names}
    await audit.record(session, clock, actor, "tender.publish", "tender", tender.id, published)
    return tender


async def _round_to_decide(session: AsyncSession, filing: Filing) -> FilingRound:
    round_ = await current_round(session, filing.id)
    assert round_ is not None and round_.decision is None, "a submitted filing has an undecided round"
    return round_


async def accept(
    session: AsyncSession, clock: Clock, actor: Actor, filing_id: uuid.UUID, comment: str | None, tz: ZoneInfo
) -> Tender:
    """备案通过: the officer accepts the current round; the tender is published."""
    filing = await get_visible(session, actor, filing_id, for_update=True)
    _ensure_can_move(filing, FilingStatus.accepted, "accepted")
    deficiencies = await deficiencies_of(session, filing, clock.now(), tz)
    if deficiencies:
        raise FilingDeficient(
            deficiencies, "the filing has deficiencies now and cannot be accepted: return it with them"
        )
    tender = await _accept(
        session, clock, actor, filing, await _round_to_decide(session, filing), Decision.accepted, comment
    )
    await session.commit()
    return tender


async def return_for_correction(
    session: AsyncSession, clock: Clock, actor: Actor, filing_id: uuid.UUID, data: ReturnRequest, tz: ZoneInfo
) -> FilingRound:
    """退回补正: one notice with every item, the machine's (checked again now) and the officer's."""
    filing = await get_visible(session, actor, filing_id, for_update=True)
    _ensure_can_move(filing, FilingStatus.returned, "returned")
    now = clock.now()
    notice = await deficiencies_of(session, filing, now, tz) + [item.deficiency() for item in data.items]
    if not notice:
        raise InvalidRequest(
            [FieldError("items", "empty", "say what must be corrected: a return needs at least one item")]
        )
    round_ = await _round_to_decide(session, filing)
    _decide(round_, now, actor, Decision.returned, notice, data.comment)
    filing_states.move(filing, FilingStatus.returned)
    filing.updated_at = now
    payload = {"round": round_.number, "notice": round_.notice, "comment": data.comment}
    await audit.record(session, clock, actor, "filing.return", "filing", filing.id, payload)
    await session.commit()
    return round_


# -- time -------------------------------------------------------------------------------------------------


async def overdue_rounds(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """The rounds whose next event is going overdue, now."""
    rows = await session.execute(
        select(FilingRound.id, FilingRound.decision, FilingRound.overdue_at, FilingRound.due_at).where(
            FilingRound.decision.is_(None), FilingRound.overdue_at.is_(None), FilingRound.due_at <= now
        )
    )
    return [
        round_id
        for round_id, decision, overdue_at, due_at in rows.all()
        if (due := filing_states.round_next_event(decision is not None, overdue_at is not None, due_at))
        and due.is_due(now)
    ]


async def mark_overdue(session: AsyncSession, clock: Clock, actor: Actor, round_id: uuid.UUID, tz: ZoneInfo) -> bool:
    """Mark an undecided round past its deadline overdue, once; notify the officers on duty; and
    where the project type's policy says so (逾期视为同意), accept the filing with that reason."""
    now = clock.now()
    marked = (
        await session.execute(
            update(FilingRound)
            .where(FilingRound.id == round_id, FilingRound.decision.is_(None), FilingRound.overdue_at.is_(None))
            .where(FilingRound.due_at <= now)
            .values(overdue_at=now)
            .returning(FilingRound.filing_id, FilingRound.number, FilingRound.due_at)
        )
    ).first()
    if marked is None:  # decided, already marked, or given more time meanwhile
        await session.commit()
        return False
    filing_id, number, due_at = marked
    filing = await session.get(Filing, filing_id, with_for_update=True)
    assert filing is not None
    message = f"备案逾期未办结：{filing.project_name}（第{number}轮，办理时限{due_at.astimezone(tz):%Y-%m-%d %H:%M}）"
    await tell_supervisors(
        session,
        clock,
        "filing.overdue",
        "filing",
        filing_id,
        message,
        f"filing.overdue:{round_id}",
    )
    await audit.record(session, clock, actor, "filing.overdue", "filing", filing_id, {"round": number})
    policy = POLICIES[ProjectType(filing.project_type)]
    if policy.deemed_accepted_when_overdue and filing.status == FilingStatus.submitted:
        await _deem_accepted(session, clock, actor, filing, now, tz)
    await session.commit()
    return True


async def _deem_accepted(
    session: AsyncSession, clock: Clock, actor: Actor, filing: Filing, now: datetime, tz: ZoneInfo
) -> None:
    """逾期视为同意, unless the filing fails the checklist by now or no custodians can take the
    opening key: then it stays overdue for an officer."""
    if await deficiencies_of(session, filing, now, tz):
        return
    round_ = await _round_to_decide(session, filing)
    try:
        async with session.begin_nested():
            await _accept(session, clock, actor, filing, round_, Decision.deemed_accepted, DEEMED_REASON)
    except Conflict as exc:
        logger.warning("filing %s is overdue but cannot be deemed accepted: %s", filing.id, exc.detail)


async def recompute_provisional_deadlines(
    session: AsyncSession, clock: Clock, actor: Actor, calendar: WorkingCalendar, tz: ZoneInfo
) -> int:
    """Give every round with a provisional deadline the deadline the calendar gives now; the caller commits."""
    rounds = (await session.scalars(select(FilingRound).where(FilingRound.provisional.is_(True)))).all()
    now = clock.now()
    for round_ in rounds:
        deadline = period_from(calendar, round_.submitted_at, round_.working_days, tz, working=True)
        old = round_.deadline_day
        round_.deadline_day, round_.due_at, round_.provisional = (
            deadline.last_day,
            deadline.due_at(tz),
            deadline.provisional,
        )
        if round_.overdue_at is not None and round_.decision is None and round_.due_at > now:
            round_.overdue_at = None  # the official schedule gave it more time
        payload = {"round": round_.number, "from": old, "to": deadline.last_day, "provisional": deadline.provisional}
        await audit.record(session, clock, actor, "filing.deadline_recomputed", "filing", round_.filing_id, payload)
    return len(rounds)


async def statistics(
    session: AsyncSession, calendar: WorkingCalendar, tz: ZoneInfo, start: date, end: date, now: datetime
) -> SlaReport:
    """SLA figures over the rounds submitted from `start` to `end` inclusive (local dates)."""
    since, until = start_of_day(start, tz), end_of_day(end, tz)
    query = (
        select(FilingRound, Filing.project_name)
        .join(Filing, Filing.id == FilingRound.filing_id)
        .where(FilingRound.submitted_at >= since, FilingRound.submitted_at < until)
    )
    records = [
        RoundRecord(
            r.filing_id, r.number, name, r.project_type, r.submitted_at, r.due_at, r.decided_at, r.decided_by_name
        )
        for r, name in (await session.execute(query)).all()
    ]
    return sla_report(records, now, calendar, tz)
