"""HTTP handlers of the bid opening: its state, the custodians' shares, the live event stream
(SSE), the bidders' responses to the record, and the decrypted documents for the evaluators."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import File, ServerSentEvent, ServerSentEventMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.deps import ActorDep, BlobsDep, DbSession, OpeningDep
from app.live import Event, sse_stream
from app.models import Role
from app.problems import NotFound
from app.security import ensure_visible, requires, signed_in
from app.tender.models import Tender
from bidding import opening as service
from bidding.models import BidOpening, OpeningEvent, OpeningSession, RecordResponse
from bidding.schemas import OpeningStateOut, RecordResponseIn, ShareIn

TERMINAL_EVENTS = frozenset({"failed", "record_published"})


async def opening_state(session: AsyncSession, tender_id: uuid.UUID) -> OpeningStateOut:
    opening = await session.get(OpeningSession, tender_id)
    if opening is None:
        raise NotFound(f"the opening of tender {tender_id} has not started")
    threshold = (await tender_or_404(session, tender_id)).custody_threshold
    roles = await service.custodians_present(session, tender_id)
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
        responses=[{"uscc": r.bidder_uscc, "response": r.response, "comment": r.comment} for r in responses],
    )


async def tender_or_404(session: AsyncSession, tender_id: uuid.UUID) -> Tender:
    """The tender without the visibility rule (callers apply their own)."""
    tender = await session.get(Tender, tender_id)
    if tender is None:
        raise NotFound(f"tender {tender_id} not found")
    return tender


class OpeningController(Controller):
    path = "/api/v1/tenders/{tender_id:uuid}/opening"
    tags = ("opening",)

    @get("/", guards=[signed_in])
    async def state(self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> OpeningStateOut:
        """Where the opening stands: who bid, shares handed in, each bid read out, the record."""
        await service.watchable_tender(db_session, actor, tender_id)
        return await opening_state(db_session, tender_id)

    @post("/shares", guards=[requires(Role.agency, Role.supervisor, Role.admin)], status_code=200)
    async def hand_in(
        self,
        request: Request[Any, Any, Any],
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ShareIn],
        db_session: DbSession,
        actor: ActorDep,
        opening: OpeningDep,
    ) -> OpeningStateOut:
        """Hand in your share of the opening key (its words, decrypted on your machine)."""
        status = await service.hand_in_share(db_session, opening, actor, tender_id, data.share)
        if status == service.OpeningStatus.decrypting:
            start_decryption(request, opening, actor, tender_id)
        return await opening_state(db_session, tender_id)

    @get("/events", guards=[signed_in])
    async def events(
        self, request: Request[Any, Any, Any], tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep
    ) -> ServerSentEvent:
        """Server-sent events of the opening: everything so far first, then each step as it happens."""
        await service.watchable_tender(db_session, actor, tender_id)
        await db_session.commit()
        return ServerSentEvent(stream_events(request, tender_id))

    @post("/record/responses", guards=[requires(Role.bidder)], status_code=201)
    async def respond(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[RecordResponseIn],
        db_session: DbSession,
        actor: ActorDep,
        opening: OpeningDep,
    ) -> dict[str, str]:
        """Confirm the opening record, or object to it, within the tender's window."""
        answer = await service.respond(db_session, opening, actor, tender_id, data.response, data.comment)
        return {"response": answer.response, "responded_at": answer.responded_at.isoformat()}

    @get(
        "/bids/{bid_id:uuid}/documents/{index:int}",
        guards=[requires(Role.agency, Role.supervisor, Role.admin)],
        media_type="application/octet-stream",
    )
    async def document(
        self,
        tender_id: FromPath[uuid.UUID],
        bid_id: FromPath[uuid.UUID],
        index: FromPath[int],
        db_session: DbSession,
        actor: ActorDep,
        blobs: BlobsDep,
    ) -> File:
        """A decrypted document, after the opening: for the tender's agency and supervisors only."""
        tender = await tender_or_404(db_session, tender_id)
        ensure_visible(actor, tender.agency_uscc, "tender", tender_id)
        outcome = await db_session.get(BidOpening, bid_id)
        if (
            outcome is None
            or outcome.tender_id != tender_id
            or not outcome.documents
            or not 0 <= index < len(outcome.documents)
        ):
            raise NotFound("no such opened document")
        document = outcome.documents[index]
        return File(
            path=blobs.path(document["sha256"]), filename=document["name"], media_type="application/octet-stream"
        )


def start_decryption(
    request: Request[Any, Any, Any], opening: service.Opening, actor: Actor, tender_id: uuid.UUID
) -> None:
    """Decrypt in the background of this worker; the scheduler resumes it if this worker stops."""
    tasks: set[asyncio.Task[bool]] = request.app.state.background
    task = asyncio.create_task(
        service.decrypt_all(
            request.app.state.sessions,
            service.Opening(opening.clock, opening.tz, opening.blobs, opening.broadcaster, opening.share_secret),
            actor,
            tender_id,
        )
    )
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def stream_events(request: Request[Any, Any, Any], tender_id: uuid.UUID) -> AsyncIterator[ServerSentEventMessage]:
    sessions = request.app.state.sessions

    async def stored_after(seq: int) -> list[Event]:
        async with sessions() as session:
            history = (
                await session.scalars(
                    select(OpeningEvent)
                    .where(OpeningEvent.tender_id == tender_id, OpeningEvent.seq > seq)
                    .order_by(OpeningEvent.seq)
                )
            ).all()
        return [{"seq": e.seq, "kind": e.kind, "at": e.at.isoformat(), "data": e.data} for e in history]

    hub = request.app.state.live
    async for message in sse_stream(
        hub, service.opening_channel(tender_id), lambda: stored_after(0), stored_after, TERMINAL_EVENTS
    ):
        yield message
