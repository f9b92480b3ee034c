"""HTTP handlers of tender filing. Agencies edit, upload and submit; supervisors decide and
read the statistics; both read the rounds. Uploads stream straight into the blob store."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from advanced_alchemy.service import OffsetPagination
from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import File
from litestar.status_codes import HTTP_200_OK

from app.core.actor import Role
from app.core.blobs import UPLOAD_CEILING_BYTES
from app.core.calendar.service import load_calendar
from app.core.deps import ActorDep, BlobsDep, ClockDep, DbSession, Filename, Limit, Offset, SettingsDep
from app.core.downloads import download
from app.core.guards import requires
from app.core.validation import require_date_range
from bidding.filing import service
from bidding.filing.checklist import DocumentKind
from bidding.filing.schemas import (
    AcceptRequest,
    BreakdownOut,
    DocumentOut,
    FilingDraft,
    FilingOut,
    FilingSummary,
    OverdueOut,
    ReturnRequest,
    RoundOut,
    StatsOut,
)
from bidding.filing.sla import Breakdown
from bidding.filing.states import FilingStatus

READERS = requires(Role.agency, Role.supervisor, Role.admin)


async def _out(db_session: DbSession, filing_id: uuid.UUID, actor: ActorDep) -> FilingOut:
    filing = await service.get_visible(db_session, actor, filing_id)
    return FilingOut.of(
        filing,
        await service.documents_of(db_session, filing_id),
        await service.current_round(db_session, filing_id),
        await service.tender_id_of(db_session, filing_id),
    )


def _breakdown(b: Breakdown) -> BreakdownOut:
    return BreakdownOut(b.received, b.decided, b.on_time, b.on_time_rate, b.median_hours, b.p90_hours)


class FilingController(Controller):
    path = "/api/v1/filings"
    tags = ("filings",)

    @post("/", guards=[requires(Role.agency)])
    async def create(
        self, data: JSONBody[FilingDraft], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> FilingOut:
        """Start a filing (a draft; it may be incomplete until it is submitted)."""
        filing = await service.create(db_session, clock, actor, data)
        return await _out(db_session, filing.id, actor)

    @get("/", guards=[READERS])
    async def list_visible(
        self,
        db_session: DbSession,
        actor: ActorDep,
        status: FromQuery[FilingStatus | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> OffsetPagination[FilingSummary]:
        """An agency's own filings; every filing for supervisors and admins."""
        filings, total = await service.list_visible(db_session, actor, status, limit=limit, offset=offset)
        return OffsetPagination([FilingSummary.of(f) for f in filings], limit, offset, total)

    @get("/stats", guards=[requires(Role.supervisor, Role.admin)])
    async def stats(
        self,
        db_session: DbSession,
        clock: ClockDep,
        settings: SettingsDep,
        start: Annotated[date, QueryParameter(description="first submission date (YYYY-MM-DD, local)")],
        end: Annotated[date, QueryParameter(description="last submission date, inclusive")],
    ) -> StatsOut:
        """限时办理 figures: received, decided, on-time rate, processing time, overdue rounds."""
        require_date_range(start, end)
        report = await service.statistics(
            db_session, await load_calendar(db_session), settings.tz, start, end, clock.now()
        )
        overdue = [
            OverdueOut(
                o.filing_id,
                o.number,
                o.project_name,
                o.project_type,
                o.submitted_at,
                o.due_at,
                o.decided_at,
                o.decided_by,
            )
            for o in report.overdue
        ]
        return StatsOut(
            start,
            end,
            _breakdown(report.overall),
            {name: _breakdown(b) for name, b in report.by_officer.items()},
            {name: _breakdown(b) for name, b in report.by_project_type.items()},
            overdue,
        )

    @get("/{filing_id:uuid}", guards=[READERS])
    async def show(self, db_session: DbSession, actor: ActorDep, filing_id: FromPath[uuid.UUID]) -> FilingOut:
        return await _out(db_session, filing_id, actor)

    @put("/{filing_id:uuid}", guards=[requires(Role.agency)])
    async def replace(
        self,
        filing_id: FromPath[uuid.UUID],
        data: JSONBody[FilingDraft],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> FilingOut:
        """Replace the draft's fields (a draft, or a filing returned for correction)."""
        await service.replace_draft(db_session, clock, actor, filing_id, data)
        return await _out(db_session, filing_id, actor)

    @post(
        "/{filing_id:uuid}/documents",
        guards=[requires(Role.agency)],
        request_max_body_size=UPLOAD_CEILING_BYTES,
        status_code=201,
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        filing_id: FromPath[uuid.UUID],
        kind: FromQuery[DocumentKind],
        filename: Filename,
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        blobs: BlobsDep,
    ) -> DocumentOut:
        """Upload a document as the raw request body (streamed, content-addressed, size-limited)."""
        await service.check_upload_allowed(db_session, actor, filing_id)
        stored = await blobs.put(request.stream(), settings.max_document_bytes)
        content_type = request.headers.get("content-type", "application/octet-stream")[:100]
        document = await service.add_document(
            db_session, clock, actor, filing_id, kind=kind, filename=filename, content_type=content_type, blob=stored
        )
        return DocumentOut.of(document)

    @get("/{filing_id:uuid}/documents/{document_id:uuid}", guards=[READERS], media_type="*/*")
    async def download(
        self,
        filing_id: FromPath[uuid.UUID],
        document_id: FromPath[uuid.UUID],
        db_session: DbSession,
        actor: ActorDep,
        blobs: BlobsDep,
    ) -> File:
        document = await service.get_document(db_session, actor, filing_id, document_id)
        return download(blobs.path(document.sha256), document.filename)

    @delete("/{filing_id:uuid}/documents/{document_id:uuid}", guards=[requires(Role.agency)])
    async def remove(
        self,
        filing_id: FromPath[uuid.UUID],
        document_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> None:
        await service.remove_document(db_session, clock, actor, filing_id, document_id)

    @post("/{filing_id:uuid}/submit", guards=[requires(Role.agency)], status_code=HTTP_200_OK)
    async def submit(
        self,
        filing_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> FilingOut:
        """Submit for filing: every deficiency comes back at once (422), or a round with its deadline."""
        await service.submit(db_session, clock, actor, filing_id, settings.tz)
        return await _out(db_session, filing_id, actor)

    @post("/{filing_id:uuid}/accept", guards=[requires(Role.supervisor)], status_code=HTTP_200_OK)
    async def accept(
        self,
        filing_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        data: JSONBody[AcceptRequest | None] = None,
    ) -> FilingOut:
        """备案通过: accept the submitted round; the tender is published."""
        await service.accept(db_session, clock, actor, filing_id, data.comment if data else None, settings.tz)
        return await _out(db_session, filing_id, actor)

    @post("/{filing_id:uuid}/return", guards=[requires(Role.supervisor)], status_code=HTTP_200_OK)
    async def return_for_correction(
        self,
        filing_id: FromPath[uuid.UUID],
        data: JSONBody[ReturnRequest],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> FilingOut:
        """Return with one notice listing every item: the machine's and the officer's."""
        await service.return_for_correction(db_session, clock, actor, filing_id, data, settings.tz)
        return await _out(db_session, filing_id, actor)

    @get("/{filing_id:uuid}/rounds", guards=[READERS])
    async def rounds(self, filing_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> list[RoundOut]:
        """Every submission round with its deadline, decision and notice: visible to both sides."""
        await service.get_visible(db_session, actor, filing_id)
        return [RoundOut.of(r) for r in await service.rounds_of(db_session, filing_id)]
