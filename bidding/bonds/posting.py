"""Who may post a bond on a tender, and until when: one check for every way a bond is posted
(a sub-account, a guarantee bought through the platform, a guarantee file lodged, a guarantee
the guarantor sends). Not the tenderee or its agency (实施条例 art. 34); an invited tender's
invitees only (招标投标法 art. 17); a tender that asks a bond, before its bid deadline."""

from __future__ import annotations

from datetime import datetime

from app.core.problems import Conflict, Forbidden
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
