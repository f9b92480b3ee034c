"""Remedies (异议, 投诉): objections to the tenderee and complaints to the supervisors, their
periods, their answers and decisions (实施条例 arts. 22, 44, 54, 60–62, 78).

* An objection to the candidates during their publicity, by a bidder or another interested party
  stating its interest (art. 54), answered by the tenderee's agency within 3 days.
* An objection to the tender documents by a holder of them, up to 10 days before the bid
  deadline (art. 22), answered within 3 days; the tender is held meanwhile (the opening waits)
  and an answer that changes the documents cites the amendment, which moves the deadline.
* A complaint within 10 days of knowing: after an objection for the matters of arts. 22, 44 and
  54 (also when its answer period passed unanswered), directly on other matters; accepted or not
  within 3 working days, decided within 30 working days of its acceptance, the excluded time
  (inspection, expert opinions) recorded and added; a supervisor may order the tendering activity
  suspended meanwhile (art. 62). Decisions are published (art. 78).
* Government procurement counts its own periods, in working days (`states.REMEDY_PERIODS`;
  政府采购法 arts. 52–57, 94号令): a 质疑 on the documents within 7 of obtaining them, on the
  procedure within 7 of the end of its stage (the opening, the evaluation), on the result within 7
  of the result notice, answered within 7 and the answer told to the other suppliers concerned; a
  投诉 only after a 质疑, within 15 of the end of the answer period, accepted within 5, decided
  within 30; a suspension order lapses after 30 days.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.calendar.rules import PeriodRule, start_of_day
from app.core.calendar.service import periods
from app.core.clock import Clock
from app.core.notifications import Notice, notify, notify_many
from app.core.problems import Conflict, Forbidden, InvalidRequest, NotFound
from app.core.validation import FieldError
from app.identity import service as identity
from app.identity.models import Organization
from bidding.award import states
from bidding.award.models import AwardFile, Objection
from bidding.award.service import (
    PublicityDays,
    _agency_of,
    _bidders,
    _check_text,
    _local,
    _locked,
    _own_documents,
    _tell_supervisors,
    award_in,
    objection_view,
)
from bidding.award.states import AwardStatus, ObjectionStatus, Outcome
from bidding.opening.models import OpeningSession, RecordResponse
from bidding.tender import holds
from bidding.tender import states as tender_states
from bidding.tender.models import DocumentDownload, Tender, TenderAmendment
from bidding.tender.queries import tender_holders, tender_or_404
from bidding.tender.regime import Regime, regime_of
from bidding.tender.states import TenderStatus


async def _new_objection(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    kind: str,
    parent_id: uuid.UUID | None,
    grounds: str,
    attachments: Sequence[uuid.UUID],
    answer_within: PeriodRule,
    tz: ZoneInfo,
    *,
    matter: str = "candidates",
    interest: str | None = None,
    known_on: date | None = None,
) -> Objection:
    """An objection or complaint with its grounds and the actor's own attachments (every bad
    field named at once), due at the end of the period `answer_within` sets; audited."""
    errors: list[FieldError] = []
    grounds = _check_text("grounds", grounds, 4000, errors)
    errors += await _own_documents(session, actor, tender_id, attachments, "attachments")
    if errors:
        raise InvalidRequest(errors)
    now = clock.now()
    objection = Objection(
        id=uuid.uuid4(),
        tender_id=tender_id,
        kind=kind,
        parent_id=parent_id,
        status=ObjectionStatus.open,
        raised_by_uscc=actor.org_uscc or "",
        raised_by=actor.username,
        grounds=grounds,
        attachments=[str(a) for a in attachments],
        raised_at=now,
        due_at=(await periods(session, tz)).end_of(now, answer_within),
        matter=matter,
        interest=interest,
        known_on=known_on,
    )
    session.add(objection)
    payload = {kind: str(objection.id), "matter": matter}
    await audit.record(session, clock, actor, f"award.{kind}", "tender", tender_id, payload)
    return objection


async def raise_objection(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    grounds: str,
    attachments: Sequence[uuid.UUID],
    tz: ZoneInfo,
    interest: str = "",
) -> dict[str, Any]:
    """A bidder of the tender, or another interested party stating its interest (实施条例
    art. 54 ¶2: 投标人或者其他利害关系人), objects during publicity; the tenderee answers within 3
    days and the award waits until then."""
    tender = await _locked(session, tender_id)
    interest = interest.strip()
    if actor.org_uscc not in await _bidders(session, tender_id) and not interest:
        raise InvalidRequest(
            [FieldError("interest", "required", "a party that did not bid states its interest in the result")]
        )
    award_file = await session.get(AwardFile, tender_id)
    now = clock.now()
    if regime_of(tender.project_type) == Regime.government_procurement:
        published = award_file.result_published_at if award_file else None
        if published is None:
            raise Conflict(
                "a 质疑 on the result follows the result notice (政府采购法 art. 52)",
                zh="对采购结果的质疑应在中标结果公告后提出（政府采购法第五十二条）",
                slug="too-early",
            )
        until = (await periods(session, tz)).end_of(published, states.GP_QUESTION_WITHIN)
        if now >= until:
            raise Conflict(
                "a 质疑 on the result is raised within 7 working days of the result notice (政府采购法 art. 52): "
                f"from {_local(published, tz)} until {_local(until, tz)}",
                zh="对采购结果的质疑应在中标结果公告之日起7个工作日内提出："
                f"{_local(published, tz)} 至 {_local(until, tz)}",
                slug="period-ended",
            )
        objection = await _object(
            session, clock, actor, tender, grounds, attachments, tz, matter="result", interest=interest or None
        )
        await session.commit()
        return objection_view(objection)
    if (
        tender.status != TenderStatus.publicity
        or award_file is None
        or award_file.publicity_ends_at is None
        or now >= award_file.publicity_ends_at
    ):
        ended = award_file.publicity_ends_at if award_file else None
        when = f": it ended {_local(ended, tz)}" if ended is not None and now >= ended else ""
        raise Conflict(
            f"objections to the candidates are raised during their publicity (实施条例 art. 54){when}",
            zh="对中标候选人的异议应在公示期内提出（实施条例第五十四条）",
        )
    objection = await _object(session, clock, actor, tender, grounds, attachments, tz, interest=interest or None)
    await session.commit()
    return objection_view(objection)


async def _object(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender: Tender,
    grounds: str,
    attachments: Sequence[uuid.UUID],
    tz: ZoneInfo,
    **about: Any,
) -> Objection:
    """An objection to the tenderee, due in 3 days (Regs arts. 22, 54; a GP 质疑 in 7 working days,
    政府采购法 art. 53), the agency's users told."""
    objection = await _new_objection(
        session,
        clock,
        actor,
        tender.id,
        "objection",
        None,
        grounds,
        attachments,
        states.remedy_periods(tender.project_type).answer,
        tz,
        **about,
    )
    agency = await identity.users_of_orgs(session, [tender.agency_uscc])
    await notify_many(
        session,
        clock,
        [
            Notice(
                Role.agency,
                "objection",
                "tender",
                tender.id,
                f"收到异议，请于 {_local(objection.due_at, tz)} 前答复：{tender.project_name}",
                f"objection:{objection.id}:{u}",
                u,
            )
            for u, _ in agency
        ],
    )
    return objection


async def object_to_documents(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    grounds: str,
    attachments: Sequence[uuid.UUID],
    tz: ZoneInfo,
) -> dict[str, Any]:
    """A holder of the tender documents (a potential bidder) objects to them at least 10 days
    before the bid deadline (实施条例 art. 22); the tenderee answers within 3 days and the tender
    is held until then (the opening waits)."""
    tender = await _locked(session, tender_id)
    if tender.status != TenderStatus.published:
        raise Conflict(
            f"the tender is {tender.status}: its documents are objected to before the bid deadline",
            zh="对招标文件的异议应在投标截止前提出",
        )
    if actor.org_uscc not in await tender_holders(session, tender_id):
        raise Forbidden(
            "a holder of the tender documents objects to them: obtain them first", zh="获取招标文件后方可对其提出异议"
        )
    if regime_of(tender.project_type) == Regime.government_procurement:
        # 94号令 art. 10: within 7 working days of obtaining the documents (their publication at the latest)
        obtained = await session.scalar(
            select(DocumentDownload.first_downloaded_at).where(
                DocumentDownload.tender_id == tender_id, DocumentDownload.bidder_uscc == actor.org_uscc
            )
        )
        since = obtained or tender.published_at
        until = (await periods(session, tz)).end_of(since, states.GP_QUESTION_WITHIN)
        if clock.now() >= until:
            raise Conflict(
                "a 质疑 on the documents is raised within 7 working days of obtaining them (94号令 art. 10): "
                f"from {_local(since, tz)} until {_local(until, tz)}",
                zh=f"对采购文件的质疑应在获取采购文件之日起7个工作日内提出：{_local(since, tz)} 至 {_local(until, tz)}",
                slug="period-ended",
            )
    elif clock.now() > (last := tender.bid_deadline - timedelta(days=states.DOCUMENT_OBJECTION_DAYS)):
        raise Conflict(
            "objections to the tender documents are raised at least 10 days before the bid deadline "
            f"(实施条例 art. 22): the period ended {_local(last, tz)}",
            zh=f"对招标文件的异议应在投标截止时间10日前提出（实施条例第二十二条），期限已于 {_local(last, tz)} 届满",
            slug="period-ended",
        )
    objection = await _object(session, clock, actor, tender, grounds, attachments, tz, matter="documents")
    _hold(tender, "document_objection", objection.id, objection.raised_at)
    await session.commit()
    return objection_view(objection)


# The stages of the procedure a GP supplier may question (94号令 art. 10), with their Chinese names.
STAGE_ZH = {"opening": "开标", "evaluation": "评审"}
PROCEDURE_STAGES = tuple(STAGE_ZH)


async def question_procedure(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    stage: str,
    grounds: str,
    attachments: Sequence[uuid.UUID],
    tz: ZoneInfo,
) -> dict[str, Any]:
    """Government procurement: a supplier of the tender questions (质疑) a stage of the procedure —
    the opening or the evaluation — within 7 working days of the stage's end (94号令 art. 10: 对采购
    过程提出质疑的，为各采购程序环节结束之日); the agency answers within 7 working days. The
    evaluation ends when its report's candidates are settled."""
    tender = await _locked(session, tender_id)
    if stage not in PROCEDURE_STAGES:
        raise InvalidRequest([FieldError("stage", "invalid", "one of " + ", ".join(PROCEDURE_STAGES))])
    if regime_of(tender.project_type) != Regime.government_procurement:
        raise Conflict(
            "a tendering project's opening is objected to at the opening (实施条例 art. 44) and another "
            "matter goes to the supervisors (POST …/award/complaints)",
            zh="依法必须招标项目对开标的异议应在开标现场提出，其他事项可直接投诉",
        )
    if actor.org_uscc not in await _bidders(session, tender_id):
        raise Forbidden(
            "a supplier of the tender questions its procedure", zh="参加本项目的供应商方可对采购过程提出质疑"
        )
    if stage == "opening":
        ended = await session.scalar(select(OpeningSession.finished_at).where(OpeningSession.tender_id == tender_id))
    else:
        award_file = await session.get(AwardFile, tender_id)
        ended = award_file.settled_at if award_file else None
    if ended is None:
        raise Conflict(
            f"a 质疑 on the {stage} follows its end (94号令 art. 10)",
            zh=f"对{STAGE_ZH[stage]}环节的质疑应在该环节结束后提出",
            slug="too-early",
        )
    until = (await periods(session, tz)).end_of(ended, states.GP_QUESTION_WITHIN)
    if clock.now() >= until:
        raise Conflict(
            f"a 质疑 on the {stage} is raised within 7 working days of its end (94号令 art. 10): "
            f"from {_local(ended, tz)} until {_local(until, tz)}",
            zh=f"对{STAGE_ZH[stage]}环节的质疑应在该环节结束之日起7个工作日内提出："
            f"{_local(ended, tz)} 至 {_local(until, tz)}",
            slug="period-ended",
        )
    objection = await _object(session, clock, actor, tender, grounds, attachments, tz, matter=stage)
    await session.commit()
    return objection_view(objection)


def _hold(tender: Tender, kind: str, ref: uuid.UUID, since: datetime) -> None:
    tender.holds = holds.with_hold(tender.holds, kind, str(ref), since)
    tender.held_since = holds.held_since(tender.holds)


def _release(tender: Tender, ref: uuid.UUID) -> None:
    tender.holds = holds.without_hold(tender.holds, str(ref)) or None
    tender.held_since = holds.held_since(tender.holds or [])


async def complain(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    objection_id: uuid.UUID,
    grounds: str,
    attachments: Sequence[uuid.UUID],
    tz: ZoneInfo,
) -> dict[str, Any]:
    """The objector complains to the supervisors within 10 days of knowing (实施条例 art. 60):
    of the answer, or of the end of the answer period when none came; the supervisors accept it
    or not within 3 working days, and the award waits for their decision."""
    tender = await _locked(session, tender_id)
    objection = await session.get(Objection, objection_id)
    if (
        objection is None
        or objection.tender_id != tender_id
        or objection.raised_by_uscc != actor.org_uscc
        or objection.kind != "objection"
    ):
        raise NotFound(f"objection {objection_id} not found", zh="未找到该异议")
    now = clock.now()
    rules = states.remedy_periods(tender.project_type)
    if regime_of(tender.project_type) == Regime.government_procurement and (
        objection.status == ObjectionStatus.answered or objection.due_at <= now
    ):
        known_at, what = objection.due_at, "the end of the answer period"  # 94号令 art. 17: 答复期满后
    elif objection.status == ObjectionStatus.answered and objection.answered_at is not None:
        known_at, what = objection.answered_at, "the answer"
    elif objection.status == ObjectionStatus.open and objection.due_at <= now:
        known_at, what = objection.due_at, "the end of the answer period"
    else:
        raise Conflict(
            f"a complaint follows the answer to the objection, or its period ({_local(objection.due_at, tz)})",
            zh=f"投诉应在异议答复后或答复期限（{_local(objection.due_at, tz)}）届满后提出",
        )
    complain_by = (await periods(session, tz)).end_of(known_at, rules.complain)
    if now >= complain_by:
        days_zh, days_en = states.days_text(rules.complain)
        raise Conflict(
            f"a complaint is made within {days_en} of {what}: the period ended {_local(complain_by, tz)}",
            zh=f"投诉应在{'答复期满后' if rules.complain.working else '知道之日起'}{days_zh}内提出，"
            f"期限已于 {_local(complain_by, tz)} 届满",
            slug="period-ended",
        )
    if objection.matter == "candidates" and tender.status not in {TenderStatus.publicity, TenderStatus.awarded}:
        raise Conflict(
            f"the tender is {tender.status}: nothing is left to complain about", zh="项目当前的状态已无可投诉事项"
        )
    if await session.scalar(select(Objection.id).where(Objection.parent_id == objection_id)):
        raise Conflict("this objection's complaint is made already", zh="已就该异议提出投诉")
    return await _complain(
        session, clock, actor, tender, objection_id, grounds, attachments, tz, matter=objection.matter
    )


async def _complain(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender: Tender,
    parent_id: uuid.UUID | None,
    grounds: str,
    attachments: Sequence[uuid.UUID],
    tz: ZoneInfo,
    **about: Any,
) -> dict[str, Any]:
    """A complaint to the supervisors, to be accepted or not in 3 working days, they told; committed."""
    complaint = await _new_objection(
        session,
        clock,
        actor,
        tender.id,
        "complaint",
        parent_id,
        grounds,
        attachments,
        states.remedy_periods(tender.project_type).accept,
        tz,
        **about,
    )
    await _tell_supervisors(
        session, clock, tender, "complaint", f"收到投诉：{tender.project_name}", f"complaint:{complaint.id}"
    )
    await session.commit()
    return objection_view(complaint)


async def accept_complaint(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    complaint_id: uuid.UUID,
    accept: bool,
    reason: str,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """A supervisor accepts a complaint (受理), which then is decided within 30 working days, or
    does not (不予受理), with the reason, which closes it (实施条例 art. 61)."""
    tender = await _locked(session, tender_id)
    complaint = await session.get(Objection, complaint_id)
    if complaint is None or complaint.tender_id != tender_id or complaint.kind != "complaint":
        raise NotFound(f"complaint {complaint_id} not found", zh="未找到该投诉")
    if complaint.status != ObjectionStatus.open or complaint.accepted_at is not None:
        raise Conflict("its acceptance is decided already", zh="已决定是否受理")
    if not reason.strip() and not accept:
        raise InvalidRequest([FieldError("reason", "required", "a complaint not accepted states why")])
    now = clock.now()
    if accept:
        complaint.accepted_at, complaint.overdue_at = now, None
        complaint.due_at = (await periods(session, tz)).end_of(now, states.remedy_periods(tender.project_type).decide)
    else:
        states.move_objection(complaint, ObjectionStatus.answered)
        complaint.answered_at, complaint.answered_by = now, actor.username
        complaint.outcome, complaint.answer = Outcome.not_accepted, reason.strip()
    payload = {"complaint": str(complaint_id), "accepted": accept, "reason": reason.strip() or None}
    await audit.record(session, clock, actor, "award.complaint_acceptance", "tender", tender_id, payload)
    for user_id, _ in await identity.users_of_orgs(session, [complaint.raised_by_uscc]):
        await notify(
            session,
            clock,
            audience_role=Role.bidder,
            kind="complaint_acceptance",
            object_type="tender",
            object_id=tender_id,
            message=("投诉已受理" if accept else f"投诉不予受理：{reason.strip()}"),
            dedupe_key=f"acceptance:{complaint_id}:{user_id}",
            recipient_id=user_id,
        )
    await session.commit()
    return objection_view(complaint)


async def answer(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    objection_id: uuid.UUID,
    outcome: str,
    text: str,
    disqualified_bid: str | None,
    publicity_days: PublicityDays,
    tz: ZoneInfo,
    amendment: int | None = None,
) -> dict[str, Any]:
    """The agency answers an objection; a supervisor decides a complaint. On the candidates,
    upheld: the same committee re-evaluates (the tender goes back to `evaluated`, the committee
    revises its report and the credit check settles the candidates again), or a candidate is
    disqualified (the others are published again; none left fails the tender). On the documents,
    upheld: the amendment that changed them is cited (it moved the deadline as art. 23 requires).
    The answer releases the tender's hold; a decision lifts the complaint's suspension order."""
    tender = await _locked(session, tender_id)
    objection = await session.get(Objection, objection_id)
    if objection is None or objection.tender_id != tender_id:
        raise NotFound(f"objection {objection_id} not found", zh="未找到该异议")
    if objection.kind == "objection":
        _agency_of(actor, tender)
    elif not actor.has_role(Role.supervisor):
        raise Forbidden("the supervisors decide a complaint", zh="投诉由监督部门处理")
    if objection.status != ObjectionStatus.open:
        raise Conflict("answered already", zh="已经答复")
    if objection.kind == "complaint" and objection.accepted_at is None:
        raise Conflict("a complaint is decided once accepted (POST …/acceptance)", zh="投诉须在受理后作出处理决定")
    if outcome == Outcome.not_accepted:
        raise InvalidRequest([FieldError("outcome", "invalid", "not_accepted is an acceptance decision")])
    errors: list[FieldError] = []
    text = _check_text("answer", text, 4000, errors)
    if objection.matter != "candidates":
        return await _answer_other_matter(session, clock, actor, tender, objection, outcome, text, amendment, errors)
    if outcome not in (Outcome.dismissed, Outcome.reevaluation, Outcome.disqualification):
        errors.append(FieldError("outcome", "invalid", "dismissed, reevaluation or disqualification"))
    award_file = await session.get(AwardFile, tender_id)
    candidates = [c["bid"] for c in award_file.candidates] if award_file else []
    if outcome == Outcome.disqualification and disqualified_bid not in candidates:
        errors.append(FieldError("disqualified_bid", "invalid", "one of the candidates: " + ", ".join(candidates)))
    if errors:
        raise InvalidRequest(errors)
    if outcome != Outcome.dismissed and tender.status != TenderStatus.publicity:
        raise Conflict(
            f"the tender is {tender.status}: an upheld {objection.kind} changes the candidates during publicity only",
            zh="只有在公示期内，成立的异议才能改变中标候选人",
        )
    now = clock.now()
    states.move_objection(objection, ObjectionStatus.answered)
    objection.answered_at, objection.answered_by, objection.outcome, objection.answer = (
        now,
        actor.username,
        outcome,
        text,
    )
    if outcome == Outcome.reevaluation:
        tender_states.move(tender, TenderStatus.evaluated)
    elif outcome == Outcome.disqualification and award_file is not None:
        objection.disqualified_bid = disqualified_bid
        award_file.candidates = [c for c in award_file.candidates if c["bid"] != disqualified_bid]
        award_file.disqualified = [*award_file.disqualified, {"bid": disqualified_bid, "objection": str(objection.id)}]
        if award_file.candidates:
            award_file.publicity_round += 1  # the changed list is published again, for a full period
            publicity = states.publicity_rule(publicity_days(tender.project_type))
            award_file.publicity_started_at = now
            award_file.publicity_ends_at = (await periods(session, tz)).end_of(now, publicity)
        else:
            tender_states.move(tender, TenderStatus.failed)
            await _tell_supervisors(
                session,
                clock,
                tender,
                "award_failed",
                f"候选人均被取消资格，项目失败：{tender.project_name}",
                f"award-failed:{tender.id}",
            )
    await audit.record(
        session,
        clock,
        actor,
        f"award.{objection.kind}_answer",
        "tender",
        tender_id,
        {"objection": str(objection.id), "outcome": outcome, "disqualified_bid": objection.disqualified_bid},
    )
    await _tell_objector(session, clock, tender, objection, outcome)
    _release_suspension(tender, objection, now)
    await session.commit()
    return objection_view(objection)


def _release_suspension(tender: Tender, objection: Objection, now: datetime) -> None:
    """A decided complaint's suspension order lapses with it."""
    if objection.suspended_at is not None and objection.suspension_lifted_at is None:
        objection.suspension_lifted_at = now
        _release(tender, objection.id)


OTHER_OUTCOMES = {
    "documents": (Outcome.dismissed, Outcome.amended),
    "opening": (Outcome.dismissed, Outcome.upheld),
    "evaluation": (Outcome.dismissed, Outcome.upheld),  # GP: a 质疑 on the evaluation stage
    "other": (Outcome.dismissed, Outcome.upheld),
    # GP: a 质疑 on the result upheld — the answer orders what follows: another supplier confirmed from
    # the qualified candidates, or the procurement run again (94号令 art. 16)
    "result": (Outcome.dismissed, Outcome.upheld),
}


async def _answer_other_matter(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender: Tender,
    objection: Objection,
    outcome: str,
    text: str,
    amendment: int | None,
    errors: list[FieldError],
) -> dict[str, Any]:
    """An objection or complaint on the documents, the opening or another matter: dismissed, or
    upheld — on the documents by the amendment that changed them; otherwise the decision's text
    orders what follows, and the supervisors see to it."""
    allowed = OTHER_OUTCOMES[objection.matter]
    if outcome not in allowed:
        errors.append(FieldError("outcome", "invalid", f"on the {objection.matter}: " + " or ".join(allowed)))
    if outcome == Outcome.amended:
        found = (
            await session.scalar(
                select(TenderAmendment.number).where(
                    TenderAmendment.tender_id == tender.id,
                    TenderAmendment.number == amendment,
                    TenderAmendment.issued_at >= objection.raised_at,
                )
            )
            if amendment is not None
            else None
        )
        if found is None:
            errors.append(
                FieldError(
                    "amendment",
                    "unknown",
                    "the number of the amendment issued after the objection that changed the documents",
                )
            )
    if errors:
        raise InvalidRequest(errors)
    now = clock.now()
    states.move_objection(objection, ObjectionStatus.answered)
    objection.answered_at, objection.answered_by, objection.outcome, objection.answer = (
        now,
        actor.username,
        outcome,
        text,
    )
    objection.amendment_number = amendment if outcome == Outcome.amended else None
    if objection.matter == "documents" and objection.kind == "objection":
        _release(tender, objection.id)
    if objection.matter == "result" and outcome == Outcome.upheld:
        await _void_result(session, clock, actor, tender, objection)
    _release_suspension(tender, objection, now)
    payload = {
        "objection": str(objection.id),
        "matter": objection.matter,
        "outcome": outcome,
        "amendment": objection.amendment_number,
    }
    await audit.record(session, clock, actor, f"award.{objection.kind}_answer", "tender", tender.id, payload)
    await _tell_objector(session, clock, tender, objection, outcome)
    await session.commit()
    return objection_view(objection)


async def _void_result(session: AsyncSession, clock: Clock, actor: Actor, tender: Tender, objection: Objection) -> None:
    """A 质疑 or 投诉 on the GP result upheld before the contract voids the award (94号令 arts. 16,
    32): the purchaser then confirms another of the remaining candidates — a new result notice — or
    procures again (`POST …/award/decision`, `retender`). After the contract it is the finance
    department's decision on the contract, not the platform's (409 before anything is written)."""
    if await award_in(session, tender.id, AwardStatus.contracted) is not None:
        raise Conflict(
            "the contract is signed: an upheld 质疑 no longer voids the result; the finance department "
            "decides on the contract (94号令 art. 32)",
            zh="政府采购合同已经签订，质疑成立不再认定中标结果无效，由财政部门依法处理（94号令第三十二条）",
        )
    award = await award_in(session, tender.id, AwardStatus.notified)
    if award is None:
        return
    states.move_award(award, AwardStatus.voided)
    award.declined_at, award.declined_by = clock.now(), actor.username
    award.decline_reason = f"result_voided: {objection.kind} {objection.id} upheld"
    award_file = await session.get(AwardFile, tender.id)
    if award_file is not None:
        award_file.result_published_at = None  # the next confirmation publishes the result again
    payload = {"award": str(award.id), "objection": str(objection.id)}
    await audit.record(session, clock, actor, "award.voided", "tender", tender.id, payload)
    await _tell_supervisors(
        session,
        clock,
        tender,
        "result_voided",
        f"质疑/投诉成立，中标结果无效：{tender.project_name}（{award.bidder}）",
        f"voided:{award.id}",
    )


async def _tell_objector(
    session: AsyncSession, clock: Clock, tender: Tender, objection: Objection, outcome: str
) -> None:
    """The objector is told of the answer; under government procurement a 质疑's answer goes to the
    other suppliers concerned too (94号令 art. 13): the holders of the documents for a 质疑 on
    them, the suppliers of the tender otherwise."""
    for user_id, _ in await identity.users_of_orgs(session, [objection.raised_by_uscc]):
        await notify(
            session,
            clock,
            audience_role=Role.bidder,
            kind=f"{objection.kind}_answer",
            object_type="tender",
            object_id=tender.id,
            message=f"异议/投诉已答复（{outcome}）：{tender.project_name}",
            dedupe_key=f"answer:{objection.id}:{user_id}",
            recipient_id=user_id,
        )
    if objection.kind != "objection" or regime_of(tender.project_type) != Regime.government_procurement:
        return
    concerned = (
        await tender_holders(session, tender.id)
        if objection.matter == "documents"
        else await _bidders(session, tender.id)
    )
    others = sorted(set(concerned) - {objection.raised_by_uscc})
    message = f"质疑答复（{outcome}）：{tender.project_name}：{objection.answer or ''}"[:1000]
    await notify_many(
        session,
        clock,
        [
            Notice(Role.bidder, "question_answer_notice", "tender", tender.id, message, f"told:{objection.id}:{u}", u)
            for u, _ in await identity.users_of_orgs(session, others)
        ],
    )


async def overdue_objections(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(Objection.id).where(
            Objection.status == ObjectionStatus.open, Objection.due_at <= now, Objection.overdue_at.is_(None)
        )
    )
    return list(rows)


async def flag_overdue_objection(session: AsyncSession, objection_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
    objection = await session.scalar(select(Objection).where(Objection.id == objection_id).with_for_update())
    now = clock.now()
    if objection is None or objection.status != ObjectionStatus.open or objection.overdue_at or objection.due_at > now:
        return False
    objection.overdue_at = now
    tender = await tender_or_404(session, objection.tender_id)
    await audit.record(
        session, clock, actor, f"award.{objection.kind}_overdue", "tender", tender.id, {"objection": str(objection.id)}
    )
    await _tell_supervisors(
        session,
        clock,
        tender,
        f"{objection.kind}_overdue",
        f"{'异议' if objection.kind == 'objection' else '投诉'}逾期未答复：{tender.project_name}",
        f"overdue:{objection.id}",
    )
    await session.commit()
    return True


async def complain_directly(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    matter: str,
    known_on: date | None,
    grounds: str,
    attachments: Sequence[uuid.UUID],
    tz: ZoneInfo,
) -> dict[str, Any]:
    """A complaint with no objection before it (实施条例 art. 60): on a matter other than the
    documents, the opening and the candidates, within 10 days of the day the complainant knew
    (`known_on`); or on the opening, after the objection the tenderee answered on the spot, within
    10 days of that answer."""
    tender = await _locked(session, tender_id)
    now = clock.now()
    counted = await periods(session, tz)
    errors: list[FieldError] = []
    _check_text("grounds", grounds, 4000, errors)
    errors += await _own_documents(session, actor, tender_id, attachments, "attachments")
    if regime_of(tender.project_type) == Regime.government_procurement:
        errors.append(
            FieldError(
                "matter",
                "objection_first",
                "government procurement takes a complaint only after a 质疑 (政府采购法 art. 55; 94号令 art. 19): "
                "POST …/award/objections/{id}/complaint",
            )
        )
    elif matter in ("documents", "candidates"):
        errors.append(
            FieldError(
                "matter",
                "objection_first",
                "a complaint on the documents or the candidates follows an objection (实施条例 art. 60 ¶2): "
                "POST …/award/objections/{id}/complaint",
            )
        )
    elif matter == "opening":
        response = await session.scalar(
            select(RecordResponse).where(
                RecordResponse.tender_id == tender_id, RecordResponse.bidder_uscc == actor.org_uscc
            )
        )
        if response is None or response.response != "objected" or response.answered_at is None:
            errors.append(
                FieldError(
                    "matter",
                    "objection_first",
                    "a complaint on the opening follows an objection there, answered on the spot (实施条例 art. 44)",
                )
            )
        else:
            known_on = counted.today(response.answered_at)
    elif known_on is None:
        errors.append(FieldError("known_on", "required", "the day the complainant knew of the matter"))
    if known_on is not None and known_on > counted.today(now):
        errors.append(FieldError("known_on", "future", "the day the complainant knew is not after today"))
    if errors or known_on is None:
        raise InvalidRequest(errors)
    complain_by = counted.end_of(start_of_day(known_on, tz), states.COMPLAIN_WITHIN)
    if now >= complain_by:
        raise Conflict(
            f"a complaint is made within 10 days of knowing ({known_on}): the period ended {_local(complain_by, tz)}",
            zh=f"投诉应在知道之日（{known_on}）起10日内提出，期限已于 {_local(complain_by, tz)} 届满",
            slug="period-ended",
        )
    return await _complain(
        session, clock, actor, tender, None, grounds, attachments, tz, matter=matter, known_on=known_on
    )


async def _open_complaint(session: AsyncSession, tender_id: uuid.UUID, complaint_id: uuid.UUID) -> Objection:
    complaint = await session.scalar(select(Objection).where(Objection.id == complaint_id).with_for_update())
    if complaint is None or complaint.tender_id != tender_id or complaint.kind != "complaint":
        raise NotFound(f"complaint {complaint_id} not found", zh="未找到该投诉")
    if complaint.status != ObjectionStatus.open:
        raise Conflict("the complaint is decided already", zh="该投诉已作出处理决定")
    return complaint


async def exclude_time(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    complaint_id: uuid.UUID,
    kind: str,
    start: date,
    end: date,
    reason: str,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """Record time excluded from the complaint's 30 working days (实施条例 art. 61 ¶3: 需要检验、
    检测、鉴定、专家评审的，所需时间不计算在内): the working days from `start` to `end`, both counted,
    are added to its decision period."""
    tender = await _locked(session, tender_id)
    complaint = await _open_complaint(session, tender_id, complaint_id)
    counted = await periods(session, tz)
    errors: list[FieldError] = []
    reason = _check_text("reason", reason, 2000, errors)
    if complaint.accepted_at is None:
        raise Conflict(
            "time is excluded from an accepted complaint's decision period", zh="只有已受理的投诉才能扣除期间"
        )
    if start < counted.today(complaint.accepted_at):
        errors.append(FieldError("from", "before_acceptance", "not before the complaint was accepted"))
    if end < start:
        errors.append(FieldError("to", "before_from", "on or after `from`"))
    elif (end - start).days > 365:
        errors.append(FieldError("to", "too_long", "at most a year at a time"))
    if errors:
        raise InvalidRequest(errors)
    working = sum(counted.calendar.day(start + timedelta(days=n)).working for n in range((end - start).days + 1))
    excluded = [
        *(complaint.excluded or []),
        {
            "kind": kind,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "working_days": working,
            "reason": reason,
            "by": actor.username,
            "at": clock.now().isoformat(),
        },
    ]
    complaint.excluded = excluded
    total = sum(e["working_days"] for e in excluded)
    rule = states.remedy_periods(tender.project_type).decide
    complaint.due_at = counted.ends_at(complaint.accepted_at, rule.days + total, working=True)
    complaint.overdue_at = None
    payload = {
        "complaint": str(complaint_id),
        "kind": kind,
        "working_days": working,
        "due_at": complaint.due_at.isoformat(),
    }
    await audit.record(session, clock, actor, "award.complaint_excluded_time", "tender", tender_id, payload)
    await session.commit()
    return objection_view(complaint)


async def order_suspension(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    complaint_id: uuid.UUID,
    suspend: bool,
    reason: str,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """A supervisor handling a complaint orders the tendering activity suspended (实施条例 art. 62
    ¶2: 必要时，行政监督部门可以责令暂停招标投标活动), or lifts the order; the tender is held
    meanwhile. A decision of the complaint lifts it too; under government procurement it lapses
    30 days after the first order (政府采购法 art. 57; `suspension_lapsed`)."""
    tender = await _locked(session, tender_id)
    complaint = await _open_complaint(session, tender_id, complaint_id)
    errors: list[FieldError] = []
    reason = _check_text("reason", reason, 2000, errors)
    if errors:
        raise InvalidRequest(errors)
    standing = complaint.suspended_at is not None and complaint.suspension_lifted_at is None
    if suspend == standing:
        raise Conflict(
            "the suspension order stands already" if suspend else "no suspension order stands",
            zh="暂停令已经下达" if suspend else "没有生效的暂停令",
        )
    now = clock.now()
    if suspend and regime_of(tender.project_type) == Regime.government_procurement:
        # 政府采购法 art. 57: 30 days at most, counted from the first order (a lifted order's days count)
        ends = complaint.suspension_ends_at or now + timedelta(days=states.GP_SUSPENSION_DAYS)
        if now >= ends:
            raise Conflict(
                f"the procurement is suspended for 30 days at most (政府采购法 art. 57): they ended {_local(ends, tz)}",
                zh=f"暂停采购活动最长不得超过三十日（政府采购法第五十七条），已于 {_local(ends, tz)} 届满",
                slug="period-ended",
            )
        complaint.suspension_ends_at = ends
    if suspend:
        complaint.suspended_at, complaint.suspension_reason, complaint.suspension_lifted_at = now, reason, None
        _hold(tender, "suspension_order", complaint.id, now)
        message = f"行政监督部门责令暂停招标投标活动：{tender.project_name}（{reason}）"
    else:
        complaint.suspension_lifted_at = now
        _release(tender, complaint.id)
        message = f"暂停令已解除，招标投标活动恢复：{tender.project_name}（{reason}）"
    payload = {"complaint": str(complaint_id), "suspend": suspend, "reason": reason}
    await audit.record(session, clock, actor, "award.suspension_order", "tender", tender_id, payload)
    await _tell_parties(
        session, clock, tender, "suspension_order", message, f"suspension:{complaint_id}:{suspend}:{now.isoformat()}"
    )
    await session.commit()
    return objection_view(complaint)


async def lapsed_suspensions(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """GP complaints whose suspension order's 30 days have ended."""
    rows = await session.scalars(
        select(Objection.id).where(
            Objection.suspension_ends_at <= now,
            Objection.suspended_at.is_not(None),
            Objection.suspension_lifted_at.is_(None),
        )
    )
    return list(rows)


async def lift_lapsed_suspension(session: AsyncSession, complaint_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
    """The 30 days of a GP suspension order have ended (政府采购法 art. 57): the order lapses, the
    procurement resumes, the parties are told."""
    tender_id = await session.scalar(select(Objection.tender_id).where(Objection.id == complaint_id))
    if tender_id is None:
        return False
    tender = await _locked(session, tender_id)  # the tender first, as a supervisor's order locks them
    complaint = await session.scalar(select(Objection).where(Objection.id == complaint_id).with_for_update())
    if (
        complaint is None
        or complaint.suspension_ends_at is None
        or complaint.suspension_lifted_at is not None
        or complaint.suspension_ends_at > clock.now()
    ):
        await session.commit()
        return False
    complaint.suspension_lifted_at = complaint.suspension_ends_at
    _release(tender, complaint.id)
    await audit.record(
        session, clock, actor, "award.suspension_lapsed", "tender", tender.id, {"complaint": str(complaint.id)}
    )
    message = f"暂停采购活动已满三十日，采购活动恢复：{tender.project_name}"
    await _tell_parties(session, clock, tender, "suspension_lapsed", message, f"lapsed:{complaint.id}")
    await session.commit()
    return True


async def _tell_parties(session: AsyncSession, clock: Clock, tender: Tender, kind: str, message: str, key: str) -> None:
    """The agency and every bidder of the tender."""
    users = await identity.users_of_orgs(session, [tender.agency_uscc, *await _bidders(session, tender.id)])
    notices = [
        Notice(
            Role.agency if uscc == tender.agency_uscc else Role.bidder,
            kind,
            "tender",
            tender.id,
            message,
            f"{key}:{u}",
            u,
        )
        for u, uscc in users
    ]
    await notify_many(session, clock, notices)


async def published_decisions(session: AsyncSession, tz: ZoneInfo, limit: int = 100) -> list[dict[str, Any]]:
    """The supervisors' complaint decisions, newest first, as published (实施条例 art. 78): the
    project, the complainant, the matter, the outcome and its reasons, when."""
    rows = await session.execute(
        select(Objection, Tender.project_name, Tender.project_code, Organization.name)
        .join(Tender, Tender.id == Objection.tender_id)
        .outerjoin(Organization, Organization.uscc == Objection.raised_by_uscc)
        .where(Objection.kind == "complaint", Objection.status == ObjectionStatus.answered)
        .order_by(Objection.answered_at.desc())
        .limit(limit)
    )
    return [
        {
            "tender": str(c.tender_id),
            "project_name": name,
            "project_code": code,
            "complainant": org or c.raised_by_uscc,
            "matter": c.matter,
            "outcome": c.outcome,
            "decision": c.answer,
            "decided_at": _local(c.answered_at, tz) if c.answered_at else None,
        }
        for c, name, code, org in rows.all()
    ]
