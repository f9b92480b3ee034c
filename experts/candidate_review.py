"""The original committee's re-review of flagged candidates (中标候选人复核, 实施条例 art. 56): when
the credit check finds a barring record against one of the committee's candidates, it reports
with the evidence and opens a re-review here; the platform disqualifies no one. A seated member
records the committee's decision on each flagged candidate (disqualify or keep, with the reason),
then every member signs (or signs with a written dissent); the last signature announces
`REVIEW_SIGNED` and the credit check settles the candidates as decided (none ranked below the
committee's list moves up). A later credit check run supersedes an open re-review."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.clock import Clock
from app.core.events import DomainEvents
from app.core.notifications import Notice, notify_many, tell_supervisors
from app.core.problems import Conflict, InvalidRequest, NotFound
from app.core.validation import FieldError
from bidding.tender.models import Tender
from experts import committee
from experts.models import CandidateReview
from experts.states import ReviewStatus, move_review

REVIEW_SIGNED = "evaluation.candidate_review_signed"
DECISIONS = ("disqualify", "keep")
SIGNATURES = ("sign", "dissent")


async def open_review(
    session: AsyncSession, clock: Clock, actor: Actor, tender: Tender, run_id: uuid.UUID, flagged: list[dict[str, Any]]
) -> CandidateReview:
    """Open a re-review of `flagged` (the credit check's ranking entries with their reasons) for
    the original committee, superseding any open one; the caller commits."""
    for earlier in await session.scalars(
        select(CandidateReview).where(CandidateReview.tender_id == tender.id, CandidateReview.status == "open")
    ):
        move_review(earlier, ReviewStatus.superseded)
    review = CandidateReview(
        id=uuid.uuid4(),
        tender_id=tender.id,
        run_id=run_id,
        status=ReviewStatus.open,
        flagged=flagged,
        decisions={},
        signatures={},
        opened_at=clock.now(),
    )
    session.add(review)
    await audit.record(
        session,
        clock,
        actor,
        "evaluation.candidate_review",
        "tender",
        tender.id,
        {"flagged": [f["bid"] for f in flagged]},
    )
    message = f"信用核查发现中标候选人存在失信记录，请原评标委员会复核：{tender.project_name}"
    members = await committee.member_users(session, tender.id)
    await notify_many(
        session,
        clock,
        [
            Notice(Role.expert, "candidate_review", "tender", tender.id, message, f"review:{review.id}:{u}", u)
            for u in members
        ],
    )
    await tell_supervisors(
        session,
        clock,
        "candidate_review",
        "tender",
        tender.id,
        message,
        f"review:{review.id}",
    )
    return review


async def under_way(session: AsyncSession, tender_id: uuid.UUID) -> bool:
    """Whether the committee has a credit re-review of candidates open for the tender."""
    found = await session.scalar(
        select(CandidateReview.id).where(
            CandidateReview.tender_id == tender_id, CandidateReview.status == ReviewStatus.open
        )
    )
    return found is not None


async def _open(session: AsyncSession, tender_id: uuid.UUID) -> CandidateReview:
    review = await session.scalar(
        select(CandidateReview)
        .where(CandidateReview.tender_id == tender_id, CandidateReview.status == ReviewStatus.open)
        .with_for_update()
    )
    if review is None:
        raise Conflict("no re-review of the candidates is open")
    return review


def _reason_error(reason: str | None, required: bool) -> FieldError | None:
    text = (reason or "").strip()
    if required and not text:
        return FieldError("reason", "required", "the committee states its reasons in writing")
    if len(text) > 2000:
        return FieldError("reason", "too_long", "at most 2000 characters")
    return None


async def decide(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, bid: str, decision: str, reason: str
) -> dict[str, Any]:
    """A seated member records the committee's decision on one flagged candidate."""
    seat = await committee.member_seat(session, actor, tender_id, seated=True)
    review = await _open(session, tender_id)
    errors = [] if decision in DECISIONS else [FieldError("decision", "invalid", f"one of {', '.join(DECISIONS)}")]
    if bid not in {f["bid"] for f in review.flagged}:
        errors.append(FieldError("bid", "not_flagged", "one of the flagged candidates"))
    errors += [e for e in [_reason_error(reason, True)] if e]
    if errors:
        raise InvalidRequest(errors)
    if review.signatures:
        raise Conflict("members have signed the re-review: its decisions no longer change")
    review.decisions = {**review.decisions, bid: {"decision": decision, "reason": reason.strip(), "seat": str(seat.id)}}
    await audit.record(
        session, clock, actor, "evaluation.candidate_decision", "tender", tender_id, {"bid": bid, "decision": decision}
    )
    await session.commit()
    return await view(session, actor, tender_id)


async def sign(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    events: DomainEvents,
    tender_id: uuid.UUID,
    decision: str,
    reason: str | None,
) -> dict[str, Any]:
    """A member signs the re-review (or dissents in writing) once every flagged candidate has a
    decision; the last signature announces the decision."""
    seat = await committee.member_seat(session, actor, tender_id, seated=True)
    review = await _open(session, tender_id)
    errors = [] if decision in SIGNATURES else [FieldError("decision", "invalid", f"one of {', '.join(SIGNATURES)}")]
    errors += [e for e in [_reason_error(reason, decision == "dissent")] if e]
    if errors:
        raise InvalidRequest(errors)
    undecided = [f["bid"] for f in review.flagged if f["bid"] not in review.decisions]
    if undecided:
        raise Conflict(f"decide every flagged candidate first: {', '.join(undecided)}")
    if str(seat.id) in review.signatures:
        raise Conflict("you have signed already")
    now = clock.now()
    review.signatures = {
        **review.signatures,
        str(seat.id): {"decision": decision, "reason": (reason or "").strip() or None, "at": now.isoformat()},
    }
    await audit.record(session, clock, actor, "evaluation.candidate_review_sign", "committee_seat", seat.id, {})
    members = await committee.members_of(session, tender_id)
    if all(str(s.id) in review.signatures for s, _ in members):
        move_review(review, ReviewStatus.signed)
        review.signed_at = now
        disqualified = [b for b, d in review.decisions.items() if d["decision"] == "disqualify"]
        payload = {"tender": str(tender_id), "run": str(review.run_id), "disqualified": disqualified}
        await events.emit(session, clock, actor, REVIEW_SIGNED, "tender", tender_id, payload)
    await session.commit()
    return await view(session, actor, tender_id)


async def view(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> dict[str, Any]:
    """The latest re-review: supervisors and members see the members by name, the tender's agency
    by their seat number only."""
    tender = await session.get(Tender, tender_id)
    seat = await committee.seat_on(session, actor, tender_id)
    if tender is None or not (actor.has_role(Role.supervisor) or seat or actor.org_uscc == tender.agency_uscc):
        raise NotFound(f"no re-review of tender {tender_id}")
    review = await session.scalar(
        select(CandidateReview)
        .where(CandidateReview.tender_id == tender_id)
        .order_by(CandidateReview.opened_at.desc())
        .limit(1)
    )
    if review is None:
        raise NotFound(f"no re-review of tender {tender_id}")
    members = await committee.members_of(session, tender_id)
    names = actor.has_role(Role.supervisor) or seat is not None
    who = {str(s.id): (name if names else f"评委{i}") for i, (s, name) in enumerate(members, start=1)}
    return {
        "id": str(review.id),
        "status": review.status,
        "opened_at": review.opened_at.isoformat(),
        "signed_at": review.signed_at.isoformat() if review.signed_at else None,
        "flagged": review.flagged,
        "decisions": {
            bid: {"decision": d["decision"], "reason": d["reason"], "by": who.get(d["seat"], d["seat"])}
            for bid, d in review.decisions.items()
        },
        "signatures": [{"member": who.get(s, s), **signature} for s, signature in review.signatures.items()],
        "waiting_for": [who[str(s.id)] for s, _ in members if str(s.id) not in review.signatures],
    }
