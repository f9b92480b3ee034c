"""HTTP handlers of published tenders: what bidders, agencies and officers read once a filing is
accepted."""

from __future__ import annotations

import uuid

from advanced_alchemy.service import OffsetPagination
from litestar import Controller, get
from litestar.params import FromPath

from app.core.deps import ActorDep, DbSession, Limit, Offset
from app.core.guards import signed_in
from bidding.tender import queries
from bidding.tender.schemas import TenderOut


class TenderController(Controller):
    path = "/api/v1/tenders"
    tags = ("tenders",)

    @get("/", guards=[signed_in])
    async def list_visible(
        self, db_session: DbSession, actor: ActorDep, limit: Limit = 50, offset: Offset = 0
    ) -> OffsetPagination[TenderOut]:
        tenders, total = await queries.visible_tenders(db_session, actor, limit=limit, offset=offset)
        return OffsetPagination([TenderOut.of(t) for t in tenders], limit, offset, total)

    @get("/{tender_id:uuid}", guards=[signed_in])
    async def show(self, db_session: DbSession, actor: ActorDep, tender_id: FromPath[uuid.UUID]) -> TenderOut:
        return TenderOut.of(await queries.visible_tender(db_session, actor, tender_id))
