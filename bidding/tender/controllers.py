"""HTTP handlers of published tenders: what bidders, agencies and officers read once a filing is
accepted; the tender documents bidders obtain; clarifications and changes (澄清/修改)."""

from __future__ import annotations

import uuid
from typing import Any

from advanced_alchemy.service import OffsetPagination
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import File

from app.core.actor import Role
from app.core.blobs import UPLOAD_CEILING_BYTES
from app.core.deps import ActorDep, BlobsDep, ClockDep, DbSession, Filename, Limit, Offset, SettingsDep
from app.core.downloads import download
from app.core.guards import requires, signed_in
from bidding.tender import queries, service
from bidding.tender.schemas import AmendmentIn, TenderOut


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

    @get("/{tender_id:uuid}/documents", guards=[signed_in])
    async def documents(
        self, db_session: DbSession, actor: ActorDep, tender_id: FromPath[uuid.UUID]
    ) -> list[dict[str, Any]]:
        """The announcement, the tender documents and every revised document an amendment published."""
        return await service.documents(db_session, actor, tender_id)

    @get("/{tender_id:uuid}/documents/{document_id:uuid}", guards=[signed_in], media_type="*/*")
    async def obtain(
        self,
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        blobs: BlobsDep,
        tender_id: FromPath[uuid.UUID],
        document_id: FromPath[uuid.UUID],
    ) -> File:
        """Download a document; a bidder's download makes it a holder every amendment is sent to."""
        sha256, filename = await service.obtain_document(db_session, clock, actor, tender_id, document_id)
        return download(blobs.path(sha256), filename)

    @post(
        "/{tender_id:uuid}/documents",
        guards=[requires(Role.agency)],
        request_max_body_size=UPLOAD_CEILING_BYTES,
        status_code=201,
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        tender_id: FromPath[uuid.UUID],
        filename: Filename,
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        blobs: BlobsDep,
    ) -> dict[str, Any]:
        """A revised document as the raw request body; published when an amendment cites it."""
        stored = await blobs.put(request.stream(), settings.max_document_bytes)
        content_type = request.headers.get("content-type", "application/octet-stream")[:100]
        return await service.add_document(db_session, clock, actor, tender_id, filename, content_type, stored)

    @get("/{tender_id:uuid}/amendments", guards=[signed_in])
    async def amendments(
        self, db_session: DbSession, actor: ActorDep, tender_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """Clarifications and changes, the deadline they left, and the bids awaiting confirmation."""
        return await service.amendments_view(db_session, actor, tender_id)

    @post("/{tender_id:uuid}/amendments", guards=[requires(Role.agency)], status_code=201)
    async def amend(
        self,
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[AmendmentIn],
    ) -> dict[str, Any]:
        """Issue a clarification or change: every holder is told; under 15 days left moves the deadline."""
        return await service.issue_amendment(
            db_session,
            clock,
            actor,
            tender_id,
            settings.tz,
            kind=data.kind,
            summary=data.summary,
            document_ids=data.documents,
            bid_deadline=data.bid_deadline,
        )

    @post("/{tender_id:uuid}/amendments/{number:int}/confirmation", guards=[requires(Role.bidder)], status_code=200)
    async def confirm(
        self,
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        tender_id: FromPath[uuid.UUID],
        number: FromPath[int],
    ) -> dict[str, Any]:
        """The bidder's bid, sealed before this amendment, stands as it is."""
        return await service.confirm_bid(db_session, clock, actor, tender_id, number)
