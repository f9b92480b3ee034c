"""HTTP handlers of the intermediary supermarket: qualifications and eligibility, service
requests and registration, and the live auction (view, bids, server-sent events)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from advanced_alchemy.service import OffsetPagination
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import ServerSentEvent

from app.core.actor import Role
from app.core.deps import (
    ActorDep,
    ArrivedAtDep,
    ClockDep,
    CreditGateDep,
    DbSession,
    Limit,
    LimiterDep,
    LiveDep,
    Offset,
    SessionsDep,
    SettingsDep,
)
from app.core.guards import requires, signed_in
from app.core.live import Event, sse_stream
from app.core.validation import require_plausible_dates
from bidding.market import intermediaries, queries, requests, selection
from bidding.market.categories import CATEGORIES
from bidding.market.schemas import (
    AssessmentIn,
    AuctionView,
    BidAnswerOut,
    BidIn,
    DirectSelectionIn,
    MarketStatsOut,
    OfferedServicesIn,
    QualificationIn,
    QuoteIn,
    RegistrationIn,
    RepostIn,
    ResultOut,
    ServiceRequestIn,
    ServiceRequestOut,
)


class IntermediaryController(Controller):
    path = "/api/v1/intermediaries"
    tags = ("intermediary supermarket",)

    @post("/qualifications", guards=[requires(Role.intermediary)])
    async def add_qualification(
        self, data: JSONBody[QualificationIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> dict[str, str]:
        """Register a qualification (资质) of your organization."""
        q = await intermediaries.add_qualification(
            db_session, clock, actor, data.certificate_type, data.grade, data.number, data.expires_on
        )
        return {"id": str(q.id), "certificate_type": q.certificate_type, "expires_on": q.expires_on.isoformat()}

    @get("/{org_uscc:str}/record", guards=[requires(Role.supervisor, Role.admin)])
    async def record(self, org_uscc: FromPath[str], db_session: DbSession) -> dict[str, Any]:
        """An intermediary's record for the supervisors (and, later, for credit evaluation)."""
        return await intermediaries.record_of(db_session, org_uscc)

    @post("/services", guards=[requires(Role.intermediary)], status_code=200)
    async def offer(
        self, data: JSONBody[OfferedServicesIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> dict[str, list[str]]:
        """Set the service categories your organization offers (replaces the list)."""
        return {"categories": await intermediaries.offer_services(db_session, clock, actor, data.categories)}

    @get("/eligibility", guards=[requires(Role.intermediary)])
    async def eligibility(
        self, category: FromQuery[str], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> dict[str, Any]:
        """Whether your organization may take part in requests of a category, and if not why."""
        return await intermediaries.eligibility(db_session, clock, actor, category)


@get("/api/v1/service-categories", guards=[signed_in], tags=["intermediary supermarket"])
async def service_categories() -> list[dict[str, str | None]]:
    return [
        {"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "qualification": c.qualification}
        for c in CATEGORIES.values()
    ]


class ServiceRequestController(Controller):
    path = "/api/v1/service-requests"
    tags = ("intermediary supermarket",)

    @post("/", guards=[requires(Role.agency)])
    async def post_request(
        self, data: JSONBody[ServiceRequestIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> ServiceRequestOut:
        """Post a call for an intermediary, selected by price bidding."""
        return ServiceRequestOut.of(await requests.post_request(db_session, clock, actor, data.terms()))

    @get("/", guards=[signed_in])
    async def list_all(
        self, db_session: DbSession, actor: ActorDep, limit: Limit = 50, offset: Offset = 0
    ) -> OffsetPagination[ServiceRequestOut]:
        found, total = await queries.requests_page(db_session, limit=limit, offset=offset)
        return OffsetPagination([ServiceRequestOut.of(r, actor) for r in found], limit, offset, total)

    @get("/{request_id:uuid}", guards=[signed_in])
    async def show(self, request_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> ServiceRequestOut:
        return ServiceRequestOut.of(await requests.get_request(db_session, request_id), actor)

    @post("/{request_id:uuid}/registrations", guards=[requires(Role.intermediary)], status_code=201)
    async def register(
        self,
        request_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        credit_gate: CreditGateDep,
        settings: SettingsDep,
        data: JSONBody[RegistrationIn | None] = None,
    ) -> dict[str, str]:
        """Register for a request during its registration window (eligible intermediaries only);
        for a rounds auction, optionally with a sealed initial offer (the ceiling if none)."""
        offer = data.initial_offer if data else None
        registration = await requests.register(
            db_session, clock, actor, request_id, credit_gate, offer, settings.offer_secret
        )
        return {"request_id": str(request_id), "registered_at": registration.registered_at.isoformat()}

    @post("/{request_id:uuid}/quotes", guards=[requires(Role.intermediary)], status_code=201)
    async def quote(
        self,
        request_id: FromPath[uuid.UUID],
        data: JSONBody[QuoteIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, str]:
        """Give your one sealed quote; it is opened with all the others at the end of the window."""
        quote = await selection.submit_quote(db_session, clock, actor, request_id, data.price)
        return {"received_at": quote.received_at.isoformat()}

    @post("/{request_id:uuid}/direct-selection", guards=[requires(Role.agency)], status_code=200)
    async def select_directly(
        self,
        request_id: FromPath[uuid.UUID],
        data: JSONBody[DirectSelectionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> ResultOut:
        """Name the intermediary directly, with the justification the supervisors review."""
        await selection.select_directly(
            db_session, clock, actor, request_id, data.org_uscc, data.price, data.justification
        )
        return await queries.result_of(db_session, request_id)

    @post("/{request_id:uuid}/repost", guards=[requires(Role.agency)], status_code=201)
    async def repost(
        self,
        request_id: FromPath[uuid.UUID],
        data: JSONBody[RepostIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> ServiceRequestOut:
        """Post a failed request (流标) again with new windows."""
        posted = await requests.repost(
            db_session, clock, actor, request_id, data.registration_closes, data.bidding_starts, data.bidding_ends
        )
        return ServiceRequestOut.of(posted)

    @post("/{request_id:uuid}/assessment", guards=[requires(Role.agency)], status_code=201)
    async def assess(
        self,
        request_id: FromPath[uuid.UUID],
        data: JSONBody[AssessmentIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """Assess the intermediary that served this request: delivered (with scores) or abandoned."""
        return await selection.assess(
            db_session, clock, actor, request_id, data.outcome, data.quality, data.timeliness, data.comment
        )

    @get("/{request_id:uuid}/result", guards=[signed_in])
    async def result(
        self,
        request_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> ResultOut:
        """Who was selected, at what price, and the savings; for a draw, everything needed to redo it;
        the opened initial offers of a rounds auction, to check against their commitments."""
        await selection.open_auction(db_session, clock, actor, request_id)
        return await queries.result_of(db_session, request_id, settings.offer_secret)

    @get("/{request_id:uuid}/auction", guards=[signed_in])
    async def auction(
        self,
        request_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> AuctionView:
        """The auction as it stands, with the server time and the time left."""
        await selection.open_when_due(db_session, clock, actor, request_id, settings.offer_secret)
        return await queries.auction_view(db_session, actor, request_id, clock.now())

    @post("/{request_id:uuid}/auction/bids", guards=[requires(Role.intermediary)], status_code=200)
    async def bid(
        self,
        request_id: FromPath[uuid.UUID],
        data: JSONBody[BidIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        live: LiveDep,
        limiter: LimiterDep,
        settings: SettingsDep,
        arrived_at: ArrivedAtDep,
    ) -> BidAnswerOut:
        """Bid a lower price; acknowledged only once committed. A refusal says why, with the server
        time. The bid's time is when the request arrived, whatever it waited for on the way."""
        rate = selection.BidRate(limiter, settings.auction_bids_per_window, settings.auction_bid_window)
        return await selection.place_bid(
            db_session,
            clock,
            actor,
            live,
            request_id,
            data.price,
            offer_secret=settings.offer_secret,
            rate=rate,
            received_at=arrived_at,
        )

    @get("/{request_id:uuid}/auction/events", guards=[signed_in])
    async def events(
        self,
        request_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        sessions: SessionsDep,
        live: LiveDep,
        settings: SettingsDep,
    ) -> ServerSentEvent:
        """Live bids, extensions and the close; a late watcher first gets the current state."""
        await queries.auction_view(db_session, actor, request_id, clock.now())  # 404 before anything streams
        await selection.open_when_due(db_session, clock, actor, request_id, settings.offer_secret)
        await db_session.commit()

        async def snapshot() -> list[Event]:
            return await queries.auction_snapshot(sessions, clock, actor, request_id)

        async def stored_after(seq: int) -> list[Event]:
            async with sessions() as session:
                return await queries.stored_auction_events(session, request_id, seq)

        return ServerSentEvent(
            sse_stream(
                live,
                selection.auction_channel(request_id),
                snapshot,
                stored_after,
                frozenset({"closed"}),
                sequenced=lambda event: event["kind"] in {"bid", "state"},
            )
        )


@get("/api/v1/service-requests/stats", opt={"public": True}, tags=["intermediary supermarket"])
async def market_stats(
    db_session: DbSession,
    settings: SettingsDep,
    start: Annotated[date, QueryParameter(description="first posting date (YYYY-MM-DD, local)")],
    end: Annotated[date, QueryParameter(description="last posting date, inclusive")],
) -> MarketStatsOut:
    """The supermarket's figures over a date range (public: the trading centre's page shows them)."""
    require_plausible_dates(start=start, end=end)
    return await queries.market_figures(db_session, settings.tz, start, end)
