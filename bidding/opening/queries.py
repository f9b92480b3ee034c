"""Read models of the opening: where it stands, and its stored events for the live stream."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.actor import Actor
from app.core.guards import ensure_visible
from app.core.live import Event
from app.core.problems import NotFound
from bidding.bids.models import CustodyShare
from bidding.opening.models import BidOpening, HandedInShare, OpeningEvent, OpeningSession, RecordResponse
from bidding.opening.schemas import OpeningStateOut
from bidding.tender.queries import tender_or_404


async def custodians_present(session: AsyncSession, tender_id: uuid.UUID) -> list[str]:
    """The roles of the custodians whose shares have been handed in (while the session holds them)."""
    query = (
        select(CustodyShare.custodian_role)
        .join(
            HandedInShare,
            (HandedInShare.tender_id == CustodyShare.tender_id)
            & (HandedInShare.share_index == CustodyShare.share_index),
        )
        .where(CustodyShare.tender_id == tender_id)
    )
    return sorted((await session.scalars(query)).all())


async def opening_state(session: AsyncSession, tender_id: uuid.UUID) -> OpeningStateOut:
    """Where the opening stands: who bid, shares handed in, each bid read out, the record."""
    opening = await session.get(OpeningSession, tender_id)
    if opening is None:
        raise NotFound(f"the opening of tender {tender_id} has not started")
    threshold = (await tender_or_404(session, tender_id)).custody_threshold
    roles = await custodians_present(session, tender_id)
    outcomes = (
        await session.scalars(
            select(BidOpening).where(BidOpening.tender_id == tender_id).order_by(BidOpening.opened_at)
        )
    ).all()
    responses = (await session.scalars(select(RecordResponse).where(RecordResponse.tender_id == tender_id))).all()
    public = [{k: b[k] for k in ("name", "uscc", "received_at")} for b in opening.bidders]
    return OpeningStateOut(
        tender_id=tender_id,
        status=opening.status,
        started_at=opening.started_at,
        bidders=public,
        threshold=threshold,
        shares_from=sorted(roles),
        key_rebuilt_at=opening.key_rebuilt_at,
        results=[
            {"uscc": o.bidder_uscc, "outcome": o.outcome, "reason": o.reason, **(o.declaration or {})} for o in outcomes
        ],
        record=opening.record,
        confirm_until=opening.confirm_until,
        responses=[
            {
                "uscc": r.bidder_uscc,
                "response": r.response,
                "comment": r.comment,
                "answer": r.answer,
                "answered_at": r.answered_at.isoformat() if r.answered_at else None,
            }
            for r in responses
        ],
    )


async def events_after(sessions: async_sessionmaker[AsyncSession], tender_id: uuid.UUID, seq: int) -> list[Event]:
    """The stored events of a tender's opening after `seq`, in order (a stream's catch-up)."""
    async with sessions() as session:
        history = (
            await session.scalars(
                select(OpeningEvent)
                .where(OpeningEvent.tender_id == tender_id, OpeningEvent.seq > seq)
                .order_by(OpeningEvent.seq)
            )
        ).all()
    return [{"seq": e.seq, "kind": e.kind, "at": e.at.isoformat(), "data": e.data} for e in history]


async def opened_document(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID, bid_id: uuid.UUID, index: int
) -> dict[str, Any]:
    """A decrypted document's entry (name, size, sha256): the tender's agency and supervisors only."""
    tender = await tender_or_404(session, tender_id)
    ensure_visible(actor, tender.agency_uscc, "tender", tender_id)
    outcome = await session.get(BidOpening, bid_id)
    if outcome is None or outcome.tender_id != tender_id or not outcome.documents:
        raise NotFound("no such opened document")
    if not 0 <= index < len(outcome.documents):
        raise NotFound("no such opened document")
    document: dict[str, Any] = outcome.documents[index]
    return document
