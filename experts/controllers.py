"""Thin Litestar handlers of the evaluation (评标): the expert pool, the draw, the committee,
scoring, the report and the assessment: parse, call one service function, shape the answer;
listed in app/routes.py. Who may learn who sits on a committee is decided in experts.committee."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import File
from sqlalchemy import func, select

from app.core.actor import Role
from app.core.deps import ActorDep, BlobsDep, ClockDep, CreditGateDep, DbSession, EventsDep, Limit, Offset, SettingsDep
from app.core.downloads import download
from app.core.guards import requires, signed_in
from app.core.problems import InvalidRequest
from app.core.validation import FieldError, require_plausible_dates
from experts import candidate_review, committee, conduct, consultation, evaluation, price_review, registry
from experts.models import Expert
from experts.schemas import (
    CandidateDecisionIn,
    ChairIn,
    ConsultationCloseIn,
    ConsultationRoundIn,
    CorrectionIn,
    DeclarationIn,
    DeclineIn,
    DrawEntryIn,
    DrawIn,
    ExplanationIn,
    FinalQuoteIn,
    FinalQuotesIn,
    PriceAnswerIn,
    PriceDecisionIn,
    RatingIn,
    RepresentativeIn,
    ReReviewIn,
    ReviewSignatureIn,
    RoundConfirmationIn,
    RulesIn,
    ScoresIn,
    SignatureIn,
    TieIn,
    UnavailabilityIn,
)

MAX_POOL_FILE_BYTES = 20 * 1024**2
# Which experts a credit list bars (the credit issue's hook), provided by the composition root.
CreditBarsDep = NamedDependency[committee.CreditBarred]


class ExpertPoolController(Controller):
    path = "/api/v1/experts"
    tags = ("evaluation",)

    @post("/import", guards=[requires(Role.admin)], status_code=200, request_max_body_size=MAX_POOL_FILE_BYTES)
    async def import_pool(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Import experts from a CSV file (the body, UTF-8): every bad row is reported and then
        nothing is imported; the same file again changes nothing. Columns: see experts/pool.py."""
        try:
            text = (await request.body()).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidRequest([FieldError("body", "encoding", "the file is not UTF-8")]) from exc
        return await registry.import_pool(db_session, clock, actor, text, settings.tz, settings.person_id_key)

    @get("/", guards=[requires(Role.supervisor, Role.admin)])
    async def pool(self, db_session: DbSession, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        """The pool (who is in it is not secret; who sits on which committee is)."""
        total = await db_session.scalar(select(func.count()).select_from(Expert)) or 0
        rows = await db_session.scalars(select(Expert).order_by(Expert.name, Expert.id).limit(limit).offset(offset))
        items = [
            {
                "id": str(e.id),
                "name": e.name,
                "title": e.title,
                "employer_uscc": e.employer_uscc,
                "region": e.region,
                "status": e.status,
            }
            for e in rows
        ]
        return {"items": items, "limit": limit, "offset": offset, "total": total}

    @get("/me", guards=[requires(Role.expert)])
    async def me(self, db_session: DbSession, actor: ActorDep) -> dict[str, Any]:
        return await registry.profile(db_session, await registry.expert_of(db_session, actor))

    @put("/me/unavailability", guards=[requires(Role.expert)])
    async def unavailability(
        self, data: JSONBody[UnavailabilityIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> dict[str, Any]:
        """The days you cannot serve (replaces your list); the draw leaves you out on them."""
        blocks = [(b.starts_on, b.ends_on) for b in data.blocks]
        for i, (starts_on, ends_on) in enumerate(blocks):
            require_plausible_dates(**{f"blocks[{i}].starts_on": starts_on, f"blocks[{i}].ends_on": ends_on})
        return await registry.set_unavailability(db_session, clock, actor, blocks)

    @get("/me/assignments", guards=[requires(Role.expert)])
    async def assignments(self, db_session: DbSession, actor: ActorDep) -> list[dict[str, Any]]:
        """Your seats; a tender is named once its evaluation has started."""
        return await committee.assignments(db_session, actor)

    @get("/{expert_id:uuid}/record", guards=[requires(Role.supervisor)])
    async def record(self, expert_id: FromPath[uuid.UUID], db_session: DbSession) -> dict[str, Any]:
        """An expert's ratings, incidents and seats (考核记录)."""
        return await conduct.record_of(db_session, expert_id)

    @get("/assessment-rules", guards=[requires(Role.supervisor, Role.admin)])
    async def rules(self, db_session: DbSession) -> list[dict[str, Any]]:
        return await conduct.rule_list(db_session)

    @put("/assessment-rules", guards=[requires(Role.admin)])
    async def replace_rules(
        self, data: JSONBody[RulesIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> list[dict[str, Any]]:
        """Replace the assessment rules (audited)."""
        return await conduct.replace_rules(db_session, clock, actor, data.assessment_rules())


@get("/api/v1/specialties", guards=[signed_in], tags=["evaluation"])
async def specialties(db_session: DbSession) -> list[dict[str, str | None]]:
    """The specialty classification (dotted codes; a child lies under its parent)."""
    return await registry.specialties(db_session)


@post(
    "/api/v1/expert-assignments/{seat_id:uuid}/decline",
    guards=[requires(Role.expert)],
    status_code=200,
    tags=["evaluation"],
)
async def decline(
    seat_id: FromPath[uuid.UUID], data: JSONBody[DeclineIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
) -> dict[str, Any]:
    """Decline a seat before sitting; the next reserve of the specialty is called. Without a
    cause the decline counts in your assessment."""
    return await committee.decline(db_session, clock, actor, seat_id, data.reason)


class CommitteeController(Controller):
    path = "/api/v1/tenders/{tender_id:uuid}"
    tags = ("evaluation",)

    @post("/committee/representatives", guards=[requires(Role.agency)], status_code=201)
    async def name_representative(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[RepresentativeIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """Name the purchaser's representative to a seat the draw left (at most a third of the committee)."""
        return await committee.name_representative(db_session, clock, actor, tender_id, data.username)

    @put("/draw", guards=[requires(Role.agency, Role.supervisor)])
    async def configure_draw(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[DrawIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Set the draw of the committee (before the opening); the platform draws at `draw_at`."""
        require_plausible_dates(evaluation_on=data.evaluation_on)
        await committee.configure_draw(
            db_session,
            clock,
            actor,
            tender_id,
            data.rules(),
            data.draw_at,
            data.evaluation_on,
            settings.tz,
            settings.draw_commit_lead,
            data.representatives,
        )
        return await committee.draw_view(db_session, actor, tender_id)

    @post("/draw/entry", guards=[requires(Role.supervisor)], status_code=200)
    async def draw_entry(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[DrawEntryIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """A supervisor's value for the draw's final seed, after the commitment, before the draw, once."""
        await committee.enter_beacon(db_session, clock, actor, tender_id, data.entry)
        return await committee.draw_view(db_session, actor, tender_id)

    @get("/draw", guards=[signed_in])
    async def draw(self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> dict[str, Any]:
        """The draw's rules, status and commitment; its seed and snapshot once they may be known."""
        return await committee.draw_view(db_session, actor, tender_id)

    @post("/draw/supplementary", guards=[requires(Role.supervisor)], status_code=200)
    async def supplementary_draw(
        self,
        tender_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        expert_credit_bars: CreditBarsDep,
    ) -> dict[str, Any]:
        """Commit a draw that fills the seats left empty once a specialty's reserves are used up
        (补抽); a supervisor's entry follows, and the seats are drawn the commit lead after."""
        await committee.supplementary_draw(
            db_session,
            clock,
            actor,
            tender_id,
            age_cap=settings.expert_age_cap,
            recent_days=settings.expert_recent_days,
            tz=settings.tz,
            credit_barred=expert_credit_bars,
        )
        return await committee.draw_view(db_session, actor, tender_id)

    @post("/draw/supplementary/{draw_id:uuid}/entry", guards=[requires(Role.supervisor)], status_code=200)
    async def supplementary_entry(
        self,
        tender_id: FromPath[uuid.UUID],
        draw_id: FromPath[uuid.UUID],
        data: JSONBody[DrawEntryIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """A supervisor's value for a supplementary draw's final seed, once; it draws at once if the
        commit lead has passed since its commitment."""
        await committee.enter_supplementary_beacon(
            db_session, clock, actor, tender_id, draw_id, data.entry, lead=settings.draw_commit_lead
        )
        return await committee.draw_view(db_session, actor, tender_id)

    @get("/committee", guards=[signed_in])
    async def committee(self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> dict[str, Any]:
        """Who sits: supervisors, and the members themselves from the start of the evaluation."""
        return await committee.committee_view(db_session, actor, tender_id)

    @post("/committee/{seat_id:uuid}/no-show", guards=[requires(Role.supervisor)], status_code=200)
    async def no_show(
        self,
        tender_id: FromPath[uuid.UUID],
        seat_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        return await committee.record_no_show(db_session, clock, actor, tender_id, seat_id)


class PriceClarificationController(Controller):
    """A bidder's side of the committee's price clarification (实施条例 art. 52)."""

    path = "/api/v1/tenders/{tender_id:uuid}/price-clarifications"
    tags = ("evaluation",)

    @get("/", guards=[requires(Role.bidder)])
    async def own(self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> list[dict[str, Any]]:
        """The committee's requests to your organization on this tender (nobody else's)."""
        return await price_review.own_requests(db_session, actor, tender_id)

    @post("/{request_id:uuid}/answer", guards=[requires(Role.bidder)], status_code=200)
    async def answer(
        self,
        tender_id: FromPath[uuid.UUID],
        request_id: FromPath[uuid.UUID],
        data: JSONBody[PriceAnswerIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """Answer in writing, once, while the committee scores; the answer cannot change the bid."""
        return await price_review.answer(db_session, clock, actor, tender_id, request_id, data.answer)


class EvaluationController(Controller):
    path = "/api/v1/tenders/{tender_id:uuid}/evaluation"
    tags = ("evaluation",)

    @put("/template", guards=[requires(Role.agency, Role.supervisor)])
    async def set_template(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[dict[str, Any]],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """The evaluation template (see `ggzy evaluation compute` for its form), before the opening."""
        return await evaluation.set_template(db_session, clock, actor, tender_id, data)

    @get("/template", guards=[signed_in])
    async def template(self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> dict[str, Any]:
        return await evaluation.template_view(db_session, actor, tender_id)

    @post("/start", guards=[requires(Role.agency, Role.supervisor)], status_code=200)
    async def start(
        self,
        tender_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        credit_gate: CreditGateDep,
    ) -> dict[str, Any]:
        """Open the evaluation; under government procurement every supplier's credit is checked first."""
        return await evaluation.start(db_session, clock, actor, tender_id, credit_gate)

    @get("/", guards=[requires(Role.agency, Role.supervisor, Role.expert)])
    async def state(self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> dict[str, Any]:
        return await evaluation.view(db_session, actor, tender_id)

    @post("/declaration", guards=[requires(Role.expert)], status_code=200)
    async def declare(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[DeclarationIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """回避声明, before you see any bid."""
        return await committee.declare(db_session, clock, actor, tender_id, data.conflict, data.statement)

    @get(
        "/bids/{bid_id:uuid}/documents/{index:int}",
        guards=[requires(Role.expert)],
        media_type="application/octet-stream",
    )
    async def document(
        self,
        tender_id: FromPath[uuid.UUID],
        bid_id: FromPath[uuid.UUID],
        index: FromPath[int],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        blobs: BlobsDep,
    ) -> File:
        """A decrypted document of a bid under evaluation (every read is in the audit trail)."""
        document = await evaluation.read_document(db_session, clock, actor, tender_id, bid_id, index)
        return download(blobs.path(document["sha256"]), document["name"])

    @put("/scores", guards=[requires(Role.expert)])
    async def save_scores(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ScoresIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        return await evaluation.save_scores(db_session, clock, actor, tender_id, data.scores, data.submit)

    @get("/scores", guards=[requires(Role.expert, Role.supervisor)])
    async def scores(self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> dict[str, Any]:
        return await evaluation.scores_view(db_session, actor, tender_id)

    @post("/explanations", guards=[requires(Role.expert)], status_code=200)
    async def explain(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ExplanationIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        return await evaluation.explain(db_session, clock, actor, tender_id, data.bid, data.explanation)

    @post("/chair", guards=[requires(Role.expert)], status_code=200)
    async def chair(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ChairIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """Record the chair the committee elected from its experts (never the purchaser's representative)."""
        return await evaluation.elect_chair(db_session, clock, actor, tender_id, data.seat)

    @post("/ties", guards=[requires(Role.expert)], status_code=200)
    async def tie(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[TieIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        return await evaluation.resolve_tie(db_session, clock, actor, tender_id, data.order, data.reason)

    @get("/candidate-review", guards=[requires(Role.agency, Role.supervisor, Role.expert)])
    async def candidate_review(
        self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep
    ) -> dict[str, Any]:
        """The original committee's re-review of the candidates the credit check flagged."""
        return await candidate_review.view(db_session, actor, tender_id)

    @post("/candidate-review/decisions", guards=[requires(Role.expert)], status_code=200)
    async def candidate_decision(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[CandidateDecisionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """Record the committee's decision on a flagged candidate: disqualify or keep, with the reason."""
        return await candidate_review.decide(db_session, clock, actor, tender_id, data.bid, data.decision, data.reason)

    @post("/candidate-review/signatures", guards=[requires(Role.expert)], status_code=200)
    async def candidate_review_sign(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ReviewSignatureIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        events: EventsDep,
    ) -> dict[str, Any]:
        """Sign the re-review (or dissent in writing); the last signature settles the candidates."""
        return await candidate_review.sign(db_session, clock, actor, events, tender_id, data.decision, data.reason)

    @post("/price-decisions", guards=[requires(Role.expert)], status_code=200)
    async def price_decision(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[PriceDecisionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """The committee decides on a price suspected below cost, after its clarification: reject
        (the bid is excluded with the reason) or accept."""
        return await price_review.decide(db_session, clock, actor, tender_id, data.bid, data.decision, data.reason)

    @post("/signatures", guards=[requires(Role.expert)], status_code=200)
    async def sign(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[SignatureIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        events: EventsDep,
    ) -> dict[str, Any]:
        return await evaluation.sign(db_session, clock, actor, events, tender_id, data.decision, data.reason)

    @post("/re-review", guards=[requires(Role.agency)], status_code=200)
    async def re_review(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ReReviewIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """Government procurement: have the original committee re-review its signed report (MOF order 87 art. 64)."""
        return await evaluation.open_re_review(db_session, clock, actor, tender_id, data.case, data.reason)

    @post("/corrections", guards=[requires(Role.expert)], status_code=200)
    async def correct(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[CorrectionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        events: EventsDep,
    ) -> dict[str, Any]:
        """A correction after signing, for one of the four cases of MOF order 87 art. 64."""
        return await evaluation.correct(
            db_session, clock, actor, events, tender_id, data.bid, data.item, data.value, data.case, data.reason
        )

    @post("/ratings", guards=[requires(Role.agency, Role.supervisor)], status_code=201)
    async def rate(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[RatingIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """Rate a member (0–100) after the report is signed."""
        return await conduct.rate(db_session, clock, actor, tender_id, data.seat, data.score, data.comment)


class ConsultationController(Controller):
    """竞争性磋商 between the opening and the scoring (财库〔2014〕214号): the panel's rounds, the
    purchaser's written confirmation of changed terms, the sealed final quotes and the close."""

    path = "/api/v1/tenders/{tender_id:uuid}/consultation"
    tags = ("evaluation",)

    @get("/", guards=[requires(Role.agency, Role.supervisor, Role.expert, Role.bidder)])
    async def state(self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> dict[str, Any]:
        """The panel, the supervisors and the agency see it all (no price before the close); a supplier its own part."""
        return await consultation.view(db_session, actor, tender_id)

    @post("/rounds", guards=[requires(Role.expert)], status_code=201)
    async def open_round(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ConsultationRoundIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """A seated member records a round: changed terms, excluded suppliers with reasons."""
        excluded = [{"bid": e.bid, "reason": e.reason} for e in data.excluded]
        return await consultation.open_round(db_session, clock, actor, tender_id, data.changes, excluded)

    @post("/rounds/{number:int}/confirmation", guards=[requires(Role.agency)], status_code=200)
    async def confirm_round(
        self,
        tender_id: FromPath[uuid.UUID],
        number: FromPath[int],
        data: JSONBody[RoundConfirmationIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """The purchaser's written confirmation of a round's changed terms (or its refusal)."""
        return await consultation.confirm_round(db_session, clock, actor, tender_id, number, data.confirmed, data.text)

    @post("/final-quotes", guards=[requires(Role.expert)], status_code=200)
    async def call_final_quotes(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[FinalQuotesIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """The panel calls for the final quotes until a time it sets."""
        return await consultation.call_final_quotes(db_session, clock, actor, tender_id, data.until)

    @put("/final-quote", guards=[requires(Role.bidder)], status_code=200)
    async def submit_final_quote(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[FinalQuoteIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """A supplier still in quotes its final price, sealed until the deadline (a later quote replaces it)."""
        return await consultation.submit_final_quote(
            db_session, clock, actor, tender_id, data.price, settings.offer_secret
        )

    @post("/close", guards=[requires(Role.expert)], status_code=200)
    async def close(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ConsultationCloseIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """After the deadline: the quotes opened; enough finalists go on to scoring, too few fail it."""
        return await consultation.close(db_session, clock, actor, tender_id, data.listed_case, settings.offer_secret)
