"""Thin Litestar handlers of the award: publicity, objections and complaints, the award's refusal,
the contract and the bid bonds, cancellation; listed in app/routes.py."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from app.core.actor import Role
from app.core.blobs import UPLOAD_CEILING_BYTES
from app.core.deps import ActorDep, BlobsDep, ClockDep, DbSession, Filename, SettingsDep
from app.core.guards import requires, signed_in
from bidding.award import remedies, report, service, validity
from bidding.award.schemas import (
    AcceptanceIn,
    AnswerIn,
    ComplaintIn,
    ContractFilingIn,
    ContractIn,
    DecisionIn,
    ExcludedTimeIn,
    ObjectionIn,
    ProcedureQuestionIn,
    ReasonIn,
    SuspensionIn,
    ValidityAnswerIn,
    ValidityExtensionIn,
)

CommitteeNamesDep = NamedDependency[service.CommitteeNames]


class AwardController(Controller):
    path = "/api/v1/tenders/{tender_id:uuid}"
    tags = ("award",)

    @get("/award", guards=[signed_in])
    async def show(self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> dict[str, Any]:
        """The publicity (candidates, ranks, prices, scores, the committee's names), objections,
        awards, the contract and its bid-bond refund day, cancellations."""
        return await service.view(db_session, actor, tender_id)

    @post("/award/publicity", guards=[requires(Role.agency)], status_code=200)
    async def publish(
        self,
        tender_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        committee_names: CommitteeNamesDep,
    ) -> dict[str, Any]:
        """Publish the checked candidates now (the sweep does it 3 days after the report at the latest)."""
        return await service.publish(
            db_session, clock, actor, committee_names, settings.publicity_days_for, settings.tz, tender_id
        )

    @post(
        "/award/documents",
        guards=[requires(Role.agency, Role.bidder)],
        request_max_body_size=UPLOAD_CEILING_BYTES,
        status_code=201,
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        tender_id: FromPath[uuid.UUID],
        filename: Filename,
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        blobs: BlobsDep,
    ) -> dict[str, Any]:
        """An objection's attachment or the signed contract, as the raw request body (streamed)."""
        stored = await blobs.put(request.stream(), settings.max_document_bytes)
        content_type = request.headers.get("content-type", "application/octet-stream")[:100]
        return await service.add_document(db_session, clock, actor, tender_id, filename, content_type, stored)

    @post("/award/objections", guards=[requires(Role.bidder)], status_code=201)
    async def object_to(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ObjectionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Object to the candidates during their publicity (a bidder, or another party stating its interest)."""
        return await remedies.raise_objection(
            db_session, clock, actor, tender_id, data.grounds, data.attachments, settings.tz, data.interest
        )

    @post("/documents/objections", guards=[requires(Role.bidder)], status_code=201)
    async def object_to_documents(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ObjectionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Object to the tender documents, at least 10 days before the bid deadline (a holder of them)."""
        return await remedies.object_to_documents(
            db_session, clock, actor, tender_id, data.grounds, data.attachments, settings.tz
        )

    @post("/procedure/objections", guards=[requires(Role.bidder)], status_code=201)
    async def question_procedure(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ProcedureQuestionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """GP: a supplier of the tender questions (质疑) the opening or the evaluation, within 7 working days."""
        return await remedies.question_procedure(
            db_session, clock, actor, tender_id, data.stage, data.grounds, data.attachments, settings.tz
        )

    @post("/award/complaints", guards=[requires(Role.bidder)], status_code=201)
    async def complain_directly(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ComplaintIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Complain with no objection before it: on the opening after its on-the-spot answer, or on another matter."""
        return await remedies.complain_directly(
            db_session, clock, actor, tender_id, data.matter, data.known_on, data.grounds, data.attachments, settings.tz
        )

    @post("/award/objections/{complaint_id:uuid}/excluded-time", guards=[requires(Role.supervisor)], status_code=200)
    async def exclude_time(
        self,
        tender_id: FromPath[uuid.UUID],
        complaint_id: FromPath[uuid.UUID],
        data: JSONBody[ExcludedTimeIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Record time excluded from a complaint's 30 working days; its decision day moves."""
        return await remedies.exclude_time(
            db_session, clock, actor, tender_id, complaint_id, data.kind, data.start, data.end, data.reason, settings.tz
        )

    @post("/award/objections/{complaint_id:uuid}/suspension", guards=[requires(Role.supervisor)], status_code=200)
    async def order_suspension(
        self,
        tender_id: FromPath[uuid.UUID],
        complaint_id: FromPath[uuid.UUID],
        data: JSONBody[SuspensionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Order the tendering activity suspended while the complaint is handled (GP: 30 days at most), or lift it."""
        return await remedies.order_suspension(
            db_session, clock, actor, tender_id, complaint_id, data.suspend, data.reason, settings.tz
        )

    @post(
        "/award/objections/{objection_id:uuid}/answer", guards=[requires(Role.agency, Role.supervisor)], status_code=200
    )
    async def answer(
        self,
        tender_id: FromPath[uuid.UUID],
        objection_id: FromPath[uuid.UUID],
        data: JSONBody[AnswerIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """The agency answers an objection; a supervisor decides a complaint."""
        return await remedies.answer(
            db_session,
            clock,
            actor,
            tender_id,
            objection_id,
            data.outcome,
            data.answer,
            data.disqualified_bid,
            settings.publicity_days_for,
            settings.tz,
            data.amendment,
        )

    @post("/award/objections/{objection_id:uuid}/complaint", guards=[requires(Role.bidder)], status_code=201)
    async def complain(
        self,
        tender_id: FromPath[uuid.UUID],
        objection_id: FromPath[uuid.UUID],
        data: JSONBody[ObjectionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        return await remedies.complain(
            db_session, clock, actor, tender_id, objection_id, data.grounds, data.attachments, settings.tz
        )

    @post("/award/decision", guards=[requires(Role.agency)], status_code=200)
    async def decide(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[DecisionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        committee_names: CommitteeNamesDep,
    ) -> dict[str, Any]:
        """The tenderee's decision, by its agency: the winner among the remaining candidates (the
        first for a state-funded project; a reason for any other), or a re-tender with its reason.
        Government procurement: the purchaser's confirmation, and the result notice with it."""
        return await service.decide(
            db_session,
            clock,
            actor,
            tender_id,
            bid=data.bid,
            retender=data.retender,
            reason=data.reason,
            tz=settings.tz,
            committee_names=committee_names,
        )

    @post("/award/objections/{complaint_id:uuid}/acceptance", guards=[requires(Role.supervisor)], status_code=200)
    async def accept_complaint(
        self,
        tender_id: FromPath[uuid.UUID],
        complaint_id: FromPath[uuid.UUID],
        data: JSONBody[AcceptanceIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """A supervisor accepts a complaint (decided within 30 working days) or does not, with the reason."""
        return await remedies.accept_complaint(
            db_session, clock, actor, tender_id, complaint_id, data.accept, data.reason, settings.tz
        )

    @post("/award/decline", guards=[requires(Role.bidder, Role.agency)], status_code=200)
    async def decline(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ReasonIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """The winner declines, or the agency records its refusal to sign: the next candidate is awarded."""
        return await service.decline(db_session, clock, actor, tender_id, data.reason)

    @post("/award/contract", guards=[requires(Role.agency)], status_code=200)
    async def contract(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ContractIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        return await service.record_contract(
            db_session,
            clock,
            actor,
            tender_id,
            document=data.document,
            amount=data.amount,
            signed_on=data.signed_on,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            difference_reason=data.difference_reason,
            tz=settings.tz,
        )

    @post("/award/contract/filing", guards=[requires(Role.agency)], status_code=200)
    async def contract_filing(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ContractFilingIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Government procurement: the contract's filing (备案) with the finance department, due
        within 7 working days of signing (政府采购法 art. 47)."""
        return await service.record_contract_filing(
            db_session, clock, actor, tender_id, filed_on=data.filed_on, number=data.number, tz=settings.tz
        )

    @get("/validity", guards=[signed_in])
    async def validity(
        self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep, settings: SettingsDep
    ) -> dict[str, Any]:
        """The bid validity period (投标有效期): its days, its end, the extensions and the answers
        (the agency and officers all of them, a bidder its own)."""
        return await validity.view(db_session, actor, tender_id, settings.tz)

    @post("/validity/extensions", guards=[requires(Role.agency)], status_code=201)
    async def extend_validity(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ValidityExtensionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Ask every bidder to extend its bid's validity, with the reason."""
        return await validity.request_extension(
            db_session, clock, actor, tender_id, data.until, data.reason, settings.tz
        )

    @post("/validity/extensions/{extension_id:uuid}/answer", guards=[requires(Role.bidder)], status_code=200)
    async def answer_extension(
        self,
        tender_id: FromPath[uuid.UUID],
        extension_id: FromPath[uuid.UUID],
        data: JSONBody[ValidityAnswerIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Consent to the extension (the bid stays, unchanged in substance) or refuse (it lapses at
        the end of the validity it had)."""
        return await validity.answer(db_session, clock, actor, tender_id, extension_id, data.consent, settings.tz)

    @get("/award/report", guards=[requires(Role.agency, Role.supervisor)])
    async def report(
        self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep, settings: SettingsDep
    ) -> dict[str, Any]:
        """The written report to the supervision department (招标投标法 art. 47): as submitted, or
        the draft the record gives now, with its due date (15 days from the award)."""
        return await report.view(db_session, actor, tender_id, settings.tz)

    @post("/award/report", guards=[requires(Role.agency)], status_code=201)
    async def submit_report(
        self,
        tender_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Submit the report the record gives, once; the supervisors are told."""
        return await report.submit(db_session, clock, actor, tender_id, settings.tz)

    @post("/termination", guards=[requires(Role.agency)], status_code=201)
    async def terminate(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[ReasonIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """The tenderee terminates the tender (终止招标), with its reason: announced at once, the
        holders of the documents and the bidders told (实施条例 art. 31)."""
        return await service.terminate(db_session, clock, actor, tender_id, data.reason)


class ComplaintDecisionsController(Controller):
    path = "/api/v1/complaint-decisions"
    tags = ("award",)

    @get("/", opt={"public": True})
    async def published(self, db_session: DbSession, settings: SettingsDep) -> list[dict[str, Any]]:
        """The supervisors' complaint decisions, published (实施条例 art. 78): newest first."""
        return await remedies.published_decisions(db_session, settings.tz)
