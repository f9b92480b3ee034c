"""Read models of the intermediary supermarket: a request's result, the auction as a user may
see it, its stored events for the live stream, the list of requests and the public figures."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.actor import Actor, Role
from app.core.calendar.rules import end_of_day, start_of_day
from app.core.clock import Clock
from app.core.live import Event
from app.core.problems import NotFound
from app.identity.models import Organization, OrgKind
from bidding.market import requests, sealed_offers, stats
from bidding.market.auction import codec, disclosure, engine
from bidding.market.models import Auction, AuctionBid, Registration, ServiceRequest
from bidding.market.schemas import AuctionView, MarketStatsOut, ResultOut, Standing


async def result_of(session: AsyncSession, request_id: uuid.UUID, offer_secret: bytes | None = None) -> ResultOut:
    """Who was selected, at what price, and the savings; for a draw, everything needed to redo it;
    for a rounds auction with sealed initial offers (given `offer_secret`), each offer opened with
    its salt, so anyone can check it against the commitment recorded at registration."""
    request = await requests.get_request(session, request_id)
    outcome = await session.get(Auction, request_id)
    closed = outcome is not None and outcome.closed
    drawn = None
    if request.selection_method == requests.Method.random_draw:
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
        initial_offers=await _opened_offers(session, request_id, offer_secret) if closed and offer_secret else None,
    )


async def _opened_offers(session: AsyncSession, request_id: uuid.UUID, offer_secret: bytes) -> list[dict[str, str]]:
    sealed = await session.scalars(
        select(Registration)
        .where(Registration.request_id == request_id, Registration.initial_offer_sealed.is_not(None))
        .order_by(Registration.org_uscc)
    )
    opened = []
    for r in sealed:
        assert r.initial_offer_sealed is not None and r.initial_offer_commitment is not None
        offer = sealed_offers.unseal(offer_secret, str(request_id), r.org_uscc, r.initial_offer_sealed)
        opened.append(
            {
                "bidder": r.org_uscc,
                "price": f"{offer.price:.2f}",
                "salt": offer.salt,
                "commitment": r.initial_offer_commitment,
            }
        )
    return opened


async def auction_view(session: AsyncSession, actor: Actor, request_id: uuid.UUID, now: datetime) -> AuctionView:
    """The auction as `actor` may see it at `now`: standings, the time left, the turn, the result."""
    request = await requests.get_request(session, request_id)
    auction = await session.get(Auction, request_id)
    if auction is None or "rules" not in auction.state:
        raise NotFound(f"service request {request_id} has no live auction (it is {request.status})")
    state = codec.load(auction.state)
    closed = auction.closed
    names = engine.labels(state.bidders)
    officer = actor.has_role(Role.supervisor, Role.admin)
    if not disclosure.may_follow(closed, officer, actor.org_uscc == request.owner_uscc, actor.org_uscc in names):
        raise NotFound(f"service request {request_id} has no auction you take part in")

    def shown(bidder: str) -> str:
        return disclosure.shown_name(bidder, names, closed, officer)

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
        highest_acceptable=engine.highest_acceptable(state, mine, now) if mine and not closed else None,
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


async def auction_snapshot(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, actor: Actor, request_id: uuid.UUID
) -> list[Event]:
    """What a watcher gets first: the auction as it stands (or its close)."""
    async with sessions() as session:
        view = await auction_view(session, actor, request_id, clock.now())
        auction = await session.get(Auction, request_id)
    assert auction is not None
    kind = "closed" if auction.closed else "state"
    at = clock.now().astimezone(UTC).isoformat()
    return [{"seq": codec.load(auction.state).seq, "kind": kind, "at": at, "data": msgspec.to_builtins(view)}]


async def requests_page(session: AsyncSession, *, limit: int, offset: int) -> tuple[Sequence[ServiceRequest], int]:
    """The service requests, newest first, and how many there are."""
    total = await session.scalar(select(func.count()).select_from(ServiceRequest)) or 0
    rows = await session.scalars(
        select(ServiceRequest).order_by(ServiceRequest.posted_at.desc()).limit(limit).offset(offset)
    )
    return rows.all(), total


async def market_figures(session: AsyncSession, tz: ZoneInfo, start: date, end: date) -> MarketStatsOut:
    """The supermarket's figures over the requests posted from `start` to `end` inclusive (local dates)."""
    since, until = start_of_day(start, tz), end_of_day(end, tz)
    participants = select(Registration.request_id, func.count().label("n")).group_by(Registration.request_id).subquery()
    query = (
        select(ServiceRequest.category, ServiceRequest.ceiling, Auction.award_price, participants.c.n)
        .outerjoin(Auction, Auction.request_id == ServiceRequest.id)
        .outerjoin(participants, participants.c.request_id == ServiceRequest.id)
        .where(ServiceRequest.posted_at >= since, ServiceRequest.posted_at < until)
    )
    rows = cast(Sequence[tuple[str, Decimal, Decimal | None, int | None]], (await session.execute(query)).all())
    outcomes = [stats.RequestOutcome(c, ceiling, award, n or 0) for c, ceiling, award, n in rows]
    registered = await session.scalar(
        select(func.count()).select_from(Organization).where(Organization.kind == OrgKind.intermediary)
    )
    return MarketStatsOut(start, end, registered or 0, stats.figures(outcomes), stats.by_category(outcomes))


async def registered_count(session: AsyncSession, request_id: uuid.UUID) -> int:
    """How many intermediaries have registered for a request."""
    query = select(func.count()).select_from(Registration).where(Registration.request_id == request_id)
    return await session.scalar(query) or 0
