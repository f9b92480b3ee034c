"""Use cases of the intermediary supermarket: qualifications, posting a service request,
registration of eligible intermediaries, the live auction, and its close with the award.

A bid is checked by the pure engine against the state read under a row lock (`SELECT … FOR
UPDATE` on PostgreSQL; SQLite serializes writers), stored with the new state in the same
transaction, and acknowledged only after the commit: across any number of web workers no bid
is lost and no two bids become best at the same price. Time is the server's, passed in.
"""

from __future__ import annotations

import enum
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.live import Broadcaster, encode_event
from app.core.problems import Conflict, InvalidRequest, NotFound, Problem
from app.core.validation import FieldError
from app.identity.models import Organization, OrgKind
from bidding.market import draw
from bidding.market import states as request_states
from bidding.market.assessment import Assessed, average_score, suspension_reason
from bidding.market.auction import codec, engine
from bidding.market.categories import CATEGORIES
from bidding.market.eligibility import HeldQualification, ineligibility
from bidding.market.models import (
    Assessment,
    Auction,
    AuctionBid,
    OfferedService,
    Qualification,
    Registration,
    ServiceRequest,
    Suspension,
)
from bidding.market.states import RequestStatus


class Method(enum.StrEnum):
    auction = "auction"  # live reverse auction (continuous or rounds)
    sealed_quotes = "sealed_quotes"  # one sealed quote each, lowest wins
    random_draw = "random_draw"  # verifiable draw among the eligible, at the ceiling price
    direct = "direct"  # chosen by the owner with a written justification


class NotEligible(Problem):
    status, slug, title = 422, "not-eligible", "Not eligible"


class NotRegistered(Problem):
    status, slug, title = 403, "not-registered", "Not registered for this auction"


class BidRejected(Problem):
    status, slug, title = 422, "bid-rejected", "The bid is rejected"


def auction_channel(request_id: object) -> str:
    return f"auction:{request_id}"


async def qualifications_of(session: AsyncSession, org_uscc: str) -> list[HeldQualification]:
    rows = (await session.scalars(select(Qualification).where(Qualification.org_uscc == org_uscc))).all()
    return [HeldQualification(q.certificate_type, q.grade, q.number, q.expires_on) for q in rows]


async def why_not_eligible(
    session: AsyncSession, org_uscc: str, category: str, today: Any, required_grade: str | None = None
) -> list[str]:
    suspension = await session.scalar(
        select(Suspension.reason).where(Suspension.org_uscc == org_uscc, Suspension.lifted_at.is_(None)).limit(1)
    )
    offered = frozenset(
        (await session.scalars(select(OfferedService.category).where(OfferedService.org_uscc == org_uscc))).all()
    )
    return ineligibility(
        category, await qualifications_of(session, org_uscc), suspension, today, offered, required_grade
    )


async def offer_services(session: AsyncSession, clock: Clock, actor: Actor, categories: list[str]) -> list[str]:
    """Set the categories the intermediary offers (the whole list, replacing the previous one)."""
    unknown = sorted(set(categories) - set(CATEGORIES))
    if unknown:
        raise InvalidRequest([FieldError("categories", "unknown", f"no such categories: {', '.join(unknown)}")])
    current = (await session.scalars(select(OfferedService).where(OfferedService.org_uscc == actor.org_uscc))).all()
    for row in current:
        if row.category not in categories:
            await session.delete(row)
    for category in sorted(set(categories) - {row.category for row in current}):
        session.add(OfferedService(org_uscc=actor.org_uscc, category=category))
    await audit.record(
        session, clock, actor, "intermediary.services", "org", actor.org_uscc, {"categories": sorted(categories)}
    )
    await session.commit()
    return sorted(set(categories))


async def add_qualification(
    session: AsyncSession, clock: Clock, actor: Actor, certificate_type: str, grade: str, number: str, expires_on: Any
) -> Qualification:
    qualification = Qualification(
        org_uscc=actor.org_uscc,
        certificate_type=certificate_type,
        grade=grade,
        number=number,
        expires_on=expires_on,
        registered_at=clock.now(),
    )
    session.add(qualification)
    await session.flush()
    payload = {"type": certificate_type, "grade": grade, "number": number, "expires_on": expires_on}
    await audit.record(session, clock, actor, "intermediary.qualification", "org", actor.org_uscc, payload)
    await session.commit()
    return qualification


@dataclass(frozen=True)
class RequestTerms:
    project_name: str
    category: str
    ceiling: Decimal
    floor: Decimal | None
    registration_closes: datetime
    bidding_starts: datetime
    bidding_ends: datetime
    max_end: datetime | None
    min_participants: int
    mode: engine.Mode
    decrement_amount: Decimal | None
    decrement_percent: Decimal | None
    method: Method = Method.auction
    required_grade: str | None = None
    rounds: int = 3
    turn_seconds: int = 120
    pause_seconds: int = 60


def _term_errors(terms: RequestTerms, now: datetime) -> list[FieldError]:
    errors = []
    if terms.category not in CATEGORIES:
        errors.append(FieldError("category", "unknown", f"use one of {', '.join(sorted(CATEGORIES))}"))
    if terms.floor is not None and terms.floor >= terms.ceiling:
        errors.append(FieldError("floor", "above_ceiling", "the floor must be below the ceiling price"))
    if not now < terms.registration_closes <= terms.bidding_starts < terms.bidding_ends:
        message = "registration must close in the future, before bidding starts, and bidding must end after it starts"
        errors.append(FieldError("bidding_starts", "bad_windows", message))
    if terms.max_end is not None and terms.max_end < terms.bidding_ends:
        errors.append(FieldError("max_end", "before_end", "the maximum end cannot come before the scheduled end"))
    if terms.method is Method.auction and (terms.decrement_amount is None) == (terms.decrement_percent is None):
        errors.append(
            FieldError("decrement_amount", "one_of", "give the minimum decrement as an amount or a percentage")
        )
    if terms.decrement_amount is not None and terms.decrement_amount >= terms.ceiling:
        errors.append(
            FieldError("decrement_amount", "above_ceiling", "the minimum decrement must be below the ceiling")
        )
    return errors


async def post_request(
    session: AsyncSession, clock: Clock, actor: Actor, terms: RequestTerms, reposted_from: uuid.UUID | None = None
) -> ServiceRequest:
    now = clock.now()
    errors = _term_errors(terms, now)
    if errors:
        raise InvalidRequest(errors)
    seed = draw.new_seed() if terms.method == Method.random_draw else None
    posted = ServiceRequest(
        owner_uscc=actor.org_uscc,
        project_name=terms.project_name,
        category=terms.category,
        required_grade=terms.required_grade,
        ceiling=terms.ceiling,
        floor=terms.floor,
        registration_closes=terms.registration_closes,
        bidding_starts=terms.bidding_starts,
        bidding_ends=terms.bidding_ends,
        min_participants=terms.min_participants,
        auction={
            "mode": terms.mode.value,
            "max_end": terms.max_end.isoformat() if terms.max_end else None,
            "decrement_amount": _text(terms.decrement_amount),
            "decrement_percent": _text(terms.decrement_percent),
            "rounds": terms.rounds,
            "turn_seconds": terms.turn_seconds,
            "pause_seconds": terms.pause_seconds,
        },
        selection_method=terms.method,
        draw_seed=seed,
        draw_commitment=draw.commitment(seed) if seed else None,
        status=RequestStatus.registering,
        reposted_from=reposted_from,
        posted_at=now,
        posted_by=actor.user_id,
    )
    session.add(posted)
    await session.flush()
    payload = {
        "project": terms.project_name,
        "category": terms.category,
        "ceiling": terms.ceiling,
        "method": terms.method,
    }
    if posted.draw_commitment:
        payload["draw_commitment"] = posted.draw_commitment
    if reposted_from:
        payload["reposted_from"] = str(reposted_from)
    await audit.record(session, clock, actor, "service_request.post", "service_request", posted.id, payload)
    await session.commit()
    return posted


async def get_request(session: AsyncSession, request_id: uuid.UUID, *, for_update: bool = False) -> ServiceRequest:
    found = await session.get(ServiceRequest, request_id, with_for_update=for_update)
    if found is None:
        raise NotFound(f"service request {request_id} not found")
    return found


async def owned_request(
    session: AsyncSession, actor: Actor, request_id: uuid.UUID, *, for_update: bool = False
) -> ServiceRequest:
    """A request its owner acts on; to anyone else it does not exist (404)."""
    request = await get_request(session, request_id, for_update=for_update)
    if request.owner_uscc != actor.org_uscc:
        raise NotFound(f"service request {request_id} not found")
    return request


async def register(
    session: AsyncSession, clock: Clock, actor: Actor, request_id: uuid.UUID, initial_offer: Decimal | None = None
) -> Registration:
    """Register for a request; for a rounds auction, with an optional sealed initial offer."""
    request = await get_request(session, request_id)
    now = clock.now()
    if initial_offer is not None:
        problem = _initial_offer_problem(request, initial_offer)
        if problem:
            raise InvalidRequest([FieldError("initial_offer", problem[0], problem[1])])
    if now >= request.registration_closes:
        raise Conflict(f"registration closed at {request.registration_closes.isoformat()}", slug="registration-closed")
    reasons = await why_not_eligible(session, str(actor.org_uscc), request.category, now.date(), request.required_grade)
    if reasons:
        raise NotEligible("; ".join(reasons), reasons=reasons)
    if await session.scalar(
        select(Registration.id).where(Registration.request_id == request_id, Registration.org_uscc == actor.org_uscc)
    ):
        raise Conflict("your organization is already registered for this request", slug="already-registered")
    registration = Registration(
        request_id=request_id, org_uscc=actor.org_uscc, registered_at=now, initial_offer=initial_offer
    )
    session.add(registration)
    await session.flush()
    sealed = (
        {"initial_offer_sha256": hashlib.sha256(str(initial_offer).encode()).hexdigest()} if initial_offer else None
    )
    await audit.record(session, clock, actor, "service_request.register", "service_request", request_id, sealed)
    await session.commit()
    return registration


def _initial_offer_problem(request: ServiceRequest, offer: Decimal) -> tuple[str, str] | None:
    if request.selection_method != Method.auction or request.auction.get("mode") != engine.Mode.rounds:
        return "not_rounds", "an initial offer is given only for a rounds auction"
    if offer > request.ceiling:
        return "above_ceiling", f"the ceiling price is {request.ceiling}"
    if request.floor is not None and offer < request.floor:
        return "below_floor", f"the floor price is {request.floor}"
    return None


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
    sealed-quote box, or the draw, done at once. None while registration is open."""
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
        offers = {r.org_uscc: r.initial_offer for r in registrations if r.initial_offer is not None}
        auction = Auction(
            request_id=request_id, state=codec.dump(engine.open_auction(_rules(request), eligible, offers))
        )
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
            savings=Decimal("0.00"),
            closed_at=now,
        )
        request_states.move(request, RequestStatus.awarded)
    session.add(auction)
    payload = {"method": request.selection_method, "eligible": len(eligible), "winner": auction.winner_uscc}
    await audit.record(session, clock, actor, "selection.open", "service_request", request_id, payload)
    await session.commit()
    return auction


async def submit_quote(
    session: AsyncSession, clock: Clock, actor: Actor, request_id: uuid.UUID, price: Decimal
) -> AuctionBid:
    """One sealed quote per intermediary, during the bidding window; nobody sees it before the close."""
    await open_auction(session, clock, actor, request_id)
    request = await get_request(session, request_id)
    box = await session.get(Auction, request_id, with_for_update=True)
    if request.selection_method != Method.sealed_quotes or box is None:
        raise Conflict("this request takes no sealed quotes now", slug="no-quotes")
    now = clock.now()
    if not request.bidding_starts <= now < request.bidding_ends:
        raise Conflict(
            f"quotes are taken from {request.bidding_starts.isoformat()} until {request.bidding_ends.isoformat()}",
            slug="window",
        )
    if actor.org_uscc not in box.state["bidders"]:
        raise NotEligible("only the eligible registrants quote", reasons=["not registered and eligible"])
    if await session.scalar(
        select(AuctionBid.id).where(AuctionBid.request_id == request_id, AuctionBid.org_uscc == actor.org_uscc)
    ):
        raise Conflict("your quote is in: a sealed quote is given once", slug="already-quoted")
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
        raise Conflict("this request is not open to direct selection", slug="not-direct")
    now = clock.now()
    reasons = await why_not_eligible(session, org_uscc, request.category, now.date(), request.required_grade)
    if reasons:
        raise NotEligible("; ".join(reasons), reasons=reasons)
    if price > request.ceiling:
        raise InvalidRequest([FieldError("price", "above_ceiling", f"the ceiling price is {request.ceiling}")])
    outcome = Auction(
        request_id=request_id,
        state={"method": Method.direct},
        closed=True,
        winner_uscc=org_uscc,
        award_price=price,
        savings=request.ceiling - price,
        closed_at=now,
    )
    session.add(outcome)
    request_states.move(request, RequestStatus.awarded)
    request.justification = justification
    payload = {"winner": org_uscc, "price": price, "justification": justification}
    await audit.record(session, clock, actor, "selection.direct", "service_request", request_id, payload)
    await session.commit()
    return outcome


async def repost(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    request_id: uuid.UUID,
    registration_closes: datetime,
    bidding_starts: datetime,
    bidding_ends: datetime,
) -> ServiceRequest:
    """Post a failed request again with new windows (重新发布); the old one stays as it was."""
    old = await owned_request(session, actor, request_id)
    if old.status != RequestStatus.failed:
        raise Conflict("only a failed request is posted again", slug="not-failed")
    a = old.auction
    terms = RequestTerms(
        project_name=old.project_name,
        category=old.category,
        ceiling=old.ceiling,
        floor=old.floor,
        registration_closes=registration_closes,
        bidding_starts=bidding_starts,
        bidding_ends=bidding_ends,
        max_end=None,  # no cap: a bid in the last minutes always extends
        min_participants=old.min_participants,
        mode=engine.Mode(a["mode"]),
        decrement_amount=Decimal(a["decrement_amount"]) if a.get("decrement_amount") is not None else None,
        decrement_percent=Decimal(a["decrement_percent"]) if a.get("decrement_percent") is not None else None,
        method=Method(old.selection_method),
        required_grade=old.required_grade,
        rounds=int(a.get("rounds", 3)),
        turn_seconds=int(a.get("turn_seconds", 120)),
        pause_seconds=int(a.get("pause_seconds", 60)),
    )
    return await post_request(session, clock, actor, terms, reposted_from=old.id)


@dataclass(frozen=True)
class BidAnswer:
    accepted: bool
    price: Decimal
    rank: int | None
    server_time: datetime
    ends_at: datetime
    seconds_left: float
    extended: bool


async def place_bid(
    session: AsyncSession, clock: Clock, actor: Actor, broadcaster: Broadcaster, request_id: uuid.UUID, price: Decimal
) -> BidAnswer:
    """Check the bid against the state read under a row lock; commit; then acknowledge and publish.
    A bidder not registered for this auction is refused before anything is written."""
    await open_auction(session, clock, actor, request_id)
    auction = await session.get(Auction, request_id)
    if auction is None or "rules" not in auction.state:
        raise Conflict("this request has no auction running", slug="no-auction")
    if str(actor.org_uscc) not in auction.state["bidders"]:
        await session.rollback()
        raise NotRegistered("only the intermediaries registered and eligible for this auction may bid")
    auction = await session.get(Auction, request_id, with_for_update=True, populate_existing=True)
    assert auction is not None
    now = clock.now()
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
    await session.commit()
    names = engine.labels(new_state.bidders)
    rank = [o.bidder for o in engine.ranking(new_state)].index(str(actor.org_uscc)) + 1
    data = {
        "bidder": names[str(actor.org_uscc)],
        "price": str(price),
        "ends_at": new_state.end.isoformat(),
        "extended": event.extended,
    }
    await broadcaster.publish(auction_channel(request_id), encode_event(event.offer.seq, "bid", data, now.isoformat()))
    return BidAnswer(True, price, rank, now, new_state.end, (new_state.end - now).total_seconds(), event.extended)


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
    rows = await session.execute(select(Auction.request_id, Auction.state).where(Auction.closed.is_(False)))
    return [request_id for request_id, state in rows.all() if state.get("rules", {}).get("mode") == engine.Mode.rounds]


async def selections_ending(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """The requests whose next event is the close of their selection (its current end), now."""
    rows = await session.execute(
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
    due_ids = []
    for request_id, status, closes, bidding_ends, state in rows.all():
        ends_at = codec.load(state).end if "rules" in state else bidding_ends  # an auction's end moves with late bids
        due = request_states.next_event(status, False, closes, ends_at)
        if due is not None and due.is_due(now):
            due_ids.append(request_id)
    return due_ids


async def announce_turn(
    session: AsyncSession, clock: Clock, actor: Actor, broadcaster: Broadcaster, request_id: uuid.UUID
) -> bool:
    """A rounds auction: announce its current turn once, when it begins (turns run on the
    schedule; this only tells the watchers)."""
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
    await session.commit()
    names = engine.labels(state.bidders)
    data = {"round": turn.round + 1, "bidder": names[turn.bidder], "ends_at": turn.ends_at.isoformat()}
    await broadcaster.publish(auction_channel(request_id), encode_event(state.seq, "turn", data, now.isoformat()))
    return True


async def close_selection(
    session: AsyncSession, clock: Clock, actor: Actor, broadcaster: Broadcaster, request_id: uuid.UUID
) -> bool:
    """Close an auction or sealed-quote box whose end has passed (idempotent): award the lowest
    price, with the savings (ceiling − award). A late bid is refused by the engine's time check
    regardless."""
    now = clock.now()
    auction = await session.get(Auction, request_id, with_for_update=True, populate_existing=True)
    assert auction is not None
    request = await get_request(session, request_id, for_update=True)
    if "rules" in auction.state:
        state = codec.load(auction.state)
        due, best, seq = engine.is_closed(state, now), engine.winner(state, now), state.seq
    else:  # sealed quotes: opened at the end of the window
        due, seq = now >= request.bidding_ends, 0
        quotes = (await session.scalars(select(AuctionBid).where(AuctionBid.request_id == request_id))).all()
        best = sealed_quote_winner([(q.org_uscc, q.price, q.seq or 0, q.received_at) for q in quotes])
    if auction.closed or not due:
        await session.commit()
        return False
    auction.closed, auction.closed_at = True, now
    if best is None:
        request_states.move(request, RequestStatus.failed)
    else:
        request_states.move(request, RequestStatus.awarded)
        auction.winner_uscc, auction.award_price = best.bidder, best.price
        auction.savings = request.ceiling - best.price
    payload = {"winner": auction.winner_uscc, "award": auction.award_price, "savings": auction.savings}
    await audit.record(session, clock, actor, "auction.close", "service_request", request_id, payload)
    await session.commit()
    event = {"winner": auction.winner_uscc, "award": _text(auction.award_price), "savings": _text(auction.savings)}
    await broadcaster.publish(auction_channel(request_id), encode_event(seq + 1, "closed", event, now.isoformat()))
    return True


def sealed_quote_winner(quotes: list[tuple[str, Decimal, int, datetime]]) -> engine.Offer | None:
    """Sealed quotes (bidder, price, seq, received at): the lowest wins, then the earlier one."""
    lowest = min(quotes, key=lambda q: (q[1], q[3], q[2]), default=None)
    return engine.Offer(lowest[0], lowest[1], lowest[2], lowest[3]) if lowest else None


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


async def assess(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    request_id: uuid.UUID,
    outcome: str,
    quality: int | None,
    timeliness: int | None,
    comment: str | None,
) -> Assessment:
    """The owner assesses the intermediary that won (once per request); a poor record under the
    rule suspends the intermediary from the supermarket, with the reason."""
    request = await owned_request(session, actor, request_id)
    won = await session.get(Auction, request_id)
    if request.status != RequestStatus.awarded or won is None or won.winner_uscc is None:
        raise Conflict("only an awarded request's intermediary is assessed", slug="not-awarded")
    if await session.scalar(select(Assessment.id).where(Assessment.request_id == request_id)):
        raise Conflict("this request's intermediary has been assessed", slug="already-assessed")
    if outcome == "delivered" and (quality is None or timeliness is None):
        raise InvalidRequest(
            [FieldError("quality", "required", "rate quality and timeliness (0-100) for a delivered service")]
        )
    now = clock.now()
    record = Assessment(
        request_id=request_id,
        org_uscc=won.winner_uscc,
        outcome=outcome,
        quality=quality,
        timeliness=timeliness,
        comment=comment,
        assessed_at=now,
        assessed_by=actor.user_id,
    )
    session.add(record)
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
    return record


async def record_of(session: AsyncSession, org_uscc: str) -> dict[str, Any]:
    """An intermediary's record: what it won, what it abandoned, its ratings and any suspension."""
    org = await session.get(Organization, org_uscc)
    if org is None or org.kind != OrgKind.intermediary:
        raise NotFound(f"no intermediary {org_uscc} is registered")
    won = await session.scalar(select(func.count()).where(Auction.winner_uscc == org_uscc)) or 0
    assessments = (
        await session.scalars(
            select(Assessment).where(Assessment.org_uscc == org_uscc).order_by(Assessment.assessed_at)
        )
    ).all()
    history = [Assessed(a.outcome, a.quality, a.timeliness, a.assessed_at) for a in assessments]
    suspension = await session.scalar(
        select(Suspension).where(Suspension.org_uscc == org_uscc, Suspension.lifted_at.is_(None)).limit(1)
    )
    return {
        "org_uscc": org_uscc,
        "won": won,
        "abandoned": sum(a.outcome == "abandoned" for a in history),
        "average_score": str(average_score(history)) if average_score(history) is not None else None,
        "assessments": [
            {
                "request_id": str(a.request_id),
                "outcome": a.outcome,
                "quality": a.quality,
                "timeliness": a.timeliness,
                "comment": a.comment,
                "at": a.assessed_at.isoformat(),
            }
            for a in assessments
        ],
        "suspended": {"reason": suspension.reason, "since": suspension.since.isoformat()} if suspension else None,
    }
