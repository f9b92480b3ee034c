"""Use cases of service requests: posting one (its terms checked at once), registration of
eligible intermediaries (with a sealed initial offer for a rounds auction), and posting a failed
request again."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.gates import Gate, GateQuery
from app.core.problems import Conflict, ConflictOfInterest, InvalidRequest, NotFound
from app.core.validation import FieldError
from bidding.market import draw, sealed_offers
from bidding.market.auction import engine
from bidding.market.categories import CATEGORIES
from bidding.market.intermediaries import NotEligible, why_not_eligible
from bidding.market.models import (
    Registration,
    ServiceRequest,
)
from bidding.market.states import RequestStatus


class Method(enum.StrEnum):
    auction = "auction"  # live reverse auction (continuous or rounds)
    sealed_quotes = "sealed_quotes"  # one sealed quote each, lowest wins
    random_draw = "random_draw"  # verifiable draw among the eligible, at the ceiling price
    direct = "direct"  # chosen by the owner with a written justification


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
    min_credit_score: int | None = None  # the least credit score an intermediary needs to register
    min_credit_score_rule: str | None = None  # the local rule that allows it


# 必须招标的工程项目规定 (国家发展改革委令第16号) art. 5: services of 100万元 or more are tendered,
# and a tender may not exclude on a score the law does not set; a score gates only smaller ones.
MANDATORY_TENDERING_SERVICES = Decimal("1000000.00")


def _term_errors(terms: RequestTerms, now: datetime) -> list[FieldError]:
    errors = []
    if terms.category not in CATEGORIES:
        errors.append(FieldError("category", "unknown", f"use one of {', '.join(sorted(CATEGORIES))}"))
    elif terms.required_grade is not None and CATEGORIES[terms.category].qualification is None:
        message = f"{CATEGORIES[terms.category].name_zh} needs no qualification (abolished): no grade can be required"
        errors.append(FieldError("required_grade", "abolished", message))
    if terms.min_credit_score is not None:
        if not (terms.min_credit_score_rule or "").strip():
            message = "name the local rule that lets a credit score gate this service"
            errors.append(FieldError("min_credit_score_rule", "required", message))
        if terms.ceiling >= MANDATORY_TENDERING_SERVICES:
            message = "a service of 100万元 or more is subject to mandatory tendering (国家发展改革委令第16号 art. 5)"
            errors.append(FieldError("min_credit_score", "mandatory_tendering", message + ": no credit-score gate"))
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
        min_credit_score=terms.min_credit_score,
        min_credit_score_rule=(terms.min_credit_score_rule or "").strip() or None,
        ceiling=terms.ceiling,
        floor=terms.floor,
        registration_closes=terms.registration_closes,
        bidding_starts=terms.bidding_starts,
        bidding_ends=terms.bidding_ends,
        min_participants=terms.min_participants,
        auction={
            "mode": terms.mode.value,
            "max_end": terms.max_end.isoformat() if terms.max_end else None,
            "decrement_amount": amount_text(terms.decrement_amount),
            "decrement_percent": amount_text(terms.decrement_percent),
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
        raise NotFound(f"service request {request_id} not found", zh="未找到该中介服务项目")
    return found


async def owned_request(
    session: AsyncSession, actor: Actor, request_id: uuid.UUID, *, for_update: bool = False
) -> ServiceRequest:
    """A request its owner acts on; to anyone else it does not exist (404)."""
    request = await get_request(session, request_id, for_update=for_update)
    if request.owner_uscc != actor.org_uscc:
        raise NotFound(f"service request {request_id} not found", zh="未找到该中介服务项目")
    return request


async def register(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    request_id: uuid.UUID,
    credit_gate: Gate,
    initial_offer: Decimal | None = None,
    offer_secret: bytes | None = None,
) -> Registration:
    """Register for a request; for a rounds auction, with an optional sealed initial offer. The
    intermediary passes the credit gate first: a memorandum that bars it from acting as an
    intermediary, or a credit score under the request's minimum, refuses it (evidence kept)."""
    request = await get_request(session, request_id)
    now = clock.now()
    if actor.org_uscc == request.owner_uscc:
        raise ConflictOfInterest(
            "the owner of a service request cannot register for it",
            zh="项目业主不能报名自己的项目",
            org=request.owner_uscc,
        )
    if initial_offer is not None:
        problem = _initial_offer_problem(request, initial_offer)
        if problem:
            raise InvalidRequest([FieldError("initial_offer", problem[0], problem[1])])
    if now >= request.registration_closes:
        raise Conflict(
            f"registration closed at {request.registration_closes.isoformat()}",
            zh=f"报名已于 {request.registration_closes.isoformat()} 截止",
            slug="registration-closed",
        )
    reasons = await why_not_eligible(session, str(actor.org_uscc), request.category, now.date(), request.required_grade)
    if reasons:
        raise NotEligible("; ".join(reasons), zh="不符合条件：" + "；".join(reasons), reasons=reasons)
    credit = await credit_gate(
        session,
        clock,
        actor,
        GateQuery("intermediary", (str(actor.org_uscc),), "service_request", request_id, request.min_credit_score),
    )
    if credit.refused:
        findings = list(credit.findings)
        await audit.record(
            session,
            clock,
            actor,
            "service_request.credit_refused",
            "service_request",
            request_id,
            {"findings": findings},
        )
        await session.commit()
        raise NotEligible(
            "refused by the credit check (联合惩戒 or the credit score)",
            zh="未通过信用核查（联合惩戒或信用分）",
            reasons=["credit"],
            findings=findings,
        )
    if await session.scalar(
        select(Registration.id).where(Registration.request_id == request_id, Registration.org_uscc == actor.org_uscc)
    ):
        raise Conflict(
            "your organization is already registered for this request",
            zh="本单位已报名该项目",
            slug="already-registered",
        )
    registration = Registration(request_id=request_id, org_uscc=actor.org_uscc, registered_at=now)
    if initial_offer is not None:
        if offer_secret is None:
            raise ValueError("an initial offer is sealed with the platform's offer secret")
        sealed = sealed_offers.seal(offer_secret, str(request_id), str(actor.org_uscc), initial_offer)
        registration.initial_offer_sealed, registration.initial_offer_commitment = sealed.sealed, sealed.commitment
    session.add(registration)
    await session.flush()
    committed = {"initial_offer_commitment": registration.initial_offer_commitment} if initial_offer else None
    await audit.record(session, clock, actor, "service_request.register", "service_request", request_id, committed)
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
        raise Conflict("only a failed request is posted again", zh="只有失败的项目才能重新发布", slug="not-failed")
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
        min_credit_score=old.min_credit_score,
        min_credit_score_rule=old.min_credit_score_rule,
    )
    return await post_request(session, clock, actor, terms, reposted_from=old.id)


def amount_text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)
