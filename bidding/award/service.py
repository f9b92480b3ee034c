"""From the candidate winners to the contract (implementing regulations arts. 54, 55, 57;
Tendering Law art. 46): the candidates the credit check settled are published for at least 3
days (公示) within 3 days of the report; bidders object (异议) during publicity and the tenderee
answers within 3 days, the award waiting while any objection or complaint is open; after the
publicity the tenderee, through its agency, decides the winner (中标通知, Law art. 40) — the
first candidate of a state-funded project, a reason recorded for any other choice — or a
re-tender, and decides again when the winner declines or fails to sign (Regs art. 55); the
scheduler only reminds. The agency records the signed contract within 30 days and the bid-bond
refund is due 5 days later. The agency terminates a tender (实施条例 art. 31): announced, the
holders and bidders told. The tender's status changes
only through `bidding.tender.states.move`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.blobs import StoredBlob
from app.core.calendar.rules import start_of_day
from app.core.calendar.service import periods
from app.core.clock import Clock
from app.core.notifications import Notice, notify_many, tell_supervisors
from app.core.problems import Conflict, Forbidden, InvalidRequest, NotFound
from app.core.validation import FieldError
from app.identity import service as identity
from bidding.award import states, validity
from bidding.award.models import Award, AwardDocument, AwardFile, Cancellation, Objection
from bidding.award.states import AwardStatus, CancellationStatus, ObjectionStatus
from bidding.bids.models import Bid
from bidding.opening.models import BidOpening
from bidding.tender import holds
from bidding.tender import states as tender_states
from bidding.tender.models import Tender
from bidding.tender.queries import tender_holders, tender_or_404, visible_tender
from bidding.tender.regime import Regime, regime_of
from bidding.tender.states import TenderStatus

# Who sits on the committee, by name (the experts domain answers; wired in app/wiring.py).
CommitteeNames = Callable[[AsyncSession, uuid.UUID], Awaitable[list[str]]]
PublicityDays = Callable[[str], int]  # calendar days of publicity for a project type


async def _locked(session: AsyncSession, tender_id: uuid.UUID) -> Tender:
    tender = await session.scalar(select(Tender).where(Tender.id == tender_id).with_for_update())
    if tender is None:
        raise NotFound(f"tender {tender_id} not found")
    return tender


def _not_held(tender: Tender) -> None:
    """The tenderee's award steps wait while the tender is held (bidding.tender.holds)."""
    if tender.holds:
        raise Conflict(f"the tender is held: {holds.reason(tender.holds)}", slug="tender-held")


def _agency_of(actor: Actor, tender: Tender) -> None:
    if not (actor.has_role(Role.agency) and actor.org_uscc == tender.agency_uscc):
        raise Forbidden("only the tender's agency does this")  # every published tender is public


async def _bidders(session: AsyncSession, tender_id: uuid.UUID) -> list[str]:
    return list(
        await session.scalars(
            select(Bid.bidder_uscc).where(Bid.tender_id == tender_id, Bid.status == "submitted").distinct()
        )
    )


async def _tell_supervisors(
    session: AsyncSession, clock: Clock, tender: Tender, kind: str, message: str, key: str
) -> None:
    await tell_supervisors(session, clock, kind, "tender", tender.id, message, key)


# --- the candidates and their publicity ------------------------------------------------------


async def candidates_settled(
    session: AsyncSession, clock: Clock, tz: ZoneInfo, tender_id: uuid.UUID, candidates: list[dict[str, Any]]
) -> None:
    """The credit check settled the candidates (in its transaction): under the Tendering Law they
    are to be published within 3 days; under government procurement there is no publicity, and the
    purchaser confirms the winner within 5 working days (政府采购法实施条例 art. 43)."""
    now = clock.now()
    counted = await periods(session, tz)
    publish_by = counted.end_of(now, states.PUBLISH_WITHIN)
    tender = await session.get(Tender, tender_id)
    gp = tender is not None and regime_of(tender.project_type) == Regime.government_procurement
    confirm_by = counted.end_of(now, states.GP_CONFIRM_WITHIN) if gp else None
    found = await session.get(AwardFile, tender_id)
    if found is None:
        session.add(
            AwardFile(
                tender_id=tender_id,
                candidates=candidates,
                disqualified=[],
                settled_at=now,
                publish_by=publish_by,
                publicity_round=0,
                confirm_by=confirm_by,
            )
        )
    else:
        found.candidates, found.settled_at, found.publish_by = candidates, now, publish_by
        found.confirm_by = confirm_by


async def publish(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    committee_names: CommitteeNames,
    publicity_days: PublicityDays,
    tz: ZoneInfo,
    tender_id: uuid.UUID,
) -> dict[str, Any]:
    """Publish the candidates with their ranks, prices and scores; the committee's names are kept
    with them, shown from the award notice on (Tendering Law art. 37 ¶5)."""
    tender = await _locked(session, tender_id)
    if not actor.username.startswith("system:"):
        _agency_of(actor, tender)
    _not_held(tender)
    if regime_of(tender.project_type) == Regime.government_procurement:
        raise Conflict(
            "government procurement publishes no candidates: the purchaser confirms the winner within 5 working "
            "days of the report and the result is published (政府采购法实施条例 art. 43)",
            zh="政府采购不公示中标候选人：采购人应在收到评审报告后5个工作日内确定中标人，并公告中标结果",
            slug="no-publicity",
        )
    if tender.status != TenderStatus.candidates:
        raise Conflict(f"the tender is {tender.status}: candidates are published once checked")
    award_file = await session.get(AwardFile, tender_id)
    if award_file is None:
        raise Conflict("the tender's candidates have not been checked yet")
    now = clock.now()
    tender_states.move(tender, TenderStatus.publicity)
    award_file.publicity_round += 1
    award_file.publicity_started_at = now
    publicity = states.publicity_rule(publicity_days(tender.project_type))
    award_file.publicity_ends_at = (await periods(session, tz)).end_of(now, publicity)
    award_file.committee = await committee_names(session, tender_id)
    await audit.record(
        session,
        clock,
        actor,
        "award.publicity",
        "tender",
        tender_id,
        {
            "round": award_file.publicity_round,
            "ends_at": award_file.publicity_ends_at.isoformat(),
            "candidates": [c["bid"] for c in award_file.candidates],
        },
    )
    users = await identity.users_of_orgs(session, await _bidders(session, tender_id))
    await notify_many(
        session,
        clock,
        [
            Notice(
                Role.bidder,
                "publicity",
                "tender",
                tender_id,
                f"中标候选人公示：{tender.project_name}，至 {_local(award_file.publicity_ends_at, tz)}",
                f"publicity:{tender_id}:{award_file.publicity_round}:{user_id}",
                user_id,
            )
            for user_id, _ in users
        ],
    )
    await session.commit()
    return await view(session, actor, tender_id)


async def publicity_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Tenders whose candidates must be published now (3 days after the report at the latest)."""
    rows = await session.scalars(
        select(Tender.id)
        .join(AwardFile, AwardFile.tender_id == Tender.id)
        .where(Tender.status == TenderStatus.candidates, AwardFile.publish_by <= now, Tender.held_since.is_(None))
        .where(AwardFile.confirm_by.is_(None))  # government procurement has no publicity
    )
    return list(rows)


async def confirmation_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Government procurement: tenders whose purchaser let its 5 working days pass unconfirmed."""
    rows = await session.scalars(
        select(Tender.id)
        .join(AwardFile, AwardFile.tender_id == Tender.id)
        .where(Tender.status == TenderStatus.candidates, AwardFile.confirm_by <= now, Tender.held_since.is_(None))
    )
    return list(rows)


DEEMED = "逾期未确定且未说明合法理由，视同确定排名第一的中标候选人为中标人（财政部令第87号第六十八条）"


async def deem_confirmed(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    committee_names: CommitteeNames,
    tz: ZoneInfo,
    tender_id: uuid.UUID,
) -> bool:
    """The sweep's step (87号令 art. 68): a purchaser that did not confirm within 5 working days,
    and gave no lawful reason, is deemed to have confirmed the first valid candidate; the award
    notice and the result notice follow as for a confirmation."""
    tender = await _locked(session, tender_id)
    award_file = await session.get(AwardFile, tender_id)
    now = clock.now()
    if (
        tender.status != TenderStatus.candidates
        or tender.held_since is not None
        or award_file is None
        or award_file.confirm_by is None
        or award_file.confirm_by > now
        or await session.scalar(select(_open_objection(tender_id)))
    ):
        return False
    valid = [c for c, until in await _remaining(session, tz, tender, award_file) if until is None or until > now]
    if not valid:
        return False
    await _issue_award(session, clock, actor, tz, tender, award_file, valid[0], DEEMED)
    await _publish_result(session, clock, actor, committee_names, tender, award_file)
    await session.commit()
    return True


async def _publish_result(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    committee_names: CommitteeNames,
    tender: Tender,
    award_file: AwardFile,
) -> None:
    """Government procurement: the result notice (中标结果公告) on the confirmation, with the
    committee's names (政府采购法实施条例 art. 43; 87号令 art. 69), within its 2 working days."""
    award_file.committee = await committee_names(session, tender.id)
    award_file.result_published_at = clock.now()
    await audit.record(
        session, clock, actor, "award.result_notice", "tender", tender.id, {"committee": award_file.committee}
    )


def _open_objection(tender_id: Any) -> Any:
    return exists().where(Objection.tender_id == tender_id, Objection.status == ObjectionStatus.open)


async def decision_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Tenders whose publicity has ended with no objection or complaint open and whose agency has
    not been reminded to decide the winner."""
    rows = await session.scalars(
        select(Tender.id)
        .join(AwardFile, AwardFile.tender_id == Tender.id)
        .where(
            Tender.status == TenderStatus.publicity,
            AwardFile.publicity_ends_at <= now,
            AwardFile.decision_reminded_at.is_(None),
            ~_open_objection(Tender.id),
        )
    )
    return list(rows)


async def remind_decision(session: AsyncSession, tender_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
    """The sweep's step: the publicity is over and nothing is open: remind the tenderee's agency,
    once, that it decides the winner (招标投标法 art. 40); the platform awards no one by itself."""
    tender = await _locked(session, tender_id)
    award_file = await session.get(AwardFile, tender_id)
    now = clock.now()
    if (
        tender.status != TenderStatus.publicity
        or award_file is None
        or award_file.decision_reminded_at is not None
        or award_file.publicity_ends_at is None
        or award_file.publicity_ends_at > now
        or await session.scalar(select(_open_objection(tender_id)))
    ):
        return False
    award_file.decision_reminded_at = now
    await audit.record(session, clock, actor, "award.decision_reminder", "tender", tender_id, {})
    await _tell_agency(
        session, clock, tender, "award_decision_due", f"公示期满，无未决异议，请确定中标人：{tender.project_name}"
    )
    await session.commit()
    return True


async def _tell_agency(session: AsyncSession, clock: Clock, tender: Tender, kind: str, message: str) -> None:
    await notify_many(
        session,
        clock,
        [
            Notice(
                Role.agency, kind, "tender", tender.id, message, f"{kind}:{tender.id}:{clock.now().isoformat()}:{u}", u
            )
            for u, _ in await identity.users_of_orgs(session, [tender.agency_uscc])
        ],
    )


async def _remaining(
    session: AsyncSession, tz: ZoneInfo, tender: Tender, award_file: AwardFile
) -> list[tuple[dict[str, Any], datetime | None]]:
    """The candidates in rank order not yet awarded, each with the end of its bid's validity."""
    tried = set(await session.scalars(select(Award.bid_id).where(Award.tender_id == tender.id)))
    left = [c for c in award_file.candidates if str(c["bid"]) not in tried]
    ends = await validity.valid_until_of(session, await periods(session, tz), tender, [str(c["uscc"]) for c in left])
    return [(c, ends[str(c["uscc"])]) for c in left]


async def _deciding(session: AsyncSession, clock: Clock, tender: Tender) -> AwardFile:
    """The award file of a tender waiting for its tenderee's decision, or 409 saying why not."""
    award_file = await session.get(AwardFile, tender.id)
    now = clock.now()
    if tender.status == TenderStatus.candidates and award_file is not None and award_file.confirm_by is not None:
        if await session.scalar(select(_open_objection(tender.id))):
            raise Conflict("a 质疑 or complaint is open: the confirmation waits for its answer")
    elif tender.status == TenderStatus.publicity:
        if award_file is None or award_file.publicity_ends_at is None or award_file.publicity_ends_at > now:
            raise Conflict("the winner is decided after the publicity of the candidates ends (实施条例 art. 54)")
        if await session.scalar(select(_open_objection(tender.id))):
            raise Conflict("an objection or complaint is open: the award waits for its answer")
    elif tender.status != TenderStatus.awarded or await session.scalar(
        select(Award.id).where(
            Award.tender_id == tender.id, Award.status.in_([AwardStatus.notified, AwardStatus.contracted])
        )
    ):
        raise Conflict(f"the tender is {tender.status}: no award decision is pending")
    assert award_file is not None
    return award_file


async def decide(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    *,
    bid: str | None,
    retender: bool,
    reason: str,
    tz: ZoneInfo,
    committee_names: CommitteeNames,
) -> dict[str, Any]:
    """The tenderee, through its agency, decides (招标投标法 art. 40; 实施条例 art. 55): the winner
    among the remaining candidates — the first in rank order for a state-funded project, any of
    them otherwise, a reason recorded when it is not the first — or a re-tender, with its reason.
    The award notice and the result notices are issued by this action. Under government
    procurement the purchaser confirms from the candidates in order (a reason to pass the first),
    with no publicity before, and the result notice names the committee."""
    tender = await _locked(session, tender_id)
    _agency_of(actor, tender)
    _not_held(tender)
    award_file = await _deciding(session, clock, tender)
    remaining = await _remaining(session, tz, tender, award_file)
    now = clock.now()
    valid = [c for c, until in remaining if until is None or until > now]
    reason = reason.strip()
    errors: list[FieldError] = []
    if len(reason) > 2000:
        errors.append(FieldError("reason", "too_long", "at most 2000 characters"))
    if retender:
        if bid is not None:
            errors.append(FieldError("bid", "with_retender", "either a winner or a re-tender"))
        if not reason:
            errors.append(FieldError("reason", "required", "a re-tender states its reason"))
        if errors:
            raise InvalidRequest(errors)
        tender_states.move(tender, TenderStatus.failed)
        award_file.retender_reason = reason
        await audit.record(session, clock, actor, "award.retender", "tender", tender_id, {"reason": reason})
        await _tell_supervisors(
            session,
            clock,
            tender,
            "award_retender",
            f"招标人决定重新招标：{tender.project_name}（{reason}）",
            f"retender:{tender_id}",
        )
        await _tell_bidders(session, clock, tender, "retender", f"招标人决定重新招标：{tender.project_name}")
        await session.commit()
        return await view(session, actor, tender_id)
    chosen = next((c for c, _ in remaining if str(c["bid"]) == bid), None)
    if chosen is None:
        names = ", ".join(str(c["bid"]) for c in valid) or "none: decide to re-tender"
        errors.append(FieldError("bid", "not_a_candidate", f"one of the remaining candidates: {names}"))
    elif chosen not in valid:
        errors.append(
            FieldError("bid", "validity_lapsed", "this candidate's bid is no longer valid (实施条例 art. 25)")
        )
    elif tender.state_funded and chosen is not valid[0] and award_file.confirm_by is None:  # GP: a reason will do
        message = f"a state-funded project takes the candidates in rank order (实施条例 art. 55): {valid[0]['bid']}"
        errors.append(FieldError("bid", "rank_order", message))
    elif chosen is not valid[0] and not reason:
        errors.append(FieldError("reason", "required", "say why the first remaining candidate is not chosen"))
    if errors:
        raise InvalidRequest(errors)
    assert chosen is not None
    await _issue_award(session, clock, actor, tz, tender, award_file, chosen, reason or None)
    if award_file.confirm_by is not None and award_file.result_published_at is None:
        await _publish_result(session, clock, actor, committee_names, tender, award_file)
    await session.commit()
    return await view(session, actor, tender_id)


async def _tell_bidders(session: AsyncSession, clock: Clock, tender: Tender, kind: str, message: str) -> None:
    users = await identity.users_of_orgs(session, await _bidders(session, tender.id))
    await notify_many(
        session,
        clock,
        [Notice(Role.bidder, kind, "tender", tender.id, message, f"{kind}:{tender.id}:{u}", u) for u, _ in users],
    )


async def _issue_award(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tz: ZoneInfo,
    tender: Tender,
    award_file: AwardFile,
    chosen: dict[str, Any],
    reason: str | None,
) -> None:
    """The award notice to the chosen candidate and the result to every other bidder."""
    if tender.status in (TenderStatus.publicity, TenderStatus.candidates):
        tender_states.move(tender, TenderStatus.awarded)
    now = clock.now()
    award = Award(
        id=uuid.uuid4(),
        tender_id=tender.id,
        bid_id=str(chosen["bid"]),
        bidder_uscc=str(chosen["uscc"]),
        bidder=str(chosen.get("bidder") or chosen["uscc"]),
        candidate_rank=award_file.candidates.index(chosen) + 1,
        price=Decimal(str(chosen["price"])),
        status=AwardStatus.notified,
        awarded_at=now,
        sign_by=(await periods(session, tz)).end_of(now, states.SIGN_WITHIN),
        decision_reason=reason,
        decided_by=actor.username,
    )
    session.add(award)
    await audit.record(
        session,
        clock,
        actor,
        "award.notice",
        "tender",
        tender.id,
        {
            "award": str(award.id),
            "bid": award.bid_id,
            "bidder": award.bidder_uscc,
            "rank": award.candidate_rank,
            "reason": reason,
        },
    )
    bidders = await _bidders(session, tender.id)
    notices = [
        Notice(
            Role.bidder,
            "award_notice" if uscc == award.bidder_uscc else "result_notice",
            "tender",
            tender.id,
            f"中标通知书：{tender.project_name}，请于 {_local(award.sign_by, tz)} 前签订合同"
            if uscc == award.bidder_uscc
            else f"中标结果通知：{tender.project_name}，中标人 {award.bidder}",
            f"award:{award.id}:{user_id}",
            user_id,
        )
        for user_id, uscc in await identity.users_of_orgs(session, bidders)
    ]
    await notify_many(session, clock, notices)


def _check_text(field: str, value: str, limit: int, errors: list[FieldError]) -> str:
    value = value.strip()
    if not value:
        errors.append(FieldError(field, "required", "required"))
    elif len(value) > limit:
        errors.append(FieldError(field, "too_long", f"at most {limit} characters"))
    return value


async def _own_documents(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID, ids: Sequence[uuid.UUID], field: str
) -> list[FieldError]:
    if not ids:
        return []
    found = set(
        await session.scalars(
            select(AwardDocument.id).where(
                AwardDocument.id.in_(ids),
                AwardDocument.tender_id == tender_id,
                AwardDocument.org_uscc == actor.org_uscc,
            )
        )
    )
    return [
        FieldError(f"{field}[{i}]", "unknown", "not a document you uploaded for this tender")
        for i, d in enumerate(ids)
        if d not in found
    ]


# --- the award, its refusal, the contract and the bid bonds ----------------------------------


async def award_in(session: AsyncSession, tender_id: uuid.UUID, status: AwardStatus) -> Award | None:
    """The tender's award in `status` (notified, or contracted: there is one at most), locked."""
    return await session.scalar(
        select(Award).where(Award.tender_id == tender_id, Award.status == status).with_for_update()
    )


async def _current_award(session: AsyncSession, tender_id: uuid.UUID) -> Award:
    award = await award_in(session, tender_id, AwardStatus.notified)
    if award is None:
        raise Conflict("no award is waiting for its contract")
    return award


async def decline(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    """The winner declines the award, or the agency records that it refused to sign: the
    tenderee's agency then decides the next candidate or a re-tender (art. 55), and the
    supervisors are told of the decliner's breach of its credit commitment."""
    tender = await _locked(session, tender_id)
    award = await _current_award(session, tender_id)
    if actor.org_uscc == award.bidder_uscc and actor.has_role(Role.bidder):
        how = "declined"
    elif actor.org_uscc == tender.agency_uscc and actor.has_role(Role.agency):
        how = "refused_to_sign"
    else:
        raise Forbidden("the winner declines; the agency records a refusal to sign")
    errors: list[FieldError] = []
    reason = _check_text("reason", reason, 2000, errors)
    if errors:
        raise InvalidRequest(errors)
    now = clock.now()
    states.move_award(award, AwardStatus.declined)
    award.declined_at, award.decline_reason, award.declined_by = now, f"{how}: {reason}", actor.username
    await audit.record(
        session,
        clock,
        actor,
        "award.declined",
        "tender",
        tender_id,
        {"award": str(award.id), "how": how, "reason": reason},
    )
    await _tell_supervisors(
        session,
        clock,
        tender,
        "award_declined",
        f"中标人 {award.bidder} 放弃中标或拒签合同（违反信用承诺，可记入平台失信名单）：{tender.project_name}",
        f"award-declined:{award.id}",
    )
    await _tell_agency(
        session,
        clock,
        tender,
        "award_declined",
        f"中标人 {award.bidder} 放弃中标或拒签合同，请确定其他中标候选人或重新招标：{tender.project_name}",
    )
    await session.commit()
    return await view(session, actor, tender_id)


async def add_document(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    filename: str,
    content_type: str,
    blob: StoredBlob,
) -> dict[str, Any]:
    """A document for an objection or complaint (any party: a bidder, a holder of the documents,
    another interested party; each attaches only its own) or the contract (the agency)."""
    tender = await visible_tender(session, actor, tender_id)
    if not actor.org_uscc or (actor.org_uscc != tender.agency_uscc and not actor.has_role(Role.bidder)):
        raise Forbidden("the tender's agency and the parties objecting or complaining upload documents for it")
    document = AwardDocument(
        id=uuid.uuid4(),
        tender_id=tender_id,
        org_uscc=actor.org_uscc or "",
        filename=filename,
        content_type=content_type,
        sha256=blob.sha256,
        size=blob.size,
        uploaded_at=clock.now(),
        uploaded_by=actor.username,
    )
    session.add(document)
    await audit.record(
        session,
        clock,
        actor,
        "award.document",
        "tender",
        tender_id,
        {"document": str(document.id), "sha256": blob.sha256},
    )
    await session.commit()
    return document_view(document)


async def record_contract(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    *,
    document: uuid.UUID,
    amount: Decimal,
    signed_on: date,
    starts_on: date,
    ends_on: date,
    difference_reason: str = "",
    tz: ZoneInfo,
) -> dict[str, Any]:
    """The agency records the signed contract: the tender is contracted and the bid bonds are
    due back within 5 days (art. 57)."""
    tender = await _locked(session, tender_id)
    _agency_of(actor, tender)
    _not_held(tender)
    award = await _current_award(session, tender_id)
    counted = await periods(session, tz)
    today = counted.today(clock.now())
    errors = await _own_documents(session, actor, tender_id, [document], "document")
    if errors:
        errors = [FieldError("document", "unknown", "upload the signed contract first (POST …/award/documents)")]
    if amount <= 0:
        errors.append(FieldError("amount", "invalid", "more than 0"))
    if signed_on > today:
        errors.append(FieldError("signed_on", "invalid", "not in the future"))
    if signed_on < counted.today(award.awarded_at):
        errors.append(FieldError("signed_on", "invalid", "on or after the award notice"))
    if ends_on < starts_on:
        errors.append(FieldError("ends_on", "invalid", "on or after starts_on"))
    declared = await session.scalar(select(BidOpening.declaration).where(BidOpening.bid_id == uuid.UUID(award.bid_id)))
    duration = (declared or {}).get("duration_days")
    differences = [] if errors else states.contract_differences(award.price, duration, amount, starts_on, ends_on)
    if differences and not difference_reason.strip():
        message = "the contract departs from the award: " + "; ".join(differences) + " — state why"
        errors.append(FieldError("difference_reason", "required", message))
    if errors:
        raise InvalidRequest(errors)
    award.contract_differences = differences or None
    award.contract_difference_reason = difference_reason.strip() or None if differences else None
    states.move_award(award, AwardStatus.contracted)
    award.contract_document_id, award.contract_amount = document, amount
    award.contract_signed_on, award.contract_starts_on, award.contract_ends_on = signed_on, starts_on, ends_on
    award.contract_recorded_at = clock.now()
    if regime_of(tender.project_type) == Regime.government_procurement:
        award.contract_publish_by = counted.end_of(signed_on, states.GP_CONTRACT_PUBLISH_WITHIN)
        award.contract_file_by = counted.end_of(signed_on, states.GP_CONTRACT_FILE_WITHIN)
    tender_states.move(tender, TenderStatus.contracted)
    await audit.record(
        session,
        clock,
        actor,
        "award.contract",
        "tender",
        tender_id,
        {
            "award": str(award.id),
            "amount": str(amount),
            "signed_on": signed_on.isoformat(),
            "late": award.late_at is not None,
            # GP: the platform publishes the contract now; late when past its 2 working days
            "published_late": award.contract_publish_by is not None and clock.now() > award.contract_publish_by,
        },
    )
    await session.commit()
    return await view(session, actor, tender_id)


async def record_contract_filing(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    *,
    filed_on: date,
    number: str,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """Government procurement: the agency records the contract's filing (备案) with the finance
    department — its day and number — due within 7 working days of signing (政府采购法 art. 47)."""
    tender = await _locked(session, tender_id)
    _agency_of(actor, tender)
    award = await award_in(session, tender_id, AwardStatus.contracted)
    if award is None or award.contract_file_by is None or award.contract_signed_on is None:
        raise Conflict(
            "a government-procurement contract is filed (备案) once it is recorded",
            zh="政府采购合同应在签订并登记后备案",
        )
    if award.contract_filed_on is not None:
        raise Conflict("the contract's filing is recorded already", zh="合同备案已登记")
    errors: list[FieldError] = []
    number = _check_text("number", number, 100, errors)
    if filed_on < award.contract_signed_on:
        errors.append(FieldError("filed_on", "invalid", "on or after the contract was signed"))
    if filed_on > (await periods(session, tz)).today(clock.now()):
        errors.append(FieldError("filed_on", "future", "not after today"))
    if errors:
        raise InvalidRequest(errors)
    award.contract_filed_on, award.contract_filing_number = filed_on, number
    late = start_of_day(filed_on, tz) >= award.contract_file_by
    payload = {"award": str(award.id), "filed_on": filed_on.isoformat(), "number": number, "late": late}
    await audit.record(session, clock, actor, "award.contract_filing", "tender", tender_id, payload)
    await session.commit()
    return await view(session, actor, tender_id)


async def late_awards(session: AsyncSession, now: datetime, tz: ZoneInfo) -> list[uuid.UUID]:
    """Awards past their 30 days without a contract, or GP contracts past their filing day (the
    bonds' refunds are bidding.bonds' own)."""
    late_contract = select(Award.id).where(
        Award.status == AwardStatus.notified, Award.sign_by <= now, Award.late_at.is_(None)
    )
    late_filing = select(Award.id).where(
        Award.status == AwardStatus.contracted,
        Award.contract_file_by <= now,
        Award.contract_filed_on.is_(None),
        Award.contract_filing_late_at.is_(None),
    )
    return [
        *await session.scalars(late_contract),
        *await session.scalars(late_filing),
    ]


async def flag_late_award(session: AsyncSession, award_id: uuid.UUID, clock: Clock, actor: Actor, tz: ZoneInfo) -> bool:
    award = await session.scalar(select(Award).where(Award.id == award_id).with_for_update())
    now = clock.now()
    if award is None:
        return False
    tender = await tender_or_404(session, award.tender_id)
    if (
        award.status == AwardStatus.contracted
        and award.contract_file_by is not None
        and award.contract_file_by <= now
        and award.contract_filed_on is None
        and award.contract_filing_late_at is None
    ):
        award.contract_filing_late_at = now
        what, message = "contract_filing_late", f"政府采购合同签订已满 7 个工作日仍未备案：{tender.project_name}"
    elif award.status == AwardStatus.notified and award.late_at is None and award.sign_by <= now:
        award.late_at = now
        what, message = "contract_late", f"中标通知发出已满 30 日仍未签订合同：{tender.project_name}"
    else:
        return False
    await audit.record(session, clock, actor, f"award.{what}", "tender", tender.id, {"award": str(award.id)})
    await _tell_supervisors(session, clock, tender, what, message, f"{what}:{award.id}")
    await session.commit()
    return True


# --- cancellation ------------------------------------------------------------------------------


async def terminate(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    """The tenderee, through its agency, terminates the tender (终止招标, 实施条例 art. 31): it
    takes effect at once, is announced with its reason on the tender, and every holder of the
    documents and every bidder is told (their fees and bonds are due back, with interest); the
    supervisors are told. No one's approval is needed by law."""
    tender = await _locked(session, tender_id)
    _agency_of(actor, tender)
    if tender.status not in tender_states.CANCELLABLE:
        raise Conflict(f"a {tender.status} tender cannot be terminated")
    errors: list[FieldError] = []
    reason = _check_text("reason", reason, 2000, errors)
    if errors:
        raise InvalidRequest(errors)
    now = clock.now()
    termination = Cancellation(
        id=uuid.uuid4(),
        tender_id=tender_id,
        status=CancellationStatus.requested,
        reason=reason,
        requested_by=actor.username,
        requested_at=now,
    )
    states.move_cancellation(termination, CancellationStatus.confirmed)
    termination.decided_by, termination.decided_at = actor.username, now
    session.add(termination)
    tender_states.move(tender, TenderStatus.cancelled)
    await audit.record(session, clock, actor, "tender.terminated", "tender", tender_id, {"reason": reason})
    told = await identity.users_of_orgs(
        session, {*await tender_holders(session, tender_id), *await _bidders(session, tender_id)}
    )
    message = f"招标终止公告：{tender.project_name}（{reason}）。已缴纳的费用和投标保证金将予退还。"
    await notify_many(
        session,
        clock,
        [
            Notice(Role.bidder, "tender_terminated", "tender", tender_id, message, f"terminated:{tender_id}:{u}", u)
            for u, _ in told
        ],
    )
    await _tell_supervisors(session, clock, tender, "tender_terminated", message, f"terminated:{tender_id}")
    await session.commit()
    return cancellation_view(termination)


# --- what is shown ------------------------------------------------------------------------------


def _local(instant: datetime, tz: ZoneInfo) -> str:
    """An instant as a notice shows it: the local date and time, "24:00" for a period's end."""
    local = instant.astimezone(tz)
    if (local.hour, local.minute) == (0, 0):
        return f"{(local.date() - timedelta(days=1)).isoformat()} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


PUBLICIZED_FIELDS = ("quality", "project_manager", "project_manager_certificate", "qualifications")


def publicized(declaration: dict[str, Any] | None) -> dict[str, Any]:
    """What a candidate's publicity shows of its opened declaration (招标公告和公示信息发布管理办法,
    国家发改委令第10号, art. 6): the duration, the quality, the project manager with the certificate's
    name and number, and the qualifying responses (declared items `quality`, `project_manager`,
    `project_manager_certificate`, `qualifications`; absent ones show as null)."""
    declaration = declaration or {}
    fields = declaration.get("fields") or {}
    return {"duration_days": declaration.get("duration_days"), **{k: fields.get(k) for k in PUBLICIZED_FIELDS}}


def objection_view(o: Objection) -> dict[str, Any]:
    return {
        "id": str(o.id),
        "kind": o.kind,
        "parent": str(o.parent_id) if o.parent_id else None,
        "status": o.status,
        "raised_by": o.raised_by_uscc,
        "grounds": o.grounds,
        "attachments": o.attachments,
        "raised_at": o.raised_at.isoformat(),
        "due_at": o.due_at.isoformat(),
        "overdue": o.overdue_at is not None,
        "answered_at": o.answered_at.isoformat() if o.answered_at else None,
        "accepted_at": o.accepted_at.isoformat() if o.accepted_at else None,
        "outcome": o.outcome,
        "answer": o.answer,
        "disqualified_bid": o.disqualified_bid,
        "matter": o.matter,
        "interest": o.interest,
        "known_on": o.known_on.isoformat() if o.known_on else None,
        "amendment": o.amendment_number,
        "excluded": o.excluded or [],
        "suspended_at": o.suspended_at.isoformat() if o.suspended_at else None,
        "suspension_reason": o.suspension_reason,
        "suspension_lifted_at": o.suspension_lifted_at.isoformat() if o.suspension_lifted_at else None,
        "suspension_ends_at": o.suspension_ends_at.isoformat() if o.suspension_ends_at else None,
    }


def answer_notice_view(o: Objection) -> dict[str, Any]:
    """A 质疑's answer as the other suppliers concerned are told of it (94号令 art. 13): the matter,
    the outcome and the answer, not the questioner or its grounds."""
    return {
        "matter": o.matter,
        "outcome": o.outcome,
        "answer": o.answer,
        "answered_at": o.answered_at.isoformat() if o.answered_at else None,
    }


def document_view(d: AwardDocument) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "filename": d.filename,
        "sha256": d.sha256,
        "size": d.size,
        "uploaded_at": d.uploaded_at.isoformat(),
    }


def cancellation_view(c: Cancellation) -> dict[str, Any]:
    return {
        "status": c.status,
        "reason": c.reason,
        "requested_by": c.requested_by,
        "requested_at": c.requested_at.isoformat(),
        "decided_by": c.decided_by,
        "decided_at": c.decided_at.isoformat() if c.decided_at else None,
        "note": c.note,
    }


def award_view(a: Award) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "bid": a.bid_id,
        "bidder": a.bidder,
        "bidder_uscc": a.bidder_uscc,
        "candidate_rank": a.candidate_rank,
        "price": str(a.price),
        "status": a.status,
        "awarded_at": a.awarded_at.isoformat(),
        "sign_by": a.sign_by.isoformat(),
        "late": a.late_at is not None,
        "declined": a.decline_reason,
        "decision_reason": a.decision_reason,
        "contract": None
        if a.contract_recorded_at is None
        else {
            "document": str(a.contract_document_id),
            "amount": str(a.contract_amount),
            "signed_on": a.contract_signed_on.isoformat() if a.contract_signed_on else None,
            "starts_on": a.contract_starts_on.isoformat() if a.contract_starts_on else None,
            "ends_on": a.contract_ends_on.isoformat() if a.contract_ends_on else None,
            "recorded_at": a.contract_recorded_at.isoformat(),
            "differences": a.contract_differences or [],
            "difference_reason": a.contract_difference_reason,
            # government procurement: published within 2 working days of signing, filed (备案) within 7
            "publish_by": a.contract_publish_by.isoformat() if a.contract_publish_by else None,
            "published_late": a.contract_publish_by is not None and a.contract_recorded_at > a.contract_publish_by,
            "file_by": a.contract_file_by.isoformat() if a.contract_file_by else None,
            "filed_on": a.contract_filed_on.isoformat() if a.contract_filed_on else None,
            "filing_number": a.contract_filing_number,
            "filing_late": a.contract_filing_late_at is not None,
        },
    }


async def view(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> dict[str, Any]:
    """The tender's way from candidates to contract as `actor` may see it: the publicity (once
    published) with the committee's names, the objections (a bidder sees its own), the awards
    and the contract, a cancellation."""
    tender = await visible_tender(session, actor, tender_id)
    award_file = await session.get(AwardFile, tender_id)
    published = award_file is not None and award_file.publicity_round > 0
    officer = actor.sees_all_orgs or actor.org_uscc == tender.agency_uscc
    objections = list(
        await session.scalars(select(Objection).where(Objection.tender_id == tender_id).order_by(Objection.raised_at))
    )
    gp_regime = regime_of(tender.project_type) == Regime.government_procurement
    concerned = gp_regime and actor.org_uscc in {
        *await _bidders(session, tender_id),
        *await tender_holders(session, tender_id),
    }
    awards = list(await session.scalars(select(Award).where(Award.tender_id == tender_id).order_by(Award.awarded_at)))
    cancellations = await session.scalars(
        select(Cancellation).where(Cancellation.tender_id == tender_id).order_by(Cancellation.requested_at)
    )
    declared: dict[str, dict[str, Any]] = {}
    if published and award_file is not None:
        rows = await session.execute(
            select(BidOpening.bid_id, BidOpening.declaration).where(
                BidOpening.bid_id.in_([uuid.UUID(c["bid"]) for c in award_file.candidates])
            )
        )
        declared = {str(row.bid_id): row.declaration or {} for row in rows}
    gp = award_file is not None and award_file.confirm_by is not None
    pending = (
        tender.status == TenderStatus.publicity
        or (gp and tender.status == TenderStatus.candidates)
        or (
            tender.status == TenderStatus.awarded
            and not any(a.status in (AwardStatus.notified, AwardStatus.contracted) for a in awards)
        )
    )
    return {
        "tender": str(tender_id),
        "status": tender.status,
        "state_funded": tender.state_funded,
        # what holds the tender (an objection to the documents, a suspension order): public
        "holds": [{"kind": h["kind"], "since": h["since"]} for h in tender.holds or []],
        "publish_by": award_file.publish_by.isoformat() if award_file and officer else None,
        "awaiting_decision": officer
        and award_file is not None
        and pending
        and (award_file.publicity_round > 0 or award_file.confirm_by is not None),
        "retender_reason": award_file.retender_reason if award_file else None,
        "regime": regime_of(tender.project_type),
        # government procurement: the purchaser's confirmation (5 working days; else the first is deemed)
        "confirm_by": award_file.confirm_by.isoformat() if award_file and award_file.confirm_by and officer else None,
        # the report's candidates in order, for the purchaser to confirm (GP: not published before the result)
        "recommended": award_file.candidates if award_file and gp and officer else None,
        "result": None
        if not (award_file and award_file.result_published_at)
        else {
            "published_at": award_file.result_published_at.isoformat(),
            "winner": next((award_view(a) for a in awards if a.status not in states.ENDED_AWARDS), None),
            "committee": award_file.committee,  # GP publishes the committee with the result (87号令 art. 69)
            "questions": {  # 质疑 within 7 working days of the result notice (政府采购法 art. 52)
                "to": tender.agency_uscc,
                "how": f"POST /api/v1/tenders/{tender_id}/award/objections (供应商或其他利害关系人)",
            },
        },
        "publicity": None
        if not (award_file and published)
        else {
            "round": award_file.publicity_round,
            "started_at": award_file.publicity_started_at.isoformat() if award_file.publicity_started_at else None,
            "ends_at": award_file.publicity_ends_at.isoformat() if award_file.publicity_ends_at else None,
            "candidates": [
                {"candidate_rank": i, **c, **publicized(declared.get(c["bid"]))}
                for i, c in enumerate(award_file.candidates, start=1)
            ],
            "disqualified": award_file.disqualified,
            # 10号令 art. 6 (四): how and until when to object
            "objections": {
                "to": tender.agency_uscc,
                "until": award_file.publicity_ends_at.isoformat() if award_file.publicity_ends_at else None,
                "how": f"POST /api/v1/tenders/{tender_id}/award/objections"
                " (投标人或其他利害关系人；非投标人说明利害关系 interest)",
            },
            # Secret until the award notice (Tendering Law art. 37 ¶5), but to the supervisors.
            "committee": award_file.committee
            if actor.has_role(Role.supervisor) or tender.status in tender_states.COMMITTEE_PUBLIC_STATUSES
            else None,
        },
        "objections": [objection_view(o) for o in objections if officer or o.raised_by_uscc == actor.org_uscc],
        # GP: the answers to the other suppliers' 质疑, as they are told of them (94号令 art. 13)
        "question_answers": [
            answer_notice_view(o)
            for o in objections
            if concerned
            and o.kind == "objection"
            and o.status == ObjectionStatus.answered
            and o.raised_by_uscc != actor.org_uscc
        ],
        "awards": [award_view(a) for a in awards],
        "cancellations": [cancellation_view(c) for c in cancellations] if officer else [],
    }
