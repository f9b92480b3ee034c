"""HTTP handlers of the intermediary supermarket: qualifications and eligibility, service
requests and registration, and the live auction (view, bids, server-sent events)."""

from __future__ import annotations

import uuid
from datetime import UTC, date
from typing import Annotated, Any

import msgspec
from advanced_alchemy.service import OffsetPagination
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import ServerSentEvent
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor, Role
from app.core.calendar.rules import end_of_day, start_of_day
from app.core.deps import ActorDep, ClockDep, DbSession, Limit, LimiterDep, LiveDep, Offset, SessionsDep, SettingsDep
from app.core.guards import requires, signed_in
from app.core.live import Event, sse_stream
from app.core.problems import InvalidRequest, NotFound, Problem
from app.core.ratelimit import RateLimiter
from app.core.settings import Settings
from app.core.validation import FieldError, require_plausible_dates
from app.identity.models import Organization, OrgKind
from bidding.market import service, stats
from bidding.market.auction import codec, engine
from bidding.market.categories import CATEGORIES
from bidding.market.models import Auction, AuctionBid, Registration, ServiceRequest
from bidding.market.schemas import (
    AssessmentIn,
    AuctionView,
    BidAnswerOut,
    BidIn,
    DirectSelectionIn,
    OfferedServicesIn,
    QualificationIn,
    QuoteIn,
    RegistrationIn,
    RepostIn,
    ResultOut,
    ServiceRequestIn,
    ServiceRequestOut,
    Standing,
)


async def result_of(session: AsyncSession, request_id: uuid.UUID) -> ResultOut:
    request = await service.get_request(session, request_id)
    outcome = await session.get(Auction, request_id)
    closed = outcome is not None and outcome.closed
    drawn = None
    if request.selection_method == service.Method.random_draw:
        drawn = {"commitment": request.draw_commitment}
        if closed and outcome is not None:
            drawn |= {"seed": outcome.state["seed"], "candidates": outcome.state["candidates"]}
    return ResultOut(
        request_id=request_id,
        method=request.selection_method,
        status=request.status,
        winner=outcome.winner_uscc if closed and outcome else None,
        award_price=outcome.award_price if closed and outcome else None,
        savings=outcome.savings if closed and outcome else None,
        savings_rate=stats.rate(outcome.savings, request.ceiling)
        if closed and outcome and outcome.savings is not None
        else None,
        draw=drawn,
    )


async def auction_view(session: AsyncSession, actor: Actor, request_id: uuid.UUID, now: Any) -> AuctionView:
    request = await service.get_request(session, request_id)
    auction = await session.get(Auction, request_id)
    if auction is None or "rules" not in auction.state:
        raise NotFound(f"service request {request_id} has no live auction (it is {request.status})")
    state = codec.load(auction.state)
    closed = auction.closed
    names = engine.labels(state.bidders)
    officer = actor.has_role(Role.supervisor, Role.admin)
    if not (closed or officer or actor.org_uscc == request.owner_uscc or actor.org_uscc in names):
        # a live auction is followed by its owner, its bidders and the supervisors; the result is public
        raise NotFound(f"service request {request_id} has no auction you take part in")

    def shown(bidder: str) -> str:
        return bidder if closed or officer else names[bidder]

    started = now >= state.rules.start  # sealed initial offers are revealed when the auction starts
    standings = (
        [Standing(i + 1, shown(o.bidder), o.price) for i, o in enumerate(engine.ranking(state))] if started else []
    )
    state, turn = engine.current_turn(state, now) if state.rules.mode is engine.Mode.rounds else (state, None)
    mine = str(actor.org_uscc) if actor.org_uscc in names else None
    return AuctionView(
        request_id=request_id,
        status=request.status,
        server_time=now,
        ends_at=state.end,
        seconds_left=max(0.0, (state.end - now).total_seconds()),
        you=names[mine] if mine else None,
        standings=standings,
        current_turn=shown(turn.bidder) if turn else None,
        winner=auction.winner_uscc if closed else None,
        award_price=auction.award_price,
        savings=auction.savings,
    )


async def stored_auction_events(session: AsyncSession, request_id: uuid.UUID, after_seq: int) -> list[Event]:
    """The accepted bids after `after_seq`, and the close if it happened, as live events: what a
    watcher that missed live events (a gap, Redis away) catches up with."""
    auction = await session.get(Auction, request_id)
    if auction is None or "rules" not in auction.state:
        return []
    state = codec.load(auction.state)
    names = engine.labels(state.bidders)
    bids = (
        await session.scalars(
            select(AuctionBid)
            .where(AuctionBid.request_id == request_id, AuctionBid.accepted.is_(True), AuctionBid.seq > after_seq)
            .order_by(AuctionBid.seq)
        )
    ).all()
    events: list[Event] = [
        {
            "seq": b.seq,
            "kind": "bid",
            "at": b.received_at.isoformat(),
            "data": {"bidder": names[b.org_uscc], "price": str(b.price), "ends_at": state.end.isoformat()},
        }
        for b in bids
    ]
    if auction.closed and auction.closed_at is not None:
        award = None if auction.award_price is None else str(auction.award_price)
        savings = None if auction.savings is None else str(auction.savings)
        closed = {"winner": auction.winner_uscc, "award": award, "savings": savings}
        events.append({"seq": state.seq + 1, "kind": "closed", "at": auction.closed_at.isoformat(), "data": closed})
    return events


async def limit_bids(limiter: RateLimiter, settings: Settings, actor: Actor, request_id: uuid.UUID) -> None:
    """At most `auction_bids_per_window` bids per bidder and auction in each window."""
    wait = await limiter.hit(
        f"auction-bid:{request_id}:{actor.org_uscc}", settings.auction_bids_per_window, settings.auction_bid_window
    )
    if wait is not None:
        raise TooManyBids(
            f"at most {settings.auction_bids_per_window} bids every "
            f"{int(settings.auction_bid_window.total_seconds())} s: wait {wait:.0f} s",
            retry_after_seconds=round(wait, 1),
        )


class TooManyBids(Problem):
    status, slug, title = 429, "too-many-bids", "Too Many Requests"


class IntermediaryController(Controller):
    path = "/api/v1/intermediaries"
    tags = ("intermediary supermarket",)

    @post("/qualifications", guards=[requires(Role.intermediary)])
    async def add_qualification(
        self, data: JSONBody[QualificationIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> dict[str, str]:
        """Register a qualification (资质) of your organization."""
        q = await service.add_qualification(
            db_session, clock, actor, data.certificate_type, data.grade, data.number, data.expires_on
        )
        return {"id": str(q.id), "certificate_type": q.certificate_type, "expires_on": q.expires_on.isoformat()}

    @get("/{org_uscc:str}/record", guards=[requires(Role.supervisor, Role.admin)])
    async def record(self, org_uscc: FromPath[str], db_session: DbSession) -> dict[str, Any]:
        """An intermediary's record for the supervisors (and, later, for credit evaluation)."""
        return await service.record_of(db_session, org_uscc)

    @post("/services", guards=[requires(Role.intermediary)], status_code=200)
    async def offer(
        self, data: JSONBody[OfferedServicesIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> dict[str, list[str]]:
        """Set the service categories your organization offers (replaces the list)."""
        return {"categories": await service.offer_services(db_session, clock, actor, data.categories)}

    @get("/eligibility", guards=[requires(Role.intermediary)])
    async def eligibility(
        self, category: FromQuery[str], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> dict[str, Any]:
        """Whether your organization may take part in requests of a category, and if not why."""
        if category not in CATEGORIES:
            raise InvalidRequest([FieldError("category", "unknown", f"use one of {', '.join(sorted(CATEGORIES))}")])
        reasons = await service.why_not_eligible(db_session, str(actor.org_uscc), category, clock.now().date())
        return {"category": category, "eligible": not reasons, "reasons": reasons}


@get("/api/v1/service-categories", guards=[signed_in], tags=["intermediary supermarket"])
async def service_categories() -> list[dict[str, str]]:
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
        return ServiceRequestOut.of(await service.post_request(db_session, clock, actor, data.terms()))

    @get("/", guards=[signed_in])
    async def list_all(
        self, db_session: DbSession, actor: ActorDep, limit: Limit = 50, offset: Offset = 0
    ) -> OffsetPagination[ServiceRequestOut]:
        total = await db_session.scalar(select(func.count()).select_from(ServiceRequest)) or 0
        rows = await db_session.scalars(
            select(ServiceRequest).order_by(ServiceRequest.posted_at.desc()).limit(limit).offset(offset)
        )
        return OffsetPagination([ServiceRequestOut.of(r, actor) for r in rows.all()], limit, offset, total)

    @get("/{request_id:uuid}", guards=[signed_in])
    async def show(self, request_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> ServiceRequestOut:
        return ServiceRequestOut.of(await service.get_request(db_session, request_id), actor)

    @post("/{request_id:uuid}/registrations", guards=[requires(Role.intermediary)], status_code=201)
    async def register(
        self,
        request_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        data: JSONBody[RegistrationIn | None] = None,
    ) -> dict[str, str]:
        """Register for a request during its registration window (eligible intermediaries only);
        for a rounds auction, optionally with a sealed initial offer (the ceiling if none)."""
        offer = data.initial_offer if data else None
        registration = await service.register(db_session, clock, actor, request_id, offer)
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
        quote = await service.submit_quote(db_session, clock, actor, request_id, data.price)
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
        await service.select_directly(
            db_session, clock, actor, request_id, data.org_uscc, data.price, data.justification
        )
        return await result_of(db_session, request_id)

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
        posted = await service.repost(
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
        await service.assess(
            db_session, clock, actor, request_id, data.outcome, data.quality, data.timeliness, data.comment
        )
        outcome = await db_session.get(Auction, request_id)
        assert outcome is not None and outcome.winner_uscc is not None
        return await service.record_of(db_session, outcome.winner_uscc)

    @get("/{request_id:uuid}/result", guards=[signed_in])
    async def result(
        self, request_id: FromPath[uuid.UUID], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> ResultOut:
        """Who was selected, at what price, and the savings; for a draw, everything needed to redo it."""
        await service.open_auction(db_session, clock, actor, request_id)
        return await result_of(db_session, request_id)

    @get("/{request_id:uuid}/auction", guards=[signed_in])
    async def auction(
        self, request_id: FromPath[uuid.UUID], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> AuctionView:
        """The auction as it stands, with the server time and the time left."""
        await service.open_auction(db_session, clock, actor, request_id)
        return await auction_view(db_session, actor, request_id, clock.now())

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
    ) -> BidAnswerOut:
        """Bid a lower price; acknowledged only once committed. A refusal says why, with the server time."""
        await limit_bids(limiter, settings, actor, request_id)
        answer = await service.place_bid(db_session, clock, actor, live, request_id, data.price)
        return BidAnswerOut(
            answer.accepted,
            answer.price,
            answer.rank,
            answer.server_time,
            answer.ends_at,
            answer.seconds_left,
            answer.extended,
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
    ) -> ServerSentEvent:
        """Live bids, extensions and the close; a late watcher first gets the current state."""
        await auction_view(db_session, actor, request_id, clock.now())  # 404 before anything streams
        await db_session.commit()

        async def snapshot() -> list[Event]:
            async with sessions() as session:
                view = await auction_view(session, actor, request_id, clock.now())
                auction = await session.get(Auction, request_id)
            assert auction is not None
            kind = "closed" if auction.closed else "state"
            at = clock.now().astimezone(UTC).isoformat()
            return [{"seq": codec.load(auction.state).seq, "kind": kind, "at": at, "data": msgspec.to_builtins(view)}]

        async def stored_after(seq: int) -> list[Event]:
            async with sessions() as session:
                return await stored_auction_events(session, request_id, seq)

        return ServerSentEvent(
            sse_stream(
                live,
                service.auction_channel(request_id),
                snapshot,
                stored_after,
                frozenset({"closed"}),
                sequenced=lambda event: event["kind"] in {"bid", "state"},
            )
        )


class MarketStatsOut(msgspec.Struct):
    start: date
    end: date
    intermediaries_registered: int
    overall: stats.Figures
    by_category: dict[str, stats.Figures]


@get("/api/v1/service-requests/stats", opt={"public": True}, tags=["intermediary supermarket"])
async def market_stats(
    db_session: DbSession,
    settings: SettingsDep,
    start: Annotated[date, QueryParameter(description="first posting date (YYYY-MM-DD, local)")],
    end: Annotated[date, QueryParameter(description="last posting date, inclusive")],
) -> MarketStatsOut:
    """The supermarket's figures over a date range (public: the trading centre's page shows them)."""
    require_plausible_dates(start=start, end=end)
    since, until = start_of_day(start, settings.tz), end_of_day(end, settings.tz)
    participants = select(Registration.request_id, func.count().label("n")).group_by(Registration.request_id).subquery()
    rows = await db_session.execute(
        select(ServiceRequest.category, ServiceRequest.ceiling, Auction.award_price, participants.c.n)
        .outerjoin(Auction, Auction.request_id == ServiceRequest.id)
        .outerjoin(participants, participants.c.request_id == ServiceRequest.id)
        .where(ServiceRequest.posted_at >= since, ServiceRequest.posted_at < until)
    )
    outcomes = [stats.RequestOutcome(c, ceiling, award, n or 0) for c, ceiling, award, n in rows.all()]
    registered = await db_session.scalar(
        select(func.count()).select_from(Organization).where(Organization.kind == OrgKind.intermediary)
    )

    return MarketStatsOut(
        start,
        end,
        registered or 0,
        stats.figures(outcomes),
        stats.by_category(outcomes),
    )
