"""Prices the committee reviews (实施条例 arts. 51 (五), 52): a bid the template's below-cost line
suspects gets a written clarification request through the platform when the evaluation starts;
its bidder answers in writing (no change of substance); the committee decides — reject (the bid
is excluded with the reason) or accept — and the request, the answer and the decision are kept
and shown in the report. A bid above the ceiling price needs no review: `experts.scoring` rejects
it with its reason. The rules are in `experts.scoring` (`below_cost_suspects`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.clock import Clock
from app.core.notifications import Notice, notify_many
from app.core.problems import Conflict, InvalidRequest, NotFound
from app.core.validation import FieldError
from app.identity import service as identity
from bidding.tender.models import Tender
from experts import committee, scoring
from experts.models import Evaluation, PriceClarification
from experts.states import EvaluationStatus

DECISIONS = ("reject", "accept")
TEXT_LIMIT = 4000


async def open_requests(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender: Tender,
    template: scoring.Template,
    bids: Sequence[dict[str, str]],
) -> list[PriceClarification]:
    """At the evaluation's start: one written request per suspected bid, its bidder told; the caller commits."""
    facts = [scoring.BidFacts(b["bid"], Decimal(b["price"]), clock.now()) for b in bids]
    suspects = scoring.below_cost_suspects(template, facts, tender.ceiling_price)
    by_bid = {b["bid"]: b for b in bids}
    opened: list[PriceClarification] = []
    for bid_id, line in suspects.items():
        request = PriceClarification(
            id=uuid.uuid4(),
            tender_id=tender.id,
            bid_id=bid_id,
            bidder_uscc=by_bid[bid_id]["uscc"],
            price=Decimal(by_bid[bid_id]["price"]),
            suspected=line,
            asked_at=clock.now(),
        )
        session.add(request)
        opened.append(request)
        await audit.record(
            session, clock, actor, "evaluation.price_clarification", "tender", tender.id, {"bid": bid_id, "line": line}
        )
        users = await identity.users_of_orgs(session, [request.bidder_uscc])
        message = f"评标委员会要求就投标报价是否低于成本作出书面说明：{tender.project_name}"
        await notify_many(
            session,
            clock,
            [
                Notice(Role.bidder, "price_clarification", "tender", tender.id, message, f"price:{request.id}:{u}", u)
                for u, _ in users
            ],
        )
    return opened


async def requests_of(session: AsyncSession, tender_id: uuid.UUID) -> dict[str, PriceClarification]:
    rows = await session.scalars(select(PriceClarification).where(PriceClarification.tender_id == tender_id))
    return {row.bid_id: row for row in rows}


def rejected(requests: dict[str, PriceClarification]) -> dict[str, str]:
    """The bids the committee rejected as below cost, with its reason (for `scoring.PriceLimits`)."""
    return {bid: r.decision_reason or "" for bid, r in requests.items() if r.decision == "reject"}


def undecided(requests: dict[str, PriceClarification]) -> list[str]:
    return [bid for bid, r in requests.items() if r.decision is None]


def view(r: PriceClarification) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "bid": r.bid_id,
        "bidder_uscc": r.bidder_uscc,
        "price": str(r.price),
        "suspected": r.suspected,
        "asked_at": r.asked_at.isoformat(),
        "answer": r.answer,
        "answered_at": r.answered_at.isoformat() if r.answered_at else None,
        "decision": r.decision,
        "decision_reason": r.decision_reason,
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
    }


def _text_error(field: str, value: str) -> FieldError | None:
    if not value.strip():
        return FieldError(field, "required", "required")
    if len(value.strip()) > TEXT_LIMIT:
        return FieldError(field, "too_long", f"at most {TEXT_LIMIT} characters")
    return None


async def _scoring(session: AsyncSession, tender_id: uuid.UUID) -> Evaluation:
    evaluation = await session.get(Evaluation, tender_id)
    if evaluation is None or evaluation.status != EvaluationStatus.scoring:
        raise Conflict("the committee reviews prices while it scores, before the report is signed")
    return evaluation


async def own_requests(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> list[dict[str, Any]]:
    """A bidder's own clarification requests on a tender (nobody else's)."""
    rows = await session.scalars(
        select(PriceClarification).where(
            PriceClarification.tender_id == tender_id, PriceClarification.bidder_uscc == actor.org_uscc
        )
    )
    return [view(r) for r in rows]


async def answer(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, request_id: uuid.UUID, text: str
) -> dict[str, Any]:
    """The bidder answers in writing, once, while the committee scores."""
    request = await session.get(PriceClarification, request_id, with_for_update=True)
    if request is None or request.tender_id != tender_id or request.bidder_uscc != actor.org_uscc:
        raise NotFound(f"clarification request {request_id} not found")
    error = _text_error("answer", text)
    if error:
        raise InvalidRequest([error])
    text = text.strip()
    await _scoring(session, tender_id)
    if request.answer is not None:
        raise Conflict("answered already: a clarification does not change the bid's substance (实施条例 art. 52)")
    if request.decision is not None:
        raise Conflict("the committee has decided already")
    request.answer, request.answered_at, request.answered_by = text, clock.now(), actor.username
    await audit.record(session, clock, actor, "evaluation.price_answer", "tender", tender_id, {"bid": request.bid_id})
    await session.commit()
    return view(request)


async def decide(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, bid_id: str, decision: str, reason: str
) -> dict[str, Any]:
    """A seated member records the committee's decision on a suspected price, with its reason."""
    seat = await committee.member_seat(session, actor, tender_id, seated=True)
    errors = [FieldError("decision", "invalid", f"one of {', '.join(DECISIONS)}")] if decision not in DECISIONS else []
    errors += [e for e in [_text_error("reason", reason)] if e]
    if errors:
        raise InvalidRequest(errors)
    reason = reason.strip()
    await _scoring(session, tender_id)
    request = (await requests_of(session, tender_id)).get(bid_id)
    if request is None:
        raise NotFound(f"no clarification request for bid {bid_id}")
    if request.decision is not None:
        raise Conflict("the committee has decided already")
    request.decision, request.decision_reason = decision, reason
    request.decided_at, request.decided_by_seat = clock.now(), seat.id
    await audit.record(
        session,
        clock,
        actor,
        "evaluation.price_decision",
        "tender",
        tender_id,
        {"bid": bid_id, "decision": decision, "reason": reason, "answered": request.answer is not None},
    )
    await session.commit()
    return view(request)
