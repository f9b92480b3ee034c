"""Use cases of 竞争性磋商 (competitive consultation, 财库〔2014〕214号), government procurement's
most used method besides the open tender. It shares the filing, the sealed first responses, the
opening, the draw and the scoring engine with the tender, and differs between the opening and the
scoring, where the panel (磋商小组) consults:

* The evaluation of a consultation starts `consulting` (`begin`): every opened response that the
  qualification review did not refuse is in.
* Rounds (art. 22): a seated member records each round with the technical and commercial terms the
  panel changed, if any, and the suppliers it excludes for not meeting the documents, each with its
  reason (they are told). Changed terms are valid once the purchaser confirms them in writing
  (`confirm_round`, by the tender's agency for its purchaser); then every supplier still in is told.
* Final quotes (art. 25): once no change awaits its confirmation, the panel calls for the final
  quotes until a time it sets; each supplier still in quotes once or more before then, sealed at
  rest (`bidding.market.sealed_offers`), nobody reading a quote before the deadline.
* The close (art. 27 and 财库〔2015〕124号): after the deadline the quotes are opened; the suppliers
  that quoted are the finalists. At least 3 — or 2 in a case the panel records (government-bought
  services, research with too little competition, the transfer of research results) — and the
  evaluation goes on to scoring at the final quotes; fewer and the procurement fails.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.clock import Clock
from app.core.notifications import Notice, notify, notify_many
from app.core.problems import Conflict, Forbidden, InvalidRequest, NotFound
from app.core.validation import FieldError
from app.identity import service as identity
from bidding.market import sealed_offers
from bidding.tender import states as tender_states
from bidding.tender.models import Tender
from bidding.tender.queries import tender_or_404
from bidding.tender.states import TenderStatus
from experts import committee, price_review, scoring
from experts.models import Consultation, ConsultationRound, Evaluation, EvaluationTemplate, FinalQuote
from experts.states import ConsultationStatus, EvaluationStatus, move_consultation, move_evaluation

# 财库〔2015〕124号 and 财库〔2014〕214号 art. 3 (四): the cases in which a consultation may go on
# with 2 final suppliers.
TWO_SUPPLIER_CASES = {
    "government_services": "政府购买服务项目（含政府和社会资本合作项目）",
    "research": "市场竞争不充分的科研项目",
    "tech_transfer": "需要扶持的科技成果转化项目",
}
LEAST_FINALISTS = 3
MAX_QUOTING = timedelta(days=30)  # decided: a panel's deadline for the final quotes, at the latest


def is_consultation(tender: Tender) -> bool:
    return tender.procurement_method == "consultation"


async def begin(session: AsyncSession, clock: Clock, tender: Tender, bids: list[dict[str, Any]]) -> None:
    """The evaluation of a consultation starts with the consultation: every response in but those
    the qualification review refused (`bids` are the ones it keeps); the caller commits."""
    session.add(
        Consultation(
            tender_id=tender.id,
            status=ConsultationStatus.consulting,
            suppliers=[{"bid": b["bid"], "uscc": b["uscc"], "bidder": b["bidder"]} for b in bids],
            excluded=[],
            started_at=clock.now(),
        )
    )


async def _locked(session: AsyncSession, tender_id: uuid.UUID) -> Consultation:
    found = await session.scalar(select(Consultation).where(Consultation.tender_id == tender_id).with_for_update())
    if found is None:
        raise NotFound(f"tender {tender_id} has no consultation", zh="该项目没有竞争性磋商")
    return found


def _usccs(consultation: Consultation, bids: list[str]) -> dict[str, str]:
    """bid id -> its supplier's USCC, for the bids named."""
    return {s["bid"]: s["uscc"] for s in consultation.suppliers if s["bid"] in bids}


async def _tell_remaining(
    session: AsyncSession, clock: Clock, consultation: Consultation, kind: str, message: str, key: str
) -> None:
    """Every supplier still in the consultation."""
    usccs = list(_usccs(consultation, consultation.remaining).values())
    await _tell(session, clock, consultation.tender_id, usccs, kind, message, key)


async def _tell(
    session: AsyncSession, clock: Clock, tender_id: uuid.UUID, usccs: list[str], kind: str, message: str, key: str
) -> None:
    users = await identity.users_of_orgs(session, sorted(set(usccs)))
    await notify_many(
        session,
        clock,
        [Notice(Role.bidder, kind, "tender", tender_id, message, f"{key}:{u}", u) for u, _ in users],
    )


async def open_round(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    changes: str | None,
    excluded: list[dict[str, str]],
) -> dict[str, Any]:
    """A seated member records a round of the consultation: the terms the panel changed (valid
    once the purchaser confirms them) and the suppliers it excludes, each with its reason."""
    seat = await committee.member_seat(session, actor, tender_id, seated=True)
    consultation = await _locked(session, tender_id)
    if consultation.status != ConsultationStatus.consulting:
        raise Conflict(
            f"the consultation is {consultation.status}: rounds come before the final quotes",
            zh="已要求提交最后报价，不再进行磋商轮次",
        )
    errors: list[FieldError] = []
    text = (changes or "").strip() or None
    if text is not None and len(text) > 4000:
        errors.append(FieldError("changes", "too_long", "at most 4000 characters"))
    out: dict[str, str] = {}
    for i, entry in enumerate(excluded):
        bid, reason = str(entry.get("bid", "")), str(entry.get("reason", "")).strip()
        if bid not in consultation.remaining or bid in out:
            errors.append(FieldError(f"excluded[{i}].bid", "unknown", "a supplier still in the consultation"))
        if not reason:
            errors.append(FieldError(f"excluded[{i}].reason", "required", "why it does not meet the documents"))
        out[bid] = reason
    if errors:
        raise InvalidRequest(errors)
    number = (await session.scalar(select(func.count()).where(ConsultationRound.tender_id == tender_id)) or 0) + 1
    now = clock.now()
    round_ = ConsultationRound(tender_id=tender_id, number=number, changes=text, opened_at=now, opened_by=str(seat.id))
    session.add(round_)
    consultation.excluded = [
        *consultation.excluded,
        *({"bid": b, "round": number, "reason": r} for b, r in out.items()),
    ]
    payload = {"round": number, "changes": text, "excluded": [{"bid": b, "reason": r} for b, r in out.items()]}
    await audit.record(session, clock, actor, "consultation.round", "tender", tender_id, payload)
    tender = await tender_or_404(session, tender_id)
    suppliers = _usccs(consultation, list(out))
    for bid, reason in out.items():
        await _tell(
            session,
            clock,
            tender_id,
            [suppliers[bid]],
            "consultation_excluded",
            f"第{number}轮磋商：贵单位的响应文件未实质性响应磋商文件，不再参加磋商（{reason}）：{tender.project_name}",
            f"excluded:{tender_id}:{bid}",
        )
    if text is not None:
        await _tell_purchaser(session, clock, tender, number)
    await session.commit()
    return round_view(round_)


async def _tell_purchaser(session: AsyncSession, clock: Clock, tender: Tender, number: int) -> None:
    await notify(
        session,
        clock,
        audience_role=Role.agency,
        kind="consultation_change",
        object_type="tender",
        object_id=tender.id,
        message=f"磋商小组第{number}轮变更了技术、服务要求或合同草案条款，请采购人书面确认：{tender.project_name}",
        dedupe_key=f"consultation-change:{tender.id}:{number}",
    )


async def confirm_round(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    number: int,
    confirmed: bool,
    text: str,
) -> dict[str, Any]:
    """The purchaser's written confirmation of a round's changed terms (财库〔2014〕214号 art. 22),
    recorded by the tender's agency: confirmed, the changes are told to every supplier still in;
    refused (with the purchaser's words), they do not apply."""
    tender = await tender_or_404(session, tender_id)
    if not (actor.has_role(Role.agency) and actor.org_uscc in (tender.agency_uscc, tender.tenderee_uscc)):
        raise Forbidden(
            "the purchaser, through the tender's agency, confirms changed terms",
            zh="变更须由采购人（通过其代理机构）书面确认",
        )
    consultation = await _locked(session, tender_id)
    round_ = await session.scalar(
        select(ConsultationRound)
        .where(ConsultationRound.tender_id == tender_id, ConsultationRound.number == number)
        .with_for_update()
    )
    if round_ is None or round_.changes is None:
        raise NotFound(f"round {number} changed no terms", zh=f"第{number}轮未变更磋商文件")
    if round_.confirmation is not None:
        raise Conflict(f"round {number}'s changes are {round_.confirmation} already", zh=f"第{number}轮变更已答复")
    words = text.strip()
    if not words:
        raise InvalidRequest([FieldError("text", "required", "the purchaser's written confirmation or refusal")])
    if len(words) > 2000:
        raise InvalidRequest([FieldError("text", "too_long", "at most 2000 characters")])
    round_.confirmation = "confirmed" if confirmed else "refused"
    round_.confirmation_text, round_.confirmed_at, round_.confirmed_by = words, clock.now(), actor.username
    payload = {"round": number, "confirmation": round_.confirmation, "text": words}
    await audit.record(session, clock, actor, "consultation.confirmation", "tender", tender_id, payload)
    if confirmed:
        await _tell_remaining(
            session,
            clock,
            consultation,
            "consultation_terms_changed",
            f"磋商文件第{number}轮变更（经采购人书面确认）：{round_.changes}"[:1000],
            f"changed:{tender_id}:{number}",
        )
    await session.commit()
    return round_view(round_)


async def call_final_quotes(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, until: datetime
) -> dict[str, Any]:
    """The panel asks the suppliers still in for their final quotes until `until` (财库〔2014〕214号
    art. 25); no changed term may still await the purchaser's confirmation."""
    await committee.member_seat(session, actor, tender_id, seated=True)
    consultation = await _locked(session, tender_id)
    if consultation.status != ConsultationStatus.consulting:
        raise Conflict(
            f"the consultation is {consultation.status}: the final quotes are called once", zh="最后报价只要求一次"
        )
    now = clock.now()
    if until <= now:
        raise InvalidRequest([FieldError("until", "past", "the final quotes are due at a time still to come")])
    if until > now + MAX_QUOTING:
        raise InvalidRequest([FieldError("until", "too_far", "the final quotes are due within 30 days")])
    pending = await session.scalar(
        select(ConsultationRound.number).where(
            ConsultationRound.tender_id == tender_id,
            ConsultationRound.changes.is_not(None),
            ConsultationRound.confirmation.is_(None),
        )
    )
    if pending is not None:
        raise Conflict(
            f"round {pending}'s changed terms await the purchaser's written confirmation",
            zh=f"第{pending}轮变更尚待采购人书面确认",
        )
    if not consultation.remaining:
        raise Conflict("no supplier is left in the consultation", zh="已无供应商参加磋商")
    move_consultation(consultation, ConsultationStatus.quoting)
    consultation.quotes_called_at, consultation.quotes_until = now, until
    await audit.record(
        session, clock, actor, "consultation.final_quotes", "tender", tender_id, {"until": until.isoformat()}
    )
    tender = await tender_or_404(session, tender_id)
    await _tell_remaining(
        session,
        clock,
        consultation,
        "consultation_final_quote",
        f"请于 {until.isoformat()} 前提交最后报价：{tender.project_name}",
        f"final-quote:{tender_id}",
    )
    await session.commit()
    return await _view_of(session, tender_id, consultation, full=True)


def _context(tender_id: uuid.UUID) -> str:
    return f"final-quote:{tender_id}"


async def submit_final_quote(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    price: Decimal,
    offer_secret: bytes,
) -> dict[str, Any]:
    """A supplier still in quotes its final price before the deadline, sealed at rest; a later
    quote replaces its earlier one. The audit trail keeps the commitment only."""
    consultation = await _locked(session, tender_id)
    mine = [bid for bid, uscc in _usccs(consultation, consultation.remaining).items() if uscc == actor.org_uscc]
    if not mine:
        raise NotFound(f"you are not in the consultation of tender {tender_id}", zh="贵单位不在本项目的磋商中")
    if consultation.status != ConsultationStatus.quoting or consultation.quotes_until is None:
        raise Conflict(
            f"the consultation is {consultation.status}: final quotes are taken when the panel calls",
            zh="磋商小组要求提交最后报价后方可报价",
        )
    if clock.now() >= consultation.quotes_until:
        raise Conflict(
            f"the final quotes were due by {consultation.quotes_until.isoformat()}",
            zh="最后报价截止时间已过",
            slug="period-ended",
        )
    bid = mine[0]
    sealed = sealed_offers.seal(offer_secret, _context(tender_id), str(actor.org_uscc), price)
    row = await session.get(FinalQuote, (tender_id, bid))
    if row is None:
        row = FinalQuote(tender_id=tender_id, bid_id=bid, org_uscc=str(actor.org_uscc))
        session.add(row)
    row.sealed, row.commitment, row.submitted_at = sealed.sealed, sealed.commitment, clock.now()
    payload = {"bid": bid, "commitment": sealed.commitment}
    await audit.record(session, clock, actor, "consultation.final_quote", "tender", tender_id, payload)
    await session.commit()
    return {"bid": bid, "commitment": sealed.commitment, "submitted_at": row.submitted_at.isoformat()}


async def close(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    listed_case: str | None,
    offer_secret: bytes,
) -> dict[str, Any]:
    """After the deadline a seated member closes the consultation: the final quotes are opened and
    checked against their commitments; at least 3 finalists (2 in a listed case) go on to scoring
    at their final quotes, fewer and the procurement fails (财库〔2014〕214号 art. 27)."""
    await committee.member_seat(session, actor, tender_id, seated=True)
    if listed_case is not None and listed_case not in TWO_SUPPLIER_CASES:
        raise InvalidRequest([FieldError("listed_case", "invalid", "one of " + ", ".join(TWO_SUPPLIER_CASES))])
    consultation = await _locked(session, tender_id)
    if consultation.status != ConsultationStatus.quoting or consultation.quotes_until is None:
        raise Conflict(
            f"the consultation is {consultation.status}: it closes after the final quotes", zh="提交最后报价后方可开启"
        )
    now = clock.now()
    if now < consultation.quotes_until:
        raise Conflict(
            f"the final quotes are sealed until {consultation.quotes_until.isoformat()}",
            zh="最后报价截止前不得开启",
            slug="too-early",
        )
    tender = await session.scalar(select(Tender).where(Tender.id == tender_id).with_for_update())
    evaluation = await session.get(Evaluation, tender_id, with_for_update=True)
    assert tender is not None and evaluation is not None
    quotes = {
        q.bid_id: q
        for q in await session.scalars(select(FinalQuote).where(FinalQuote.tender_id == tender_id))
        if q.bid_id in consultation.remaining
    }
    for quote in quotes.values():
        opened = sealed_offers.unseal(offer_secret, _context(tender_id), quote.org_uscc, quote.sealed)
        salt = bytes.fromhex(opened.salt)
        if sealed_offers.commitment(_context(tender_id), quote.org_uscc, opened.price, salt) != quote.commitment:
            raise Conflict(
                f"the final quote of bid {quote.bid_id} does not match its commitment", zh="最后报价与其承诺值不符"
            )
        quote.price = opened.price
    finalists = _finalists(consultation, list(quotes.values()))
    least = 2 if listed_case is not None else LEAST_FINALISTS
    consultation.closed_at, consultation.listed_case = now, listed_case
    payload = {"finalists": finalists, "listed_case": listed_case}
    if len(finalists) < least:
        move_consultation(consultation, ConsultationStatus.failed)
        move_evaluation(evaluation, EvaluationStatus.failed)
        tender_states.move(tender, TenderStatus.failed)
        await audit.record(session, clock, actor, "consultation.failed", "tender", tender_id, payload)
        message = f"竞争性磋商最后报价供应商不足{least}家，采购失败：{tender.project_name}"
        for role in (Role.supervisor, Role.agency):
            await notify(
                session,
                clock,
                audience_role=role,
                kind="consultation_failed",
                object_type="tender",
                object_id=tender_id,
                message=message,
                dedupe_key=f"consultation-failed:{tender_id}:{role}",
            )
        await session.commit()
        return await _view_of(session, tender_id, consultation, full=True)
    move_consultation(consultation, ConsultationStatus.closed)
    final = {f["bid"]: f["price"] for f in finalists}
    evaluation.bids = [
        {**b, "response_price": b["price"], "price": final[b["bid"]]} for b in evaluation.bids if b["bid"] in final
    ]
    move_evaluation(evaluation, EvaluationStatus.scoring)
    template_row = await session.get(EvaluationTemplate, tender_id)
    assert template_row is not None
    template = scoring.parse_template(template_row.template)
    await price_review.open_requests(session, clock, actor, tender, template, evaluation.bids)
    await audit.record(session, clock, actor, "consultation.closed", "tender", tender_id, payload)
    await session.commit()
    return await _view_of(session, tender_id, consultation, full=True)


def _finalists(consultation: Consultation, quotes: list[FinalQuote]) -> list[dict[str, str]]:
    """The suppliers still in whose final quote is opened, in the responses' order, with their price."""
    opened = {q.bid_id: q.price for q in quotes if q.price is not None}
    return [{"bid": b, "price": str(opened[b])} for b in consultation.remaining if b in opened]


def round_view(r: ConsultationRound) -> dict[str, Any]:
    return {
        "number": r.number,
        "changes": r.changes,
        "opened_at": r.opened_at.isoformat(),
        "confirmation": r.confirmation,
        "confirmation_text": r.confirmation_text,
        "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
    }


async def _view_of(
    session: AsyncSession, tender_id: uuid.UUID, consultation: Consultation, *, full: bool, uscc: str | None = None
) -> dict[str, Any]:
    rounds = list(
        await session.scalars(
            select(ConsultationRound).where(ConsultationRound.tender_id == tender_id).order_by(ConsultationRound.number)
        )
    )
    quotes = list(await session.scalars(select(FinalQuote).where(FinalQuote.tender_id == tender_id)))
    names = {s["bid"]: s["bidder"] for s in consultation.suppliers}
    out: dict[str, Any] = {
        "tender": str(tender_id),
        "status": consultation.status,
        "started_at": consultation.started_at.isoformat(),
        "quotes_until": consultation.quotes_until.isoformat() if consultation.quotes_until else None,
        "closed_at": consultation.closed_at.isoformat() if consultation.closed_at else None,
        "listed_case": consultation.listed_case,
    }
    if full:
        out["rounds"] = [round_view(r) for r in rounds]
        out["remaining"] = [{"bid": b, "bidder": names.get(b)} for b in consultation.remaining]
        out["excluded"] = [{**e, "bidder": names.get(e["bid"])} for e in consultation.excluded]
        # who has quoted, never what, before the close
        out["quoted"] = sorted(q.bid_id for q in quotes)
        out["finalists"] = (
            None
            if consultation.closed_at is None
            else [{**f, "bidder": names.get(f["bid"])} for f in _finalists(consultation, quotes)]
        )
        return out
    # a supplier: the rounds' confirmed changes, its own standing and quote
    out["rounds"] = [
        {**round_view(r), "changes": r.changes if r.confirmation == "confirmed" else None, "confirmation_text": None}
        for r in rounds
    ]
    own = {s["bid"] for s in consultation.suppliers if s["uscc"] == uscc}
    out["in_consultation"] = bool(own & set(consultation.remaining))
    out["excluded"] = [e for e in consultation.excluded if e["bid"] in own]
    mine = next((q for q in quotes if q.bid_id in own), None)
    out["my_quote"] = (
        None
        if mine is None
        else {
            "commitment": mine.commitment,
            "submitted_at": mine.submitted_at.isoformat(),
            "price": None if mine.price is None else str(mine.price),
        }
    )
    return out


async def standing(session: AsyncSession, actor: Actor, tender: Tender) -> tuple[Consultation, bool] | None:
    """The tender's consultation and whether the actor sees all of it (the panel, the supervisors,
    the tender's agency) or a supplier's part; None when it has none or the actor is no party."""
    consultation = await session.get(Consultation, tender.id)
    if consultation is None:
        return None
    if actor.has_role(Role.supervisor) or actor.org_uscc == tender.agency_uscc:
        return consultation, True
    if await committee.seat_on(session, actor, tender.id) is not None:
        return consultation, True
    if actor.has_role(Role.bidder) and any(s["uscc"] == actor.org_uscc for s in consultation.suppliers):
        return consultation, False
    return None


async def view(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> dict[str, Any]:
    """The consultation as the actor may see it: the panel, the supervisors and the tender's agency
    everything but the quotes' prices before the close; a supplier in it the confirmed changes,
    its own standing and its own quote; anyone else 404."""
    found = await standing(session, actor, await tender_or_404(session, tender_id))
    if found is None:
        raise NotFound(f"tender {tender_id} has no consultation", zh="该项目没有竞争性磋商")
    consultation, full = found
    return await _view_of(session, tender_id, consultation, full=full, uscc=actor.org_uscc)
