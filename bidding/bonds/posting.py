"""A bidder's bid bond on a tender, found or opened in one place, and who may post one and until
when: one check for every way a bond is posted
(a sub-account, a guarantee bought through the platform, a guarantee file lodged, a guarantee
the guarantor sends). Not the tenderee or its agency (实施条例 art. 34); an invited tender's
invitees only (招标投标法 art. 17); a tender that asks a bond, before its bid deadline."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.problems import Conflict, Forbidden
from bidding.bonds.models import Bond
from bidding.bonds.rules import BondKind
from bidding.bonds.states import BondStatus
from bidding.tender.models import Tender
from bidding.tender.states import TenderStatus


def open_for_bonds(tender: Tender, now: datetime) -> None:
    """The tender takes bonds now, or the reason it does not (409)."""
    if tender.bond_amount is None:
        raise Conflict("this tender asks no bid bond", zh="本项目不要求投标保证金")
    if tender.status != TenderStatus.published or now >= tender.bid_deadline:
        raise Conflict("bonds are posted before the bid deadline", zh="投标截止后不能再缴纳投标保证金")


def may_post(tender: Tender, uscc: str, now: datetime) -> None:
    """`uscc` may post a bond on the tender now, or the reason it may not (403 or 409)."""
    if uscc in (tender.tenderee_uscc, tender.agency_uscc):
        raise Forbidden(
            "a tenderee or its agency posts no bond on its own tender", zh="招标人及其代理机构不得在本项目缴纳保证金"
        )
    if tender.invitees is not None and tender.procurement_method == "invited" and uscc not in tender.invitees:
        raise Forbidden(
            "an invited tender takes bonds and bids from its invitees only (招标投标法 art. 17)",
            zh="邀请招标只接受受邀单位缴纳保证金和投标（招标投标法第十七条）",
        )
    open_for_bonds(tender, now)


async def bid_bond_of(session: AsyncSession, tender_id: uuid.UUID, uscc: str, *, lock: bool = False) -> Bond | None:
    """The bidder's bid bond on the tender (one at most), locked for the caller's change if asked."""
    query = select(Bond).where(Bond.tender_id == tender_id, Bond.bidder_uscc == uscc, Bond.kind == BondKind.bid)
    return await session.scalar(query.with_for_update() if lock else query)


def new_bid_bond(tender: Tender, uscc: str, form: str, now: datetime, by: str) -> Bond:
    """A bid bond opened now, awaiting what the tender asks; the caller adds it to the session."""
    return Bond(
        tender_id=tender.id,
        bidder_uscc=uscc,
        kind=BondKind.bid,
        form=form,
        required=tender.bond_amount,
        status=BondStatus.awaiting,
        flags=[],
        opened_at=now,
        opened_by=by,
    )
