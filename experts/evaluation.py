"""Use cases of the evaluation (评标): the template set before the opening, the start (the bids
that opened, the members re-checked against the bidders), reading the opened bids (audited),
scoring, explanations of abnormal scores, the committee's tie orders, the report's signatures,
and the corrections the law allows after signing (MOF order 87 art. 64). The arithmetic is
experts.scoring's, the same code `ggzy evaluation compute` runs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.clock import Clock
from app.core.events import DomainEvents
from app.core.gates import Gate, GateQuery, open_gate
from app.core.notifications import Notice, notify, notify_many, tell_supervisors
from app.core.problems import Conflict, Forbidden, InvalidRequest, NotFound
from app.core.validation import FieldError
from app.identity.models import Organization
from bidding.bids.models import Bid
from bidding.bids.sme import sme_of
from bidding.bonds import service as bonds
from bidding.opening.models import BidOpening, OpeningSession
from bidding.tender import states as tender_states
from bidding.tender.models import Tender
from bidding.tender.queries import tender_or_404, visible_tender
from bidding.tender.regime import Regime, regime_of
from bidding.tender.states import TenderStatus
from experts import bid_conflicts, candidate_review, committee, conduct, consultation, price_review, scoring
from experts.models import (
    AnomalyExplanation,
    Draw,
    Evaluation,
    EvaluationTemplate,
    Expert,
    PriceClarification,
    ReportSignature,
    ScoreCorrection,
    ScoreSheet,
    Seat,
)
from experts.states import ON_COMMITTEE, DrawStatus, EvaluationStatus, SeatStatus, move_evaluation

METHOD_OF_FILING = {"comprehensive_scoring": "comprehensive", "lowest_evaluated_price": "lowest_price"}
ART_64_CASES = ("arithmetic_error", "out_of_range", "objective_inconsistent", "abnormal_score")
REPORT_SIGNED = "evaluation.report_signed"
REPORT_REVISED = "evaluation.report_revised"


def _problems(error: scoring.SheetError) -> InvalidRequest:
    return InvalidRequest([FieldError(where, "invalid", reason) for where, reason in error.problems])


def _agency_or_supervisor(actor: Actor, tender: Tender) -> None:
    if not (actor.has_role(Role.supervisor) or actor.org_uscc == tender.agency_uscc):
        raise NotFound(f"tender {tender.id} not found")


# --- the template --------------------------------------------------------------------------


async def set_template(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, doc: Any
) -> dict[str, Any]:
    """The agency fixes the template before the opening, with the filing's evaluation method; the
    tender's regime is the template's (a GP tender's template meets GP's price rules)."""
    tender = await tender_or_404(session, tender_id)
    _agency_or_supervisor(actor, tender)
    if tender.status != TenderStatus.published:
        raise Conflict(f"the template is fixed before the opening; the tender is {tender.status}")
    regime = str(regime_of(tender.project_type))
    procedure = scoring.CONSULTATION if tender.procurement_method == "consultation" else scoring.TENDER_PROCEDURE
    if isinstance(doc, dict) and doc.get("regime", regime) != regime:
        raise InvalidRequest([FieldError("regime", "regime", f"the tender is scored under the {regime} regime")])
    if isinstance(doc, dict) and doc.get("procedure", procedure) != procedure:
        raise InvalidRequest([FieldError("procedure", "procedure", f"the tender's procedure is {procedure}")])
    try:
        template = scoring.parse_template(
            {**doc, "regime": regime, "procedure": procedure} if isinstance(doc, dict) else doc
        )
    except scoring.SheetError as exc:
        raise _problems(exc) from exc
    expected = METHOD_OF_FILING.get(tender.evaluation_method)
    if template.method != expected:
        raise InvalidRequest([FieldError("method", "filing_method", f"the filing's evaluation method is {expected}")])
    row = await session.get(EvaluationTemplate, tender_id) or EvaluationTemplate(tender_id=tender_id)
    row.template, row.set_at, row.set_by = scoring.template_as_dict(template), clock.now(), actor.username
    session.add(row)
    await audit.record(session, clock, actor, "evaluation.template", "tender", tender_id, row.template)
    await session.commit()
    return row.template


async def template_view(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> dict[str, Any]:
    await visible_tender(session, actor, tender_id)
    row = await session.get(EvaluationTemplate, tender_id)
    if row is None:
        raise NotFound(f"no evaluation template is set for tender {tender_id}")
    return row.template


# --- the start -----------------------------------------------------------------------------


async def opened_bids(session: AsyncSession, tender_id: uuid.UUID) -> list[dict[str, Any]]:
    """The bids read out at the opening, in the order they were received."""
    opening = await session.get(OpeningSession, tender_id)
    outcomes = {
        str(o.bid_id): o
        for o in await session.scalars(
            select(BidOpening).where(BidOpening.tender_id == tender_id, BidOpening.outcome == "opened")
        )
    }
    listed = opening.bidders if opening else []
    return [
        {
            "bid": entry["bid"],
            "bidder": entry["name"],
            "uscc": entry["uscc"],
            "received_at": entry["received_at"],
            "price": str((outcomes[entry["bid"]].declaration or {})["price"]),
            **sme_of(outcomes[entry["bid"]].declaration or {}, outcomes[entry["bid"]].documents),
        }
        for entry in listed
        if entry["bid"] in outcomes
    ]


async def start(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, gate: Gate = open_gate
) -> dict[str, Any]:
    """The agency or a supervisor opens the evaluation of an opened tender whose committee is
    drawn and whose template is set. A member employed by a bidder whose bid came after the draw
    is replaced at once through the reserves. Government procurement checks every supplier's
    credit here (`gate`), at the qualification review."""
    tender = await tender_or_404(session, tender_id)
    _agency_or_supervisor(actor, tender)
    d = await session.get(Draw, tender_id)
    if d is None or d.status != DrawStatus.drawn:
        raise Conflict("the committee has not been drawn")
    if await session.get(EvaluationTemplate, tender_id) is None:
        raise Conflict("no evaluation template is set")
    tender_states.move(tender, TenderStatus.evaluation)
    bids = await opened_bids(session, tender_id)
    refused = await _qualification_credit(session, clock, actor, tender, bids, gate)
    bidders = {b["uscc"] for b in bids} | set(await committee.bidders_of(session, tender_id))
    consulting = consultation.is_consultation(tender)
    session.add(
        Evaluation(
            tender_id=tender_id,
            status=EvaluationStatus.consulting if consulting else EvaluationStatus.scoring,
            bids=bids,
            tie_resolutions=[],
            started_at=clock.now(),
            revision=0,
            qualification_refused=refused or None,
        )
    )
    await audit.record(
        session, clock, actor, "evaluation.start", "tender", tender_id, {"bids": [b["bid"] for b in bids]}
    )
    if consulting:  # the prices scored are the final quotes: their review follows the consultation
        await consultation.begin(session, clock, tender, [b for b in bids if b["bid"] not in refused])
    else:
        template_row = await session.get(EvaluationTemplate, tender_id)
        assert template_row is not None
        template = scoring.parse_template(template_row.template)
        await price_review.open_requests(session, clock, actor, tender, template, bids)
    members = (
        await session.execute(
            select(Seat, Expert)
            .outerjoin(Expert, Expert.id == Seat.expert_id)
            .where(Seat.tender_id == tender_id, Seat.status.in_(sorted(ON_COMMITTEE)))
        )
    ).all()
    for seat, expert in members:
        if expert is not None and expert.employer_uscc in bidders:
            await committee.replace(session, clock, actor, seat, "employed_by_bidder")
    for seat, expert in members:
        if seat.status in ON_COMMITTEE:
            await notify(
                session,
                clock,
                audience_role=Role.expert,
                kind="evaluation_started",
                object_type="tender",
                object_id=tender_id,
                message=f"评标开始：{tender.project_name}。请先作出回避声明。",
                dedupe_key=f"evaluation-started:{seat.id}",
                recipient_id=expert.user_id if expert is not None else seat.user_id,
            )
    await session.commit()
    return {"tender": str(tender_id), "status": tender.status, "bids": len(bids)}


async def _qualification_credit(
    session: AsyncSession, clock: Clock, actor: Actor, tender: Tender, bids: list[dict[str, Any]], gate: Gate
) -> dict[str, str]:
    """Government procurement checks every supplier against the credit lists at the qualification
    review, not only the candidates after it (财库〔2016〕125号): a supplier a list bars is refused
    there, the reason and findings kept (the gate records the check's evidence)."""
    if regime_of(tender.project_type) != Regime.government_procurement:
        return {}
    refused: dict[str, str] = {}
    for bid in bids:
        answer = await gate(session, clock, actor, GateQuery("bid", (bid["uscc"],), "tender", tender.id))
        if answer.refused:
            lists = sorted({str(f.get("list_type") or "") for f in answer.findings} - {""})
            refused[bid["bid"]] = "credit: barred by " + (", ".join(lists) or "a credit list")
            payload = {"bid": bid["bid"], "uscc": bid["uscc"], "findings": list(answer.findings)}
            await audit.record(session, clock, actor, "evaluation.qualification_refused", "tender", tender.id, payload)
    return refused


# --- the state of an evaluation ------------------------------------------------------------


class State:
    """Everything the rules look at, loaded once per request."""

    def __init__(
        self,
        tender: Tender,
        evaluation: Evaluation,
        template: scoring.Template,
        members: list[tuple[Seat, str]],
        sheets: dict[uuid.UUID, ScoreSheet],
        explanations: dict[tuple[str, str], str],
        signatures: dict[uuid.UUID, ReportSignature],
        price_requests: dict[str, PriceClarification],
    ) -> None:
        self.tender, self.evaluation, self.template = tender, evaluation, template
        self.price_requests = price_requests
        self.members, self.sheets, self.explanations, self.signatures = members, sheets, explanations, signatures
        self.bid_ids = [b["bid"] for b in evaluation.bids]
        self.bids = [
            scoring.BidFacts(
                b["bid"],
                Decimal(b["price"]),
                datetime.fromisoformat(b["received_at"]),
                b.get("sme"),
                bool(b.get("sme_declared", True)),
                Decimal(b["sme_share"]) if b.get("sme_share") is not None else None,
            )
            for b in evaluation.bids
        ]

    @property
    def committee_full(self) -> bool:
        return len(self.members) == self.tender.committee_size

    def submitted(self, seat_id: uuid.UUID) -> bool:
        sheet = self.sheets.get(seat_id)
        return sheet is not None and sheet.submitted_at is not None

    def result(self) -> scoring.Result | None:
        """The computation once every member has submitted; None before."""
        if not self.members or not all(self.submitted(s.id) for s, _ in self.members):
            return None
        scores = {
            str(s.id): {bid: scoring.parse_scores(v) for bid, v in self.sheets[s.id].scores.items()}
            for s, _ in self.members
        }
        resolutions = [r["order"] for r in self.evaluation.tie_resolutions]
        limits = scoring.PriceLimits(
            self.tender.ceiling_price,
            price_review.rejected(self.price_requests),
            self.evaluation.qualification_refused or {},
        )
        return scoring.compute(self.template, self.bids, scores, resolutions, limits)

    def blockers(self) -> list[str]:
        """What stands between the committee and signing its report."""
        found: list[str] = []
        if not self.committee_full:
            found.append(
                f"the committee has {len(self.members)} of {self.tender.committee_size} members:"
                " a supplementary draw, or the agency naming the purchaser's representative, is needed"
            )
        for bid in price_review.undecided(self.price_requests):
            found.append(f"bid {bid}'s price is suspected below cost: the committee decides after its clarification")
        for seat, name in self.members:
            if seat.status != SeatStatus.seated:
                found.append(f"{name} has not declared")
            elif not self.submitted(seat.id):
                found.append(f"{name} has not submitted every score")
        result = self.result()
        if result is None:
            return found
        names = {str(s.id): name for s, name in self.members}
        for anomaly in result.anomalies:
            if (anomaly.expert, anomaly.bid) not in self.explanations:
                found.append(
                    f"{names[anomaly.expert]}'s total for bid {anomaly.bid} is abnormal: explain or correct it"
                )
        for item in result.inconsistent:
            found.append(f"objective item {item['item']} of bid {item['bid']} is scored differently by the members")
        for group in result.blocking_ties(self.template.candidates):
            found.append(f"bids {', '.join(group)} are tied: the committee records their order and its reason")
        return found


async def load(session: AsyncSession, tender_id: uuid.UUID) -> State:
    tender = await tender_or_404(session, tender_id)
    evaluation = await session.get(Evaluation, tender_id)
    template_row = await session.get(EvaluationTemplate, tender_id)
    if evaluation is None or template_row is None:
        raise NotFound(f"tender {tender_id} is not under evaluation")
    members = await committee.members_of(session, tender_id)
    ids = [s.id for s, _ in members]
    sheets = {
        s.seat_id: s
        for s in await session.scalars(
            select(ScoreSheet).where(ScoreSheet.seat_id.in_(ids), ScoreSheet.void.is_(False))
        )
    }
    explanations = {
        (str(e.seat_id), e.bid_id): e.explanation
        for e in await session.scalars(
            select(AnomalyExplanation).where(
                AnomalyExplanation.tender_id == tender_id, AnomalyExplanation.seat_id.in_(ids)
            )
        )
    }
    signatures = {
        s.seat_id: s
        for s in await session.scalars(
            select(ReportSignature).where(
                ReportSignature.tender_id == tender_id, ReportSignature.revision == evaluation.revision
            )
        )
    }
    return State(
        tender,
        evaluation,
        scoring.parse_template(template_row.template),
        members,
        sheets,
        explanations,
        signatures,
        await price_review.requests_of(session, tender_id),
    )


def _pseudonyms(state: State) -> dict[str, str]:
    return {str(seat.id): f"评委{i}" for i, (seat, _) in enumerate(state.members, start=1)}


def report(state: State, result: scoring.Result, *, names: bool) -> dict[str, Any]:
    """The evaluation report (评标报告): scores per member, the aggregation, the price scores, the
    flags and explanations, the ranking, the candidates, the signatures and the dissent."""
    who = {str(s.id): name for s, name in state.members} if names else _pseudonyms(state)
    signed = [(seat.id, state.signatures[seat.id]) for seat, _ in state.members if seat.id in state.signatures]
    return {
        "tender": {
            "id": str(state.tender.id),
            "project_name": state.tender.project_name,
            "project_code": state.tender.project_code,
        },
        "revision": state.evaluation.revision,
        "template": scoring.template_as_dict(state.template),
        "bids": state.evaluation.bids,
        "members": [
            {
                "seat": str(s.id),
                "name": who[str(s.id)],
                "specialty": s.specialty,
                "representative": s.expert_id is None,
            }
            for s, _ in state.members
        ],
        "chair": who.get(str(state.evaluation.chair_seat_id)) if state.evaluation.chair_seat_id else None,
        "scores": {who[str(seat_id)]: sheet.scores for seat_id, sheet in state.sheets.items() if str(seat_id) in who},
        "result": result.as_dict(),
        "explanations": [
            {"member": who.get(seat, seat), "bid": bid, "explanation": text}
            for (seat, bid), text in state.explanations.items()
        ],
        "tie_resolutions": state.evaluation.tie_resolutions,
        "ceiling_price": None if state.tender.ceiling_price is None else str(state.tender.ceiling_price),
        "price_clarifications": [price_review.view(r) for r in state.price_requests.values()],
        "signatures": [
            {
                "member": who.get(str(seat_id), str(seat_id)),
                "decision": s.decision,
                "reason": s.reason,
                "at": s.at.isoformat(),
            }
            for seat_id, s in signed
        ],
        "dissent": [
            {"member": who.get(str(seat_id), str(seat_id)), "reason": s.reason}
            for seat_id, s in signed
            if s.decision == "dissent" or (s.decision == "refuse" and s.reason)
        ],
    }


async def bid_conflicts_of(
    session: AsyncSession, tender_id: uuid.UUID, bids: Sequence[dict[str, Any]]
) -> list[dict[str, object]]:
    """The conflicts between the opened bids (experts.bid_conflicts), for the committee to decide."""
    ids = [uuid.UUID(b["bid"]) for b in bids]
    rows = (await session.execute(select(Bid.id, Bid.bidder_uscc, Bid.consortium).where(Bid.id.in_(ids)))).all()
    parties = [bid_conflicts.BidParties(str(bid_id), (uscc, *members)) for bid_id, uscc, members in rows]
    usccs = sorted({org for p in parties for org in p.organizations})
    heads = dict(
        (
            await session.execute(
                select(Organization.uscc, Organization.legal_representative_hash).where(Organization.uscc.in_(usccs))
            )
        ).all()
    )
    order = {b["bid"]: i for i, b in enumerate(bids)}
    return bid_conflicts.conflicts(sorted(parties, key=lambda p: order[p.bid]), heads)


async def view(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> dict[str, Any]:
    """The evaluation as the actor may see it: supervisors everything; a member the bidders
    (to declare), then the template, the progress and, once their own scores are in, the
    result; the tender's agency the status and, once signed, the report without names."""
    tender = await tender_or_404(session, tender_id)
    seat = await committee.seat_on(session, actor, tender_id)
    is_member = seat is not None and tender.status in committee.EVALUATING
    if not (actor.has_role(Role.supervisor) or is_member or actor.org_uscc == tender.agency_uscc):
        raise NotFound(f"tender {tender_id} is not under evaluation")
    state = await load(session, tender_id)
    out: dict[str, Any] = {"tender": str(tender_id), "status": state.evaluation.status, "tender_status": tender.status}
    signed = state.evaluation.status == EvaluationStatus.signed
    if actor.has_role(Role.supervisor) or is_member:
        out["bids"] = state.evaluation.bids
        out["conflicts"] = await bid_conflicts_of(session, tender_id, state.evaluation.bids)
        out["bonds"] = await bonds.standing(session, tender_id)  # the committee weighs each bond
        out["price_clarifications"] = [price_review.view(r) for r in state.price_requests.values()]
    if actor.has_role(Role.supervisor) or (seat is not None and seat.status == SeatStatus.seated):
        out["template"] = scoring.template_as_dict(state.template)
        out["progress"] = [
            {
                "seat": str(s.id),
                "name": name,
                "status": s.status,
                "submitted": state.submitted(s.id),
                "signed": s.id in state.signatures,
            }
            for s, name in state.members
        ]
        result = state.result() if (actor.has_role(Role.supervisor) or (seat and state.submitted(seat.id))) else None
        if result is not None:
            out["result"] = result.as_dict()
            out["blockers"] = [] if signed else state.blockers()
    if signed and state.evaluation.report is not None:
        out["report"] = (
            state.evaluation.report
            if (actor.has_role(Role.supervisor) or is_member)
            else _without_names(state.evaluation.report)
        )
    return out


def _without_names(signed_report: dict[str, Any]) -> dict[str, Any]:
    names = {m["name"]: f"评委{i}" for i, m in enumerate(signed_report["members"], start=1)}
    clean = dict(signed_report)
    clean["members"] = [{**m, "name": names[m["name"]]} for m in signed_report["members"]]
    if signed_report.get("chair"):
        clean["chair"] = names.get(signed_report["chair"], signed_report["chair"])
    clean["scores"] = {names.get(k, k): v for k, v in signed_report["scores"].items()}
    for key in ("explanations", "signatures", "dissent"):
        clean[key] = [{**entry, "member": names.get(entry["member"], entry["member"])} for entry in signed_report[key]]
    return clean


# --- reading the bids ----------------------------------------------------------------------


async def read_document(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, bid_id: uuid.UUID, index: int
) -> dict[str, Any]:
    """A decrypted document of a bid under evaluation, for a seated member; every read audited."""
    seat = await committee.member_seat(session, actor, tender_id, seated=True)
    evaluation = await session.get(Evaluation, tender_id)
    if evaluation is None or evaluation.status not in (EvaluationStatus.consulting, EvaluationStatus.scoring):
        raise Conflict("the bids are read during the evaluation")
    if str(bid_id) not in {b["bid"] for b in evaluation.bids}:
        raise NotFound("no such bid under evaluation")
    outcome = await session.get(BidOpening, bid_id)
    if outcome is None or not outcome.documents or not 0 <= index < len(outcome.documents):
        raise NotFound("no such opened document")
    document: dict[str, Any] = outcome.documents[index]
    payload = {"seat": str(seat.id), "index": index, "sha256": document["sha256"]}
    await audit.record(session, clock, actor, "bid.document_read", "bid", bid_id, payload)
    await session.commit()
    return document


# --- scoring -------------------------------------------------------------------------------


async def _scoring_state(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> tuple[State, Seat]:
    seat = await committee.member_seat(session, actor, tender_id, seated=True)
    state = await load(session, tender_id)
    if state.evaluation.status == EvaluationStatus.consulting:
        raise Conflict("the panel scores the final quotes once the consultation closes (财库〔2014〕214号 art. 23)")
    if state.evaluation.status != EvaluationStatus.scoring:
        raise Conflict(f"the evaluation is {state.evaluation.status}: scores change only through a correction")
    return state, seat


async def save_scores(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, sheet: Any, submit: bool
) -> dict[str, Any]:
    """A member's own scores (the whole sheet, replacing the last); `submit` requires every item
    of every bid. Locked once the first member has signed."""
    state, seat = await _scoring_state(session, actor, tender_id)
    if state.signatures:
        raise Conflict("the report is being signed; scores are locked")
    errors = scoring.score_errors(state.template, state.bid_ids, sheet, complete=submit)
    if errors:
        raise InvalidRequest([FieldError(where, "invalid", reason) for where, reason in errors])
    row = await session.get(ScoreSheet, seat.id)
    now = clock.now()
    if row is None:
        row = ScoreSheet(seat_id=seat.id, tender_id=tender_id, void=False)
        session.add(row)
    row.scores = {bid: dict(items) for bid, items in sheet.items()}
    row.updated_at = now
    if submit:
        row.submitted_at = now
    elif row.submitted_at is not None:
        errors = scoring.score_errors(state.template, state.bid_ids, sheet, complete=True)
        if errors:
            raise InvalidRequest(
                [FieldError(where, "invalid", reason) for where, reason in errors], "a submitted sheet stays complete"
            )
    await audit.record(
        session,
        clock,
        actor,
        "evaluation.scores",
        "committee_seat",
        seat.id,
        {"submitted": row.submitted_at is not None, "scores": row.scores},
    )
    await session.commit()
    return {"submitted": row.submitted_at is not None, "scores": row.scores}


async def scores_view(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> dict[str, Any]:
    """A member's own sheet; the others' only once their own is submitted (supervisors: all)."""
    if actor.has_role(Role.supervisor):
        state = await load(session, tender_id)
        mine = None
    else:
        seat = await committee.member_seat(session, actor, tender_id, seated=True)
        state = await load(session, tender_id)
        mine = seat.id
    out: dict[str, Any] = {}
    if mine is not None:
        own = state.sheets.get(mine)
        out["own"] = {"submitted": state.submitted(mine), "scores": own.scores if own else {}}
    if mine is None or state.submitted(mine):
        out["members"] = [
            {"seat": str(s.id), "name": name, "submitted": state.submitted(s.id), "scores": state.sheets[s.id].scores}
            for s, name in state.members
            if s.id in state.sheets and s.id != mine
        ]
    return out


async def explain(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, bid_id: str, text: str
) -> dict[str, Any]:
    """A member's written explanation of their own abnormal total for a bid."""
    state, seat = await _scoring_state(session, actor, tender_id)
    result = state.result()
    if result is None or not any(a.expert == str(seat.id) and a.bid == bid_id for a in result.anomalies):
        raise Conflict("your total for that bid is not flagged as abnormal")
    row = await session.scalar(
        select(AnomalyExplanation).where(AnomalyExplanation.seat_id == seat.id, AnomalyExplanation.bid_id == bid_id)
    )
    if row is None:
        row = AnomalyExplanation(tender_id=tender_id, seat_id=seat.id, bid_id=bid_id)
        session.add(row)
    row.explanation, row.at = text, clock.now()
    await audit.record(
        session, clock, actor, "evaluation.explain", "committee_seat", seat.id, {"bid": bid_id, "explanation": text}
    )
    await session.commit()
    return {"bid": bid_id, "explanation": text}


async def elect_chair(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, seat_id: uuid.UUID
) -> dict[str, Any]:
    """A seated member records the chair (组长) the committee elected from its experts, before
    the report is signed; the purchaser's representative never chairs it (财政部令第87号 art. 47)."""
    await committee.member_seat(session, actor, tender_id, seated=True)
    evaluation = await session.get(Evaluation, tender_id, with_for_update=True)
    if evaluation is None or evaluation.status not in (EvaluationStatus.consulting, EvaluationStatus.scoring):
        raise Conflict("the chair is elected before the report is signed")
    members = await committee.members_of(session, tender_id)
    chosen = next(((s, name) for s, name in members if s.id == seat_id), None)
    if chosen is None or chosen[0].status != SeatStatus.seated:
        raise InvalidRequest([FieldError("seat", "unknown", "a seated member of the committee")])
    if chosen[0].expert_id is None:
        raise InvalidRequest(
            [FieldError("seat", "representative", "the purchaser's representative does not chair the committee")]
        )
    evaluation.chair_seat_id = seat_id
    await audit.record(session, clock, actor, "evaluation.chair", "committee_seat", seat_id, {"chair": chosen[1]})
    await session.commit()
    return {"chair": str(seat_id), "name": chosen[1]}


async def resolve_tie(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, order: list[str], reason: str
) -> dict[str, Any]:
    """The committee's order of bids the template's tie order left tied, with its reason."""
    state, seat = await _scoring_state(session, actor, tender_id)
    result = state.result()
    if result is None or not any(sorted(group) == sorted(order) for group in result.ties):
        raise Conflict("those bids are not an unresolved tie")
    state.evaluation.tie_resolutions = [
        *state.evaluation.tie_resolutions,
        {"order": order, "reason": reason, "by": str(seat.id)},
    ]
    await audit.record(session, clock, actor, "evaluation.tie", "tender", tender_id, {"order": order, "reason": reason})
    await session.commit()
    return {"order": order, "reason": reason}


async def committee_names(session: AsyncSession, tender_id: uuid.UUID) -> list[str]:
    """The members who signed the report, by name (published with the candidates)."""
    evaluation = await session.get(Evaluation, tender_id)
    report_ = (evaluation.report if evaluation else None) or {}
    return [str(m["name"]) for m in report_.get("members", [])]


# --- the report ----------------------------------------------------------------------------


async def sign(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    events: DomainEvents,
    tender_id: uuid.UUID,
    decision: str,
    reason: str | None,
) -> dict[str, Any]:
    """A member signs the report, signs with a written dissent, or refuses (without a reason a
    refusal counts as agreeing). The last signature signs the report: the tender is evaluated and
    `evaluation.report_signed` is announced (the credit check listens). In a re-review every
    member signs the revised report again; the last signature closes the re-review. Signatures
    queue on the evaluation's row: the last one, and only it, sees every other."""
    seat = await committee.member_seat(session, actor, tender_id, seated=True)
    await session.get(Evaluation, tender_id, with_for_update=True)
    state = await load(session, tender_id)
    re_signing = state.evaluation.status == EvaluationStatus.signed
    if re_signing:
        await _re_review_under_way(session, clock, state)
    elif state.evaluation.status != EvaluationStatus.scoring:
        raise Conflict(f"the evaluation is {state.evaluation.status}")
    blockers = state.blockers()
    if blockers:
        raise Conflict("the report cannot be signed yet", blockers=blockers)
    if seat.id in state.signatures:
        raise Conflict(f"you have signed revision {state.evaluation.revision} of the report already")
    if decision == "dissent" and not reason:
        raise InvalidRequest([FieldError("reason", "required", "a dissent states its reasons in writing")])
    signature = ReportSignature(
        tender_id=tender_id,
        seat_id=seat.id,
        revision=state.evaluation.revision,
        decision=decision,
        reason=reason,
        at=clock.now(),
    )
    session.add(signature)
    state.signatures[seat.id] = signature
    payload = {"decision": decision, "reason": reason, "revision": state.evaluation.revision}
    await audit.record(session, clock, actor, "evaluation.sign", "committee_seat", seat.id, payload)
    if all(s.id in state.signatures for s, _ in state.members):
        await (_close_re_review if re_signing else _finish)(session, clock, actor, events, state)
    await session.commit()
    return {
        "decision": decision,
        "revision": state.evaluation.revision,
        "evaluation": state.evaluation.status,
        "tender_status": state.tender.status,
    }


async def _finish(session: AsyncSession, clock: Clock, actor: Actor, events: DomainEvents, state: State) -> None:
    result = state.result()
    assert result is not None
    move_evaluation(state.evaluation, EvaluationStatus.signed)
    state.evaluation.signed_at = clock.now()
    state.evaluation.report = report(state, result, names=True)
    tender_states.move(state.tender, TenderStatus.evaluated)
    seats = {str(s.id): s for s, _ in state.members}
    for anomaly in result.anomalies:
        expert_id = seats[anomaly.expert].expert_id
        if expert_id is not None:  # the representative is not a pool expert: no assessment
            await conduct.record_incident(
                session, clock, actor, expert_id, state.tender.id, "abnormal_score", anomaly.bid
            )
    await events.emit(session, clock, actor, REPORT_SIGNED, "tender", state.tender.id, _announcement(state, result))
    await notify(
        session,
        clock,
        audience_role=Role.agency,
        kind="evaluation_signed",
        object_type="tender",
        object_id=state.tender.id,
        message=f"评标报告已签署：{state.tender.project_name}",
        dedupe_key=f"evaluation-signed:{state.tender.id}:{state.evaluation.revision}",
    )


def _announcement(state: State, result: scoring.Result) -> dict[str, Any]:
    """What listeners of the signed report receive: the candidate winners in rank order, the
    whole ranking of valid bids (the credit check promotes the next ones), and how many
    candidates the report names at most (`required`)."""
    by_bid = {b["bid"]: b for b in state.evaluation.bids}
    ranked = [
        {
            "rank": i,
            "bid": bid,
            "uscc": by_bid[bid]["uscc"],
            "bidder": by_bid[bid]["bidder"],
            "price": by_bid[bid]["price"],
            "total": str(result.totals[bid]) if bid in result.totals else None,
        }
        for i, bid in enumerate(result.ranking, start=1)
    ]
    return {
        "tender": str(state.tender.id),
        "revision": state.evaluation.revision,
        "required": state.template.candidates,
        "candidates": ranked[: len(result.candidates)],
        "ranking": ranked,
    }


# --- the re-review of a signed report (MOF order 87 art. 64) ---------------------------------


async def _re_review_under_way(session: AsyncSession, clock: Clock, state: State) -> dict[str, Any]:
    """The original committee's re-review of the signed report under way. A re-review an upheld
    objection or complaint ordered (the tender back in `evaluated`, no credit re-review of the
    candidates open) begins with the committee's first step; otherwise only the GP agency opens
    one (`open_re_review`)."""
    if state.evaluation.re_review is not None:
        return state.evaluation.re_review
    if state.tender.status == TenderStatus.evaluated and not await candidate_review.under_way(session, state.tender.id):
        return _begin_re_review(state, clock, {"by": "order"})
    how = (
        "the agency opens one for a case of MOF order 87 art. 64 (POST …/evaluation/re-review)"
        if regime_of(state.tender.project_type) == Regime.government_procurement
        else "an upheld objection or complaint orders it (实施条例 arts. 54, 61)"
    )
    raise Conflict(f"a signed report changes only in a re-review by the original committee: {how}")


def _begin_re_review(state: State, clock: Clock, opened: dict[str, Any]) -> dict[str, Any]:
    """Open the re-review: the report's next revision, which every member signs again; the
    candidates before it are kept to tell whether the result changed."""
    signed_report = state.evaluation.report or {}
    state.evaluation.revision += 1
    state.evaluation.re_review = {
        **opened,
        "at": clock.now().isoformat(),
        "candidates": list(signed_report.get("result", {}).get("candidates", [])),
        "corrections": [],
    }
    state.signatures = {}
    return state.evaluation.re_review


async def correct(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    events: DomainEvents,
    tender_id: uuid.UUID,
    bid_id: str,
    item_id: str,
    value: Any,
    case: str,
    reason: str,
) -> dict[str, Any]:
    """After signing a member's score changes only in a re-review by the original committee (the
    tender back in `evaluated`): one ordered by an upheld objection or complaint, or — government
    procurement only — one the agency opens for a case of MOF order 87 art. 64
    (`open_re_review`); for one of those four cases, with its reason. Each correction is a new
    revision of the report, which every member signs again (their earlier signatures of the
    re-review lapse)."""
    if case not in ART_64_CASES:
        raise InvalidRequest(
            [FieldError("case", "art_64", f"after signing a score changes only for {', '.join(ART_64_CASES)}")]
        )
    seat = await committee.member_seat(session, actor, tender_id, seated=True)
    await session.get(Evaluation, tender_id, with_for_update=True)  # one revision at a time
    state = await load(session, tender_id)
    if state.evaluation.status != EvaluationStatus.signed:
        raise Conflict("before the report is signed a member changes their own scores directly")
    review = await _re_review_under_way(session, clock, state)
    errors = scoring.score_errors(state.template, state.bid_ids, {bid_id: {item_id: value}}, complete=False)
    if errors:
        raise InvalidRequest([FieldError(where, "invalid", why) for where, why in errors])
    sheet = state.sheets[seat.id]
    old = sheet.scores[bid_id][item_id]
    sheet.scores = {**sheet.scores, bid_id: {**sheet.scores[bid_id], item_id: value}}
    session.add(
        ScoreCorrection(
            tender_id=tender_id,
            seat_id=seat.id,
            bid_id=bid_id,
            item_id=item_id,
            old_value=str(old),
            new_value=str(value),
            case=case,
            reason=reason,
            at=clock.now(),
        )
    )
    state.evaluation.revision += 1
    member = next(name for s, name in state.members if s.id == seat.id)
    payload = {"bid": bid_id, "item": item_id, "from": str(old), "to": str(value), "case": case, "reason": reason}
    state.evaluation.re_review = {**review, "corrections": [*review["corrections"], {"member": member, **payload}]}
    await audit.record(session, clock, actor, "evaluation.correct", "committee_seat", seat.id, payload)
    result = state.result()
    assert result is not None
    await session.commit()
    return {"revision": state.evaluation.revision, "result": result.as_dict()}


async def _close_re_review(
    session: AsyncSession, clock: Clock, actor: Actor, events: DomainEvents, state: State
) -> None:
    """Every member has signed the revised report: it replaces the signed one with its
    corrections and the re-review on record, `evaluation.report_revised` is announced (the credit
    check settles the candidates again), and a changed result is reported to the supervisors —
    for government procurement the finance department (MOF order 87 art. 64)."""
    result = state.result()
    assert result is not None and state.evaluation.re_review is not None
    review = state.evaluation.re_review
    before, after = review["candidates"], list(result.candidates)
    earlier = state.evaluation.report or {}
    closed = {
        **{k: v for k, v in review.items() if k != "corrections"},
        "closed_at": clock.now().isoformat(),
        "revision": state.evaluation.revision,
        "candidates_after": after,
        "changed": before != after,
    }
    revised = report(state, result, names=True)
    revised["corrections"] = [*earlier.get("corrections", []), *review["corrections"]]
    revised["re_reviews"] = [*earlier.get("re_reviews", []), closed]
    state.evaluation.report = revised
    state.evaluation.re_review = None
    await audit.record(session, clock, actor, "evaluation.re_review_signed", "tender", state.tender.id, closed)
    if closed["changed"]:
        message = (
            f"原评标委员会复核后评审结果改变：{state.tender.project_name}（第 {state.evaluation.revision} 版评标报告）"
        )
        key = f"re-review-changed:{state.tender.id}:{state.evaluation.revision}"
        await tell_supervisors(session, clock, "re_review_changed", "tender", state.tender.id, message, key)
    await events.emit(session, clock, actor, REPORT_REVISED, "tender", state.tender.id, _announcement(state, result))


async def open_re_review(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, case: str, reason: str
) -> dict[str, Any]:
    """Government procurement: the agency has the original committee re-review its signed report
    for one of the four cases of MOF order 87 art. 64 (the tender goes back to `evaluated`; the
    members correct and sign the revised report again, its candidates are checked again). The
    tendering law knows no such step: there a re-evaluation follows an upheld objection or
    complaint."""
    tender = await session.scalar(select(Tender).where(Tender.id == tender_id).with_for_update())
    if tender is None:
        raise NotFound(f"tender {tender_id} not found")
    if not (actor.has_role(Role.agency) and actor.org_uscc == tender.agency_uscc):
        raise Forbidden("only the tender's agency opens a re-review")
    errors: list[FieldError] = []
    if case not in ART_64_CASES:
        errors.append(FieldError("case", "art_64", "one of " + ", ".join(ART_64_CASES)))
    if not reason.strip():
        errors.append(FieldError("reason", "required", "what the committee is to re-review, and why"))
    if errors:
        raise InvalidRequest(errors)
    if regime_of(tender.project_type) != Regime.government_procurement:
        raise Conflict(
            "the post-signature re-review is government procurement's (MOF order 87 art. 64): a tendering "
            "project's report changes after an upheld objection or complaint (实施条例 arts. 54, 61)"
        )
    if tender.status not in (TenderStatus.candidates, TenderStatus.publicity):
        raise Conflict(f"the tender is {tender.status}: a re-review is opened before the award")
    tender_states.move(tender, TenderStatus.evaluated)
    state = await load(session, tender_id)
    _begin_re_review(state, clock, {"by": actor.username, "case": case, "reason": reason.strip()})
    payload = {"case": case, "reason": reason.strip(), "revision": state.evaluation.revision}
    await audit.record(session, clock, actor, "evaluation.re_review", "tender", tender_id, payload)
    message, key = f"原评标委员会复核（{case}）：{reason.strip()}", f"re-review:{tender_id}:{clock.now().isoformat()}"
    members = await committee.member_users(session, tender_id)
    await notify_many(
        session,
        clock,
        [Notice(Role.expert, "re_review", "tender", tender_id, message, f"{key}:{u}", u) for u in members],
    )
    await session.commit()
    return {"tender": str(tender_id), "status": tender.status, "case": case, "revision": state.evaluation.revision}
