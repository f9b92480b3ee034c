"""Published tenders: what bidders, agencies and officers read once a filing is accepted."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import msgspec
from advanced_alchemy.service import OffsetPagination
from litestar import Controller, get
from litestar.params import FromPath
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.deps import ActorDep, DbSession, Limit, Offset
from app.problems import NotFound
from app.security import signed_in
from app.tender.models import Tender
from app.tender.states import PUBLIC_STATUSES


class TenderOut(msgspec.Struct):
    id: uuid.UUID
    status: str
    project_name: str
    project_code: str
    project_type: str
    procurement_method: str
    tenderee_uscc: str
    agency_uscc: str
    budget: Decimal
    evaluation_method: str
    committee_size: int
    announcement_date: date
    bid_deadline: datetime
    opening_time: datetime
    published_at: datetime
    record_window_minutes: int | None

    @classmethod
    def of(cls, t: Tender) -> TenderOut:
        return cls(
            t.id,
            t.status,
            t.project_name,
            t.project_code,
            t.project_type,
            t.procurement_method,
            t.tenderee_uscc,
            t.agency_uscc,
            t.budget,
            t.evaluation_method,
            t.committee_size,
            t.announcement_date,
            t.bid_deadline,
            t.opening_time,
            t.published_at,
            t.record_window_minutes,
        )


def _visible(actor: Actor) -> ColumnElement[bool]:
    """Every tender in a public state, for anyone signed in; officers see every state."""
    if actor.sees_all_orgs:
        return true()
    return Tender.status.in_(sorted(PUBLIC_STATUSES))


class TenderController(Controller):
    path = "/api/v1/tenders"
    tags = ("tenders",)

    @get("/", guards=[signed_in])
    async def list_visible(
        self, db_session: DbSession, actor: ActorDep, limit: Limit = 50, offset: Offset = 0
    ) -> OffsetPagination[TenderOut]:
        query = select(Tender).where(_visible(actor))
        total = await db_session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = await db_session.scalars(query.order_by(Tender.bid_deadline).limit(limit).offset(offset))
        return OffsetPagination([TenderOut.of(t) for t in rows.all()], limit, offset, total)

    @get("/{tender_id:uuid}", guards=[signed_in])
    async def show(self, db_session: DbSession, actor: ActorDep, tender_id: FromPath[uuid.UUID]) -> TenderOut:
        return TenderOut.of(await visible_tender(db_session, actor, tender_id))


async def visible_tender(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> Tender:
    tender = await session.scalar(select(Tender).where(Tender.id == tender_id, _visible(actor)))
    if tender is None:
        raise NotFound(f"tender {tender_id} not found")
    return tender
