"""Read models of tenders: the one loader of a tender, with or without its visibility rule."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.problems import NotFound
from bidding.bids.models import Bid
from bidding.bids.states import BidStatus
from bidding.tender.models import DocumentDownload, Tender
from bidding.tender.states import PUBLIC_STATUSES


def _visible(actor: Actor) -> ColumnElement[bool]:
    """Every tender in a public state, for anyone signed in; officers see every state."""
    if actor.sees_all_orgs:
        return true()
    return Tender.status.in_(sorted(PUBLIC_STATUSES))


async def tender_or_404(session: AsyncSession, tender_id: uuid.UUID) -> Tender:
    """The tender without the visibility rule (for callers that apply their own)."""
    tender = await session.get(Tender, tender_id)
    if tender is None:
        raise NotFound(f"tender {tender_id} not found")
    return tender


async def visible_tender(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> Tender:
    """The tender if `actor` may see it, else 404."""
    tender = await session.scalar(select(Tender).where(Tender.id == tender_id, _visible(actor)))
    if tender is None:
        raise NotFound(f"tender {tender_id} not found")
    return tender


async def visible_tenders(
    session: AsyncSession, actor: Actor, *, limit: int, offset: int
) -> tuple[Sequence[Tender], int]:
    """The tenders `actor` may see, by bid deadline, and how many there are."""
    query = select(Tender).where(_visible(actor))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(Tender.bid_deadline).limit(limit).offset(offset))
    return rows.all(), total


async def tender_holders(session: AsyncSession, tender_id: uuid.UUID) -> set[str]:
    """Who holds the documents: every bidder that downloaded them or has a bid in (every
    amendment and a termination are sent to them)."""
    downloaded = await session.scalars(
        select(DocumentDownload.bidder_uscc).where(DocumentDownload.tender_id == tender_id)
    )
    bidding = await session.scalars(
        select(Bid.bidder_uscc).where(Bid.tender_id == tender_id, Bid.status == BidStatus.submitted)
    )
    return set(downloaded) | set(bidding)
