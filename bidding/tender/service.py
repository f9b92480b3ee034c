"""Use cases of a published tender's documents: bidders obtain them (获取招标文件, recorded), the
agency clarifies or changes them (澄清/修改) — moving the deadline when fewer than 15 days remain
(`bidding.tender.amendments`) and telling every holder — and bidders confirm bids sealed before.

Each use case is one transaction with its audit event; the tender row is locked while the
deadline moves, as a bid's submission locks it, so a bid is judged against one deadline.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.blobs import StoredBlob
from app.core.calendar.service import load_calendar
from app.core.clock import Clock
from app.core.notifications import Notice, notify_many
from app.core.problems import Conflict, Forbidden, InvalidRequest, NotFound
from app.core.validation import FieldError
from app.identity import service as identity
from bidding.bids.models import Bid
from bidding.bids.states import BidStatus
from bidding.filing.checklist import DocumentKind
from bidding.filing.models import FilingDocument
from bidding.tender import amendments
from bidding.tender.amendments import AmendmentKind
from bidding.tender.models import BidConfirmation, DocumentDownload, Tender, TenderAmendment, TenderDocument
from bidding.tender.queries import tender_holders, visible_tender
from bidding.tender.states import TenderStatus

# What bidders obtain of a filing: the announcement and the tender documents, not the agency's papers.
PUBLIC_FILING_DOCUMENTS = (DocumentKind.announcement, DocumentKind.tender_document)


def _document(
    kind: str, id_: uuid.UUID, filename: str, sha256: str, size: int, amendment: int | None
) -> dict[str, Any]:
    return {"id": str(id_), "kind": kind, "filename": filename, "sha256": sha256, "size": size, "amendment": amendment}


async def documents(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> list[dict[str, Any]]:
    """The tender's documents as bidders obtain them: the filed ones, then those amendments published."""
    tender = await visible_tender(session, actor, tender_id)
    filed = await session.scalars(
        select(FilingDocument)
        .where(FilingDocument.filing_id == tender.filing_id, FilingDocument.kind.in_(PUBLIC_FILING_DOCUMENTS))
        .order_by(FilingDocument.uploaded_at)
    )
    added = await session.scalars(
        select(TenderDocument)
        .where(TenderDocument.tender_id == tender_id, TenderDocument.amendment_number.is_not(None))
        .order_by(TenderDocument.uploaded_at)
    )
    return [_document(d.kind, d.id, d.filename, d.sha256, d.size, None) for d in filed] + [
        _document("amendment", d.id, d.filename, d.sha256, d.size, d.amendment_number) for d in added
    ]


async def obtain_document(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, document_id: uuid.UUID
) -> tuple[str, str]:
    """A tender document for download (sha256, filename). A bidder's first download makes it a
    holder of the documents, to whom every amendment is sent."""
    tender = await visible_tender(session, actor, tender_id)
    filed = await session.get(FilingDocument, document_id)
    added = await session.get(TenderDocument, document_id)
    if filed is not None and filed.filing_id == tender.filing_id and filed.kind in PUBLIC_FILING_DOCUMENTS:
        found = (filed.sha256, filed.filename)
    elif added is not None and added.tender_id == tender_id and added.amendment_number is not None:
        found = (added.sha256, added.filename)
    else:
        raise NotFound(f"tender {tender_id} has no document {document_id}")
    if actor.has_role(Role.bidder) and actor.org_uscc is not None:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(DocumentDownload).values(
            tender_id=tender_id, bidder_uscc=actor.org_uscc, first_downloaded_at=clock.now()
        )
        await session.execute(statement.on_conflict_do_nothing())
        await session.commit()
    return found


async def _own_tender(session: AsyncSession, actor: Actor, tender_id: uuid.UUID, *, for_update: bool) -> Tender:
    tender = await session.get(Tender, tender_id, with_for_update=for_update)
    if tender is None:
        raise NotFound(f"tender {tender_id} not found")
    if tender.agency_uscc != actor.org_uscc:
        raise Forbidden("only the tender's agency clarifies or changes its documents")
    return tender


def _open_for_amendment(tender: Tender, now: datetime) -> None:
    if tender.status != TenderStatus.published or now >= tender.bid_deadline:
        raise Conflict(
            f"the tender is {tender.status} and its bid deadline {tender.bid_deadline.isoformat()}: "
            "its documents are clarified or changed only before the deadline",
            slug="amendment-closed",
        )


async def add_document(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    filename: str,
    content_type: str,
    blob: StoredBlob,
) -> dict[str, Any]:
    """A revised document, kept unpublished until an amendment cites it."""
    tender = await _own_tender(session, actor, tender_id, for_update=False)
    _open_for_amendment(tender, clock.now())
    document = TenderDocument(
        id=uuid.uuid4(),
        tender_id=tender_id,
        filename=filename,
        content_type=content_type,
        sha256=blob.sha256,
        size=blob.size,
        uploaded_at=clock.now(),
        uploaded_by=actor.username,
    )
    session.add(document)
    payload = {"document": str(document.id), "sha256": blob.sha256}
    await audit.record(session, clock, actor, "tender.document", "tender", tender_id, payload)
    await session.commit()
    return _document("amendment", document.id, filename, blob.sha256, blob.size, None)


async def issue_amendment(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    tz: ZoneInfo,
    *,
    kind: AmendmentKind,
    summary: str,
    document_ids: Sequence[uuid.UUID],
    bid_deadline: datetime | None,
) -> dict[str, Any]:
    """Publish a clarification or change to every holder; move the deadline so that 15 days remain
    (or to the later `bid_deadline` the agency asks for)."""
    tender = await _own_tender(session, actor, tender_id, for_update=True)
    now = clock.now()
    _open_for_amendment(tender, now)
    errors: list[FieldError] = []
    if not summary.strip():
        errors.append(FieldError("summary", "required", "say what is clarified or changed"))
    if bid_deadline is not None and bid_deadline <= tender.bid_deadline:
        errors.append(FieldError("bid_deadline", "not_later", "a new deadline must be later than the current one"))
    cited = list(
        await session.scalars(
            select(TenderDocument).where(
                TenderDocument.id.in_(list(document_ids)),
                TenderDocument.tender_id == tender_id,
                TenderDocument.amendment_number.is_(None),
            )
        )
    )
    if len(cited) != len(set(document_ids)):
        errors.append(FieldError("documents", "unknown", "cite only this tender's documents not yet published"))
    if errors:
        raise InvalidRequest(errors)
    calendar = await load_calendar(session)
    moved = amendments.moved_deadline(tender.bid_deadline, now, tz, lambda day: calendar.day(day).working)
    new_deadline = max(moved, bid_deadline or moved)
    number = (
        await session.scalar(select(func.max(TenderAmendment.number)).where(TenderAmendment.tender_id == tender_id))
        or 0
    ) + 1
    for document in cited:
        document.amendment_number = number
    amendment = TenderAmendment(
        tender_id=tender_id,
        number=number,
        kind=kind,
        summary=summary.strip(),
        issued_at=now,
        issued_by=actor.username,
        deadline_before=tender.bid_deadline,
        deadline_after=new_deadline,
        documents=[_document("amendment", d.id, d.filename, d.sha256, d.size, number) for d in cited],
    )
    session.add(amendment)
    tender.bid_deadline = tender.opening_time = new_deadline
    await audit.record(
        session,
        clock,
        actor,
        f"tender.{kind}",
        "tender",
        tender_id,
        {
            "number": number,
            "summary": amendment.summary,
            "documents": [d.sha256 for d in cited],
            "deadline_before": amendment.deadline_before.isoformat(),
            "deadline_after": new_deadline.isoformat(),
        },
    )
    moved_note = (
        f"，投标截止及开标时间顺延至 {new_deadline.isoformat()}" if new_deadline != amendment.deadline_before else ""
    )
    label = "澄清" if kind is AmendmentKind.clarification else "修改"
    await notify_many(
        session,
        clock,
        [
            Notice(
                Role.bidder,
                "amendment",
                "tender",
                tender_id,
                f"招标文件{label}（第{number}号）：{tender.project_name}{moved_note}；已递交的投标文件请确认或重新递交",
                f"amendment:{tender_id}:{number}:{user_id}",
                user_id,
            )
            for user_id, _ in await identity.users_of_orgs(session, await tender_holders(session, tender_id))
        ],
    )
    await session.commit()
    return _amendment_view(amendment)


def _amendment_view(a: TenderAmendment) -> dict[str, Any]:
    return {
        "number": a.number,
        "kind": a.kind,
        "summary": a.summary,
        "issued_at": a.issued_at.isoformat(),
        "issued_by": a.issued_by,
        "deadline_before": a.deadline_before.isoformat(),
        "deadline_after": a.deadline_after.isoformat(),
        "deadline_moved": a.deadline_after != a.deadline_before,
        "documents": a.documents,
    }


async def _amendments(session: AsyncSession, tender_id: uuid.UUID) -> list[TenderAmendment]:
    query = select(TenderAmendment).where(TenderAmendment.tender_id == tender_id).order_by(TenderAmendment.number)
    return list(await session.scalars(query))


async def _flagged_bids(session: AsyncSession, tender_id: uuid.UUID, last: TenderAmendment | None) -> list[Bid]:
    """Current bids sealed before the latest amendment and not confirmed since."""
    if last is None:
        return []
    bids = await session.scalars(select(Bid).where(Bid.tender_id == tender_id, Bid.status == BidStatus.submitted))
    confirmed = set(
        await session.scalars(
            select(BidConfirmation.bid_id).where(
                BidConfirmation.tender_id == tender_id, BidConfirmation.number == last.number
            )
        )
    )
    return [b for b in bids if amendments.needs_confirmation(b.received_at, last.issued_at, b.id in confirmed)]


async def amendments_view(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> dict[str, Any]:
    """The amendments; a bidder sees whether its own bid awaits confirmation, supervisors how
    many bids do and whose. Nobody else learns whether bids exist before the opening (Tendering
    Law art. 22; Regulations art. 28): not the agency, not the tenderee, not an admin."""
    tender = await visible_tender(session, actor, tender_id)
    listed = await _amendments(session, tender_id)
    view: dict[str, Any] = {
        "bid_deadline": tender.bid_deadline.isoformat(),
        "amendments": [_amendment_view(a) for a in listed],
    }
    if actor.has_role(Role.supervisor):
        flagged = await _flagged_bids(session, tender_id, listed[-1] if listed else None)
        view["bids_awaiting_confirmation"] = len(flagged)
        view["awaiting"] = [{"bid": str(b.id), "bidder_uscc": b.bidder_uscc} for b in flagged]
    elif actor.has_role(Role.bidder):
        flagged = await _flagged_bids(session, tender_id, listed[-1] if listed else None)
        view["my_bid_awaits_confirmation"] = any(b.bidder_uscc == actor.org_uscc for b in flagged)
    return view


async def confirm_bid(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, number: int
) -> dict[str, Any]:
    """The bidder confirms its current bid stands under amendment `number` (the latest)."""
    tender = await visible_tender(session, actor, tender_id)
    now = clock.now()
    if tender.status != TenderStatus.published or now >= tender.bid_deadline:
        raise Conflict("bids are confirmed only before the bid deadline", slug="amendment-closed")
    listed = await _amendments(session, tender_id)
    if not listed or listed[-1].number != number:
        raise Conflict(f"confirm under the latest amendment ({listed[-1].number if listed else 'none'})")
    bid = await session.scalar(
        select(Bid).where(
            Bid.tender_id == tender_id, Bid.bidder_uscc == actor.org_uscc, Bid.status == BidStatus.submitted
        )
    )
    if bid is None:
        raise NotFound("your organization has no bid in this tender")
    if await session.get(BidConfirmation, (bid.id, number)) is None:
        session.add(
            BidConfirmation(
                bid_id=bid.id, number=number, tender_id=tender_id, confirmed_at=now, confirmed_by=actor.username
            )
        )
        payload = {"bid": str(bid.id), "amendment": number}
        await audit.record(session, clock, actor, "bid.confirm", "tender", tender_id, payload)
    await session.commit()
    return await amendments_view(session, actor, tender_id)
