"""HTTP handlers of the bid opening: its state, the custodians' shares, the live event stream
(SSE), the bidders' responses to the record, and the decrypted documents for the evaluators."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.response import File, ServerSentEvent, ServerSentEventMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.actor import Role
from app.core.blobs import LocalBlobStore
from app.core.clock import Clock
from app.core.deps import ActorDep, BlobsDep, DbSession, LiveDep, SessionsDep, TasksDep
from app.core.downloads import download
from app.core.guards import requires, signed_in
from app.core.live import Event, LiveHub, sse_stream
from app.core.settings import Settings
from bidding.opening import queries, service
from bidding.opening.schemas import ObjectionAnswerIn, OpeningStateOut, RecordResponseIn, ShareIn

TERMINAL_EVENTS = frozenset({"failed", "record_published"})


def provide_opening(
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    blobs: NamedDependency[LocalBlobStore],
    live: NamedDependency[LiveHub],
) -> service.Opening:
    """A fresh one per request: it carries the events to publish after the request's commit."""
    return service.Opening(clock, settings.tz, blobs, live, settings.share_secret)


OpeningDep = NamedDependency[service.Opening]


class OpeningController(Controller):
    path = "/api/v1/tenders/{tender_id:uuid}/opening"
    tags = ("opening",)
    dependencies = {"opening": Provide(provide_opening, sync_to_thread=False)}  # noqa: RUF012

    @get("/", guards=[signed_in])
    async def state(self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> OpeningStateOut:
        """Where the opening stands: who bid, shares handed in, each bid read out, the record."""
        await service.watchable_tender(db_session, actor, tender_id)
        return await queries.opening_state(db_session, tender_id)

    @post("/shares", guards=[requires(Role.agency, Role.supervisor, Role.admin)], status_code=200)
    async def hand_in(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ShareIn],
        db_session: DbSession,
        actor: ActorDep,
        opening: OpeningDep,
        sessions: SessionsDep,
        tasks: TasksDep,
    ) -> OpeningStateOut:
        """Hand in your share of the opening key (its words, decrypted on your machine); the last
        one needed starts the decryption in the background."""
        return await service.hand_in(db_session, sessions, tasks, opening, actor, tender_id, data.share)

    @get("/events", guards=[signed_in])
    async def events(
        self,
        tender_id: FromPath[uuid.UUID],
        db_session: DbSession,
        actor: ActorDep,
        sessions: SessionsDep,
        live: LiveDep,
    ) -> ServerSentEvent:
        """Server-sent events of the opening: everything so far first, then each step as it happens."""
        await service.watchable_tender(db_session, actor, tender_id)
        await db_session.commit()
        return ServerSentEvent(stream_events(live, sessions, tender_id))

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

    @post("/record/responses/{bidder_uscc:str}/answer", guards=[requires(Role.agency)], status_code=200)
    async def answer(
        self,
        tender_id: FromPath[uuid.UUID],
        bidder_uscc: FromPath[str],
        data: JSONBody[ObjectionAnswerIn],
        db_session: DbSession,
        actor: ActorDep,
        opening: OpeningDep,
    ) -> dict[str, str | None]:
        """The tenderee answers a bidder's objection to the opening on the spot (实施条例 art. 44)."""
        answered = await service.answer_objection(db_session, opening, actor, tender_id, bidder_uscc, data.answer)
        return {"bidder": answered.bidder_uscc, "answer": answered.answer, "answered_at": str(answered.answered_at)}

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
        document = await queries.opened_document(db_session, actor, tender_id, bid_id, index)
        return download(blobs.path(document["sha256"]), document["name"])


async def stream_events(
    live: LiveHub, sessions: async_sessionmaker[AsyncSession], tender_id: uuid.UUID
) -> AsyncIterator[ServerSentEventMessage]:
    async def stored_after(seq: int) -> list[Event]:
        return await queries.events_after(sessions, tender_id, seq)

    async for message in sse_stream(
        live, service.opening_channel(tender_id), lambda: stored_after(0), stored_after, TERMINAL_EVENTS
    ):
        yield message
