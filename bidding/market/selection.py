"""Use cases of selecting the intermediary: opening the selection when registration closes
(auction, sealed quotes, random draw), bids and quotes, the direct choice, turns and the close
with the award, and the owner's assessment of the one selected.

A bid is checked by the pure engine against the state read under a row lock (`SELECT … FOR
UPDATE` on PostgreSQL; SQLite serializes writers), stored with the new state in the same
transaction, and acknowledged only after the commit: across any number of web workers no bid
is lost and no two bids become best at the same price. Time is the server's, passed in.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.live import Broadcaster, Outbox
from app.core.problems import Conflict, InvalidRequest, Problem
from app.core.ratelimit import RateLimiter
from app.core.validation import FieldError
from bidding.market import draw, quotes, sealed_offers, stats
from bidding.market import states as request_states
from bidding.market.assessment import Assessed, suspension_reason
from bidding.market.auction import codec, engine
from bidding.market.intermediaries import NotEligible, record_of, why_not_eligible
from bidding.market.models import (
    Assessment,
    Auction,
    AuctionBid,
    Registration,
    ServiceRequest,
    Suspension,
)
from bidding.market.requests import Method, amount_text, get_request, owned_request
from bidding.market.schemas import BidAnswerOut
from bidding.market.states import RequestStatus


class NotRegistered(Problem):
    status, slug, title = 403, "not-registered", "Not registered for this auction"


class BidRejected(Problem):
    status, slug, title = 422, "bid-rejected", "The bid is rejected"


def auction_channel(request_id: object) -> str:
    return f"auction:{request_id}"


def _rules(request: ServiceRequest) -> engine.Rules:
    terms = request.auction
    amount, percent = terms["decrement_amount"], terms["decrement_percent"]
    # No maximum end given: no cap; each bid in the last minutes extends the end again.
    max_end = datetime.fromisoformat(terms["max_end"]) if terms["max_end"] else None
    return engine.Rules(
        mode=engine.Mode(terms["mode"]),
        ceiling=request.ceiling,
        decrement=engine.Decrement(
            Decimal(amount) if amount is not None else None, Decimal(percent) if percent is not None else None
        ),
        start=request.bidding_starts,
        end=request.bidding_ends,
        floor=request.floor,
        max_end=max_end,
        rounds=int(terms.get("rounds", 3)),
        turn=timedelta(seconds=int(terms.get("turn_seconds", 120))),
        pause=timedelta(seconds=int(terms.get("pause_seconds", 60))),
    )


async def open_auction(session: AsyncSession, clock: Clock, actor: Actor, request_id: uuid.UUID) -> Auction | None:
    """When registration closes (idempotent): fail the request (流标) with fewer eligible
    registrants than its minimum; otherwise open its selection: the auction among them, the
    sealed-quote box, or the draw, done at once. None while registration is open. A rounds
    auction's sealed initial offers stay sealed until `open_initial_offers` at the start."""
    existing = await session.get(Auction, request_id)
    now = clock.now()
    if existing is not None:  # the common case, on every view and bid: no lock needed
        return existing
    request = await get_request(session, request_id)
    if request.status != RequestStatus.registering or now < request.registration_closes:
        return None
    request = await get_request(session, request_id, for_update=True)  # only the first one in opens it
    existing = await session.get(Auction, request_id, populate_existing=True)
    if existing is not None or request.status != RequestStatus.registering:
        return existing
    if request.selection_method == Method.direct:
        return None  # the owner chooses; nobody registers
    registrations = (
        await session.scalars(
            select(Registration).where(Registration.request_id == request_id).order_by(Registration.registered_at)
        )
    ).all()
    eligible = [
        r.org_uscc
        for r in registrations
        if not await why_not_eligible(session, r.org_uscc, request.category, now.date())
    ]
    if len(eligible) < request.min_participants:
        request_states.move(request, RequestStatus.failed)
        reason = (
            f"{len(eligible)} eligible registrant(s), fewer than {request.min_participants}: the request fails (流标)"
        )
        await audit.record(
            session, clock, actor, "service_request.failed", "service_request", request_id, {"reason": reason}
        )
        await session.commit()
        return None
    if request.selection_method == Method.auction:
        # Round 1 stands at the ceiling until the sealed initial offers are opened at the start.
        sealed = any(r.initial_offer_sealed for r in registrations if r.org_uscc in eligible)
        state = codec.dump(engine.open_auction(_rules(request), eligible)) | ({OFFERS_SEALED: True} if sealed else {})
        auction = Auction(request_id=request_id, state=state)
        request_states.move(request, RequestStatus.bidding)
    elif request.selection_method == Method.sealed_quotes:
        auction = Auction(request_id=request_id, state={"method": Method.sealed_quotes, "bidders": eligible})
        request_states.move(request, RequestStatus.bidding)
    else:
        assert request.draw_seed is not None
        chosen = draw.draw(request.draw_seed, eligible)
        auction = Auction(
            request_id=request_id,
            state={"method": Method.random_draw, "candidates": sorted(eligible), "seed": request.draw_seed},
            closed=True,
            winner_uscc=chosen,
            award_price=request.ceiling,
            savings=stats.savings(request.ceiling, request.ceiling),
            closed_at=now,
        )
        request_states.move(request, RequestStatus.awarded)
    session.add(auction)
    payload = {"method": request.selection_method, "eligible": len(eligible), "winner": auction.winner_uscc}
    await audit.record(session, clock, actor, "selection.open", "service_request", request_id, payload)
    await session.commit()
    return auction


async def open_when_due(
    session: AsyncSession, clock: Clock, actor: Actor, request_id: uuid.UUID, offer_secret: bytes
) -> None:
    """What every reader of a running selection calls first: open it when registration has closed,
    and open a rounds auction's sealed initial offers when bidding has started."""
    await open_auction(session, clock, actor, request_id)
    await open_initial_offers(session, clock, actor, request_id, offer_secret)


async def open_initial_offers(
    session: AsyncSession, clock: Clock, actor: Actor, request_id: uuid.UUID, offer_secret: bytes
) -> None:
    """From the start of a rounds auction (idempotent; every reader of a running auction calls it
    first): open every eligible bidder's sealed initial offer under the row lock, stand each
    bidder at it, and record the openings (price and salt), against which anyone can check the
    commitments recorded at registration. Before the start, or with nothing sealed: nothing."""
    auction = await session.get(Auction, request_id)
    if auction is None or not auction.state.get(OFFERS_SEALED):
        return
    if clock.now() < datetime.fromisoformat(auction.state["rules"]["start"]):
        return
    auction = await session.get(Auction, request_id, with_for_update=True, populate_existing=True)
    assert auction is not None
    if not auction.state.get(OFFERS_SEALED):
        await session.commit()
        return
    request = await get_request(session, request_id)
    bidders = list(auction.state["bidders"])
    registrations = await session.scalars(
        select(Registration).where(Registration.request_id == request_id, Registration.org_uscc.in_(bidders))
    )
    opened = {
        r.org_uscc: sealed_offers.unseal(offer_secret, str(request_id), r.org_uscc, r.initial_offer_sealed)
        for r in registrations
        if r.initial_offer_sealed
    }
    state = engine.open_auction(_rules(request), bidders, {org: o.price for org, o in opened.items()})
    auction.state = codec.dump(state) | {"announced_turn": auction.state.get("announced_turn")}
    openings = {org: {"price": o.price, "salt": o.salt} for org, o in sorted(opened.items())}
    await audit.record(session, clock, actor, "auction.offers_opened", "service_request", request_id, openings)
    await session.commit()


async def submit_quote(
    session: AsyncSession, clock: Clock, actor: Actor, request_id: uuid.UUID, price: Decimal
) -> AuctionBid:
    """One sealed quote per intermediary, during the bidding window; nobody sees it before the close."""
    await open_auction(session, clock, actor, request_id)
    request = await get_request(session, request_id)
    box = await session.get(Auction, request_id, with_for_update=True)
    if request.selection_method != Method.sealed_quotes or box is None:
        raise Conflict("this request takes no sealed quotes now", zh="该项目现在不接受密封报价", slug="no-quotes")
    now = clock.now()
    if not request.bidding_starts <= now < request.bidding_ends:
        raise Conflict(
            f"quotes are taken from {request.bidding_starts.isoformat()} until {request.bidding_ends.isoformat()}",
            zh=f"报价时间为 {request.bidding_starts.isoformat()} 至 {request.bidding_ends.isoformat()}",
            slug="window",
        )
    if actor.org_uscc not in box.state["bidders"]:
        raise NotEligible(
            "only the eligible registrants quote",
            zh="只有报名并符合条件的中介机构可以报价",
            reasons=["not registered and eligible"],
        )
    if await session.scalar(
        select(AuctionBid.id).where(AuctionBid.request_id == request_id, AuctionBid.org_uscc == actor.org_uscc)
    ):
        raise Conflict(
            "your quote is in: a sealed quote is given once",
            zh="已提交报价：密封报价只能提交一次",
            slug="already-quoted",
        )
    problems = []
    if price > request.ceiling:
        problems.append(FieldError("price", "above_ceiling", f"the ceiling price is {request.ceiling}"))
    if request.floor is not None and price < request.floor:
        problems.append(FieldError("price", "below_floor", f"the floor price is {request.floor}"))
    if problems:
        raise InvalidRequest(problems)
    seq = (await session.scalar(select(func.count()).where(AuctionBid.request_id == request_id)) or 0) + 1
    quote = AuctionBid(
        request_id=request_id, org_uscc=actor.org_uscc, price=price, received_at=now, accepted=True, seq=seq
    )
    session.add(quote)
    await audit.record(session, clock, actor, "selection.quote", "service_request", request_id, {"sealed": True})
    await session.commit()
    return quote


async def select_directly(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    request_id: uuid.UUID,
    org_uscc: str,
    price: Decimal,
    justification: str,
) -> Auction:
    """The owner names the intermediary, with a written justification kept for the supervisors."""
    request = await owned_request(session, actor, request_id, for_update=True)
    if request.selection_method != Method.direct or request.status != RequestStatus.registering:
        raise Conflict("this request is not open to direct selection", zh="该项目不采用直接选取", slug="not-direct")
    now = clock.now()
    reasons = await why_not_eligible(session, org_uscc, request.category, now.date(), request.required_grade)
    if reasons:
        raise NotEligible("; ".join(reasons), zh="不符合条件：" + "；".join(reasons), reasons=reasons)
    if price > request.ceiling:
        raise InvalidRequest([FieldError("price", "above_ceiling", f"the ceiling price is {request.ceiling}")])
    outcome = Auction(
        request_id=request_id,
        state={"method": Method.direct},
        closed=True,
        winner_uscc=org_uscc,
        award_price=price,
        savings=stats.savings(request.ceiling, price),
        closed_at=now,
    )
    session.add(outcome)
    request_states.move(request, RequestStatus.awarded)
    request.justification = justification
    payload = {"winner": org_uscc, "price": price, "justification": justification}
    await audit.record(session, clock, actor, "selection.direct", "service_request", request_id, payload)
    await session.commit()
    return outcome


# In an auction's state while its sealed initial offers wait for the start.
OFFERS_SEALED = "initial_offers_sealed"


class TooManyBids(Problem):
    status, slug, title = 429, "too-many-bids", "Too Many Requests"


@dataclass(frozen=True)
class BidRate:
    """At most `bids` bids per bidder and auction in each `window`."""

    limiter: RateLimiter
    bids: int
    window: timedelta


async def _limit(rate: BidRate, actor: Actor, request_id: uuid.UUID) -> None:
    wait = await rate.limiter.hit(f"auction-bid:{request_id}:{actor.org_uscc}", rate.bids, rate.window)
    if wait is not None:
        raise TooManyBids(
            f"at most {rate.bids} bids every {int(rate.window.total_seconds())} s: wait {wait:.0f} s",
            zh=f"每 {int(rate.window.total_seconds())} 秒最多报价 {rate.bids} 次，请等待 {wait:.0f} 秒",
            retry_after_seconds=round(wait, 1),
        )


async def place_bid(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    broadcaster: Broadcaster,
    request_id: uuid.UUID,
    price: Decimal,
    *,
    offer_secret: bytes,
    rate: BidRate | None = None,
    received_at: datetime | None = None,
) -> BidAnswerOut:
    """Check the bid against the state read under a row lock; commit; then acknowledge and publish.
    A bidder over its bid rate, or not registered for this auction, is refused before anything
    is written. The bid's time is `received_at` (when the request arrived) or else now."""
    received_at = received_at or clock.now()
    if rate is not None:
        await _limit(rate, actor, request_id)
    await open_when_due(session, clock, actor, request_id, offer_secret)
    auction = await session.get(Auction, request_id)
    if auction is None or "rules" not in auction.state:
        raise Conflict("this request has no auction running", zh="该项目没有正在进行的竞价", slug="no-auction")
    if str(actor.org_uscc) not in auction.state["bidders"]:
        await session.rollback()
        raise NotRegistered(
            "only the intermediaries registered and eligible for this auction may bid",
            zh="只有报名并符合条件的中介机构可以参加竞价",
        )
    auction = await session.get(Auction, request_id, with_for_update=True, populate_existing=True)
    assert auction is not None
    now = received_at
    state = codec.load(auction.state)
    outcome = engine.place_bid(state, str(actor.org_uscc), price, now)
    if isinstance(outcome, engine.Rejected):
        session.add(
            AuctionBid(
                request_id=request_id,
                org_uscc=actor.org_uscc,
                price=price,
                received_at=now,
                accepted=False,
                reason=outcome.reason,
            )
        )
        rejected = {"price": price, "code": outcome.code}
        await audit.record(session, clock, actor, "auction.bid_rejected", "service_request", request_id, rejected)
        await session.commit()
        raise BidRejected(
            outcome.reason,
            zh=outcome.reason_zh,
            code=outcome.code,
            server_time=now.isoformat(),
            ends_at=state.end.isoformat(),
            seconds_left=max(0.0, (state.end - now).total_seconds()),
        )
    new_state, event = outcome
    auction.state = codec.dump(new_state) | {"announced_turn": auction.state.get("announced_turn")}
    session.add(
        AuctionBid(
            request_id=request_id,
            org_uscc=actor.org_uscc,
            price=price,
            received_at=now,
            accepted=True,
            seq=event.offer.seq,
        )
    )
    await audit.record(
        session, clock, actor, "auction.bid", "service_request", request_id, {"price": price, "seq": event.offer.seq}
    )
    names = engine.labels(new_state.bidders)
    rank = [o.bidder for o in engine.ranking(new_state)].index(str(actor.org_uscc)) + 1
    data = {
        "bidder": names[str(actor.org_uscc)],
        "price": str(price),
        "ends_at": new_state.end.isoformat(),
        "extended": event.extended,
    }
    outbox = Outbox(broadcaster)
    outbox.queue(auction_channel(request_id), event.offer.seq, "bid", data, now)
    await outbox.commit(session)
    return BidAnswerOut(True, price, rank, now, new_state.end, (new_state.end - now).total_seconds(), event.extended)


async def selections_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """The requests whose next event is opening their selection (registration closed), now."""
    rows = await session.execute(
        select(
            ServiceRequest.id,
            ServiceRequest.status,
            ServiceRequest.selection_method,
            ServiceRequest.registration_closes,
        ).where(ServiceRequest.status == RequestStatus.registering, ServiceRequest.registration_closes <= now)
    )
    return [
        request_id
        for request_id, status, method, closes in rows.all()
        if (due := request_states.next_event(status, method == Method.direct, closes, None)) and due.is_due(now)
    ]


async def rounds_under_way(session: AsyncSession, _now: datetime) -> list[uuid.UUID]:
    """The rounds auctions still open: each may have a turn to announce."""
    query = select(Auction.request_id, Auction.state).where(Auction.closed.is_(False))
    rows = cast(Sequence[tuple[uuid.UUID, dict[str, Any]]], (await session.execute(query)).all())
    return [request_id for request_id, state in rows if state.get("rules", {}).get("mode") == engine.Mode.rounds]


async def selections_ending(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """The requests whose next event is the close of their selection (its current end), now."""
    query = (
        select(
            ServiceRequest.id,
            ServiceRequest.status,
            ServiceRequest.registration_closes,
            ServiceRequest.bidding_ends,
            Auction.state,
        )
        .join(Auction, Auction.request_id == ServiceRequest.id)
        .where(Auction.closed.is_(False))
    )
    rows = cast(
        Sequence[tuple[uuid.UUID, str, datetime, datetime, dict[str, Any]]], (await session.execute(query)).all()
    )
    due_ids = []
    for request_id, status, closes, bidding_ends, state in rows:
        ends_at = codec.load(state).end if "rules" in state else bidding_ends  # an auction's end moves with late bids
        due = request_states.next_event(status, False, closes, ends_at)
        if due is not None and due.is_due(now):
            due_ids.append(request_id)
    return due_ids


async def announce_turn(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    broadcaster: Broadcaster,
    request_id: uuid.UUID,
    offer_secret: bytes,
) -> bool:
    """A rounds auction: announce its current turn once, when it begins (turns run on the
    schedule; this only tells the watchers). Round 1's order needs the initial offers opened."""
    await open_initial_offers(session, clock, actor, request_id, offer_secret)
    now = clock.now()
    auction = await session.get(Auction, request_id, with_for_update=True, populate_existing=True)
    assert auction is not None
    if auction.state.get("rules", {}).get("mode") != engine.Mode.rounds:
        await session.commit()
        return False
    state, turn = engine.current_turn(codec.load(auction.state), now)
    key = [turn.round, turn.index] if turn else None
    if turn is None or auction.state.get("announced_turn") == key:
        await session.commit()
        return False
    auction.state = codec.dump(state) | {"announced_turn": key}
    turn_payload = {"round": turn.round + 1, "index": turn.index, "bidder": turn.bidder}
    await audit.record(session, clock, actor, "auction.turn", "service_request", request_id, turn_payload)
    names = engine.labels(state.bidders)
    data = {"round": turn.round + 1, "bidder": names[turn.bidder], "ends_at": turn.ends_at.isoformat()}
    outbox = Outbox(broadcaster)
    outbox.queue(auction_channel(request_id), state.seq, "turn", data, now)
    await outbox.commit(session)
    return True


async def close_selection(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    broadcaster: Broadcaster,
    request_id: uuid.UUID,
    offer_secret: bytes,
) -> bool:
    """Close an auction or sealed-quote box whose end has passed (idempotent): award the lowest
    price, with the savings (ceiling − award). A late bid is refused by the engine's time check
    regardless. A rounds auction nobody bid in is awarded on its opened initial offers."""
    await open_initial_offers(session, clock, actor, request_id, offer_secret)
    now = clock.now()
    auction = await session.get(Auction, request_id, with_for_update=True, populate_existing=True)
    assert auction is not None
    request = await get_request(session, request_id, for_update=True)
    if "rules" in auction.state:
        state = codec.load(auction.state)
        due, best, seq = engine.is_closed(state, now), engine.winner(state, now), state.seq
    else:  # sealed quotes: opened at the end of the window
        due, seq = now >= request.bidding_ends, 0
        given = (await session.scalars(select(AuctionBid).where(AuctionBid.request_id == request_id))).all()
        best = quotes.sealed_quote_winner([(q.org_uscc, q.price, q.seq or 0, q.received_at) for q in given])
    if auction.closed or not due:
        await session.commit()
        return False
    auction.closed, auction.closed_at = True, now
    if best is None:
        request_states.move(request, RequestStatus.failed)
    else:
        request_states.move(request, RequestStatus.awarded)
        auction.winner_uscc, auction.award_price = best.bidder, best.price
        auction.savings = stats.savings(request.ceiling, best.price)
    payload = {"winner": auction.winner_uscc, "award": auction.award_price, "savings": auction.savings}
    await audit.record(session, clock, actor, "auction.close", "service_request", request_id, payload)
    event = {
        "winner": auction.winner_uscc,
        "award": amount_text(auction.award_price),
        "savings": amount_text(auction.savings),
    }
    outbox = Outbox(broadcaster)
    outbox.queue(auction_channel(request_id), seq + 1, "closed", event, now)
    await outbox.commit(session)
    return True


async def assess(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    request_id: uuid.UUID,
    outcome: str,
    quality: int | None,
    timeliness: int | None,
    comment: str | None,
) -> dict[str, Any]:
    """The owner assesses the intermediary that won (once per request); a poor record under the
    rule suspends the intermediary from the supermarket, with the reason. Returns the
    intermediary's record as it now stands."""
    request = await owned_request(session, actor, request_id)
    won = await session.get(Auction, request_id)
    if request.status != RequestStatus.awarded or won is None or won.winner_uscc is None:
        raise Conflict(
            "only an awarded request's intermediary is assessed",
            zh="只有已成交项目的中介机构才能评价",
            slug="not-awarded",
        )
    if await session.scalar(select(Assessment.id).where(Assessment.request_id == request_id)):
        raise Conflict(
            "this request's intermediary has been assessed", zh="该项目的中介机构已评价", slug="already-assessed"
        )
    if outcome == "delivered" and (quality is None or timeliness is None):
        raise InvalidRequest(
            [FieldError("quality", "required", "rate quality and timeliness (0-100) for a delivered service")]
        )
    now = clock.now()
    assessment = Assessment(
        request_id=request_id,
        org_uscc=won.winner_uscc,
        outcome=outcome,
        quality=quality,
        timeliness=timeliness,
        comment=comment,
        assessed_at=now,
        assessed_by=actor.user_id,
    )
    session.add(assessment)
    await session.flush()
    payload = {"org": won.winner_uscc, "outcome": outcome, "quality": quality, "timeliness": timeliness}
    await audit.record(session, clock, actor, "intermediary.assess", "service_request", request_id, payload)
    history = [
        Assessed(a.outcome, a.quality, a.timeliness, a.assessed_at)
        for a in (await session.scalars(select(Assessment).where(Assessment.org_uscc == won.winner_uscc))).all()
    ]
    reason = suspension_reason(history, now)
    already = await session.scalar(
        select(Suspension.id).where(Suspension.org_uscc == won.winner_uscc, Suspension.lifted_at.is_(None))
    )
    if reason and not already:
        session.add(Suspension(org_uscc=won.winner_uscc, reason=reason, since=now))
        await audit.record(session, clock, actor, "intermediary.suspend", "org", won.winner_uscc, {"reason": reason})
    await session.commit()
    return await record_of(session, won.winner_uscc)
