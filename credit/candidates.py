"""The credit check of the candidate winners (中标候选人信用核查), MOF 财库〔2016〕125号.

When an evaluation report is signed (or revised), the committee's candidates are checked — the
bidder, every consortium member, and their legal representatives, against the entries active on
the check day under every rule that bars in the `candidate` context; one listed member bars the
whole consortium. The platform reports and the people decide (实施条例 art. 56): a barring finding
flags the candidate with its evidence and opens a re-review by the original committee
(`experts.candidate_review`); its signed decision disqualifies or keeps each flagged candidate.
No bid ranked below the committee's list moves up: the candidates are its list without those it
disqualified; none left fails the tender and supervisors are told. A name-only hit never bars:
the candidate stays and supervisors review the hit. A supervisor may re-run the check (a new
run; every old one kept).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.notifications import tell_supervisors
from app.core.problems import Conflict
from app.identity.models import Organization
from bidding.award import service as award
from bidding.bids.models import Bid
from bidding.tender import states as tender_states
from bidding.tender.models import Tender
from bidding.tender.queries import tender_or_404
from bidding.tender.states import TenderStatus
from credit import checks, matching
from credit.matching import Subject, Verdict
from credit.models import CreditCheck, CreditCheckRun
from experts import candidate_review

CHECKED_STATUSES = frozenset({TenderStatus.evaluated, TenderStatus.candidates, TenderStatus.failed})


def org_subjects(org: Organization | None, uscc: str, role: str, of: str | None) -> list[Subject]:
    subjects = [Subject(role, "organization", uscc=uscc, name=org.name if org else None, of=of)]
    if org is not None and (org.legal_representative or org.legal_representative_hash):
        subjects.append(
            Subject(
                "legal_representative",
                "person",
                person_hash=org.legal_representative_hash,
                name=org.legal_representative,
                of=uscc,
            )
        )
    return subjects


async def subjects_of_bids(session: AsyncSession, bid_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Subject]]:
    """Who a bid puts forward: the bidder, each consortium member, and their legal representatives."""
    bids = {b.id: b for b in await session.scalars(select(Bid).where(Bid.id.in_(bid_ids)))}
    usccs = {u for b in bids.values() for u in (b.bidder_uscc, *(b.consortium or []))}
    orgs = {o.uscc: o for o in await session.scalars(select(Organization).where(Organization.uscc.in_(usccs)))}
    subjects: dict[uuid.UUID, list[Subject]] = {}
    for bid_id, bid in bids.items():
        subjects[bid_id] = org_subjects(orgs.get(bid.bidder_uscc), bid.bidder_uscc, "bidder", None)
        for member in bid.consortium or []:
            subjects[bid_id] += org_subjects(orgs.get(member), member, "consortium_member", bid.bidder_uscc)
    return subjects


async def run(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tz: ZoneInfo,
    tender_id: uuid.UUID,
    ranking: Sequence[dict[str, Any]],
    required: int,
    revision: int,
    trigger: str,
) -> CreditCheckRun:
    """Check the committee's candidates (the first `required` of its ranking, and nobody below)
    and report; the caller commits. Clean: they are the candidates. A barring finding: the
    candidate is flagged with its evidence and the original committee re-reviews (实施条例 art. 56;
    `experts.candidate_review`), the tender waiting in `evaluated` for its signed decision."""
    tender = await tender_or_404(session, tender_id)
    if tender.status not in CHECKED_STATUSES:
        raise Conflict(f"the tender is {tender.status}: candidates are checked once the report is signed")
    day = clock.now().astimezone(tz).date()
    listed = [r["bid"] for r in ranking[:required]]
    bid_ids = [uuid.UUID(b) for b in listed]
    subjects = await subjects_of_bids(session, bid_ids)
    pairs = [(s, "candidate") for b in bid_ids for s in subjects.get(b, [])]
    checked = await checks.check(session, clock, pairs, day)
    verdicts_of: dict[str, list[Verdict]] = {}
    flat = iter(checked.verdicts)
    for b in bid_ids:
        verdicts_of[str(b)] = [next(flat)[0] for _ in subjects.get(b, [])]
    findings = matching.find(listed, lambda bid: matching.worst(v.outcome for v in verdicts_of[bid]))
    number = (
        await session.scalar(select(func.max(CreditCheckRun.number)).where(CreditCheckRun.tender_id == tender_id)) or 0
    ) + 1
    run_row = CreditCheckRun(
        id=uuid.uuid4(),
        tender_id=tender_id,
        number=number,
        revision=revision,
        trigger=trigger,
        required=required,
        outcome="review" if findings.flagged else ("candidates" if findings.candidates else "none"),
        ranking=[_ranked(r, verdicts_of.get(r["bid"], []), findings) for r in ranking],
        candidates=list(findings.clean),
        disqualified=[],
        promoted=[],
        flagged=list(findings.flagged),
        checked_at=clock.now(),
        checked_by=actor.username,
    )
    session.add(run_row)
    await session.flush()
    for bid in listed:
        checks.record(
            session,
            clock,
            actor,
            checked,
            tender_id=tender_id,
            bid_id=uuid.UUID(bid),
            run_id=run_row.id,
            only=verdicts_of[bid],
        )
    reviewed = [v for bid in findings.clean for v in verdicts_of[bid]]
    await checks.raise_reviews(session, clock, checked, tender_id, only=reviewed)
    if findings.flagged:
        flagged = [r for r in run_row.ranking if r["status"] == "flagged"]
        await candidate_review.open_review(session, clock, actor, tender, run_row.id, flagged)
    else:
        await _settle(session, clock, tz, tender, run_row)
    await audit.record(
        session,
        clock,
        actor,
        "credit.candidate_check",
        "tender",
        tender_id,
        {
            "run": str(run_row.id),
            "trigger": trigger,
            "revision": revision,
            "candidates": run_row.candidates,
            "flagged": run_row.flagged,
            "stale_lists": checked.stale,
        },
    )
    return run_row


def _ranked(entry: dict[str, Any], verdicts: list[Verdict], findings: matching.Findings) -> dict[str, Any]:
    bid = entry["bid"]
    if bid in findings.flagged:
        status = "flagged"
    elif bid in findings.candidates:
        status = "candidate"
    else:
        status = "not_checked"  # below the committee's list: never moved up
    reached = status != "not_checked"
    return {
        **{k: entry.get(k) for k in ("rank", "bid", "uscc", "bidder", "price", "total")},
        "status": status,
        "candidate_rank": findings.candidates.index(bid) + 1 if reached else None,
        "outcome": matching.worst(v.outcome for v in verdicts) if reached else None,
        "reasons": [
            {
                "subject": v.subject.as_dict(),
                "list_type": h.entry.list_type,
                "legal_basis": h.rule.legal_basis if h.rule else None,
                "entry": h.entry.id,
                "effect": h.effect,
            }
            for v in verdicts
            for h in v.hits
            if reached and h.effect != "none"
        ],
    }


async def after_review(
    session: AsyncSession, clock: Clock, actor: Actor, tz: ZoneInfo, payload: dict[str, Any]
) -> None:
    """The committee signed its re-review: the candidates are its list without the bids it
    disqualified (none moves up); the tender goes on as the decision says."""
    run_row = await session.get(CreditCheckRun, uuid.UUID(payload["run"]))
    tender = await tender_or_404(session, uuid.UUID(payload["tender"]))
    latest = await latest_run(session, tender.id)
    if run_row is None or latest is None or latest.id != run_row.id or run_row.outcome != "review":
        return  # a later run superseded it
    disqualified = set(payload["disqualified"])
    listed = [r["bid"] for r in run_row.ranking if r["status"] in ("candidate", "flagged")]
    run_row.ranking = [
        {**r, "status": "disqualified" if r["bid"] in disqualified else "candidate"} if r["status"] == "flagged" else r
        for r in run_row.ranking
    ]
    run_row.disqualified = [b for b in listed if b in disqualified]
    run_row.candidates = [b for b in listed if b not in disqualified]
    run_row.outcome = "candidates" if run_row.candidates else "none"
    await _settle(session, clock, tz, tender, run_row)


async def _settle(session: AsyncSession, clock: Clock, tz: ZoneInfo, tender: Tender, run_row: CreditCheckRun) -> None:
    """Move the tender by the run's result and tell who must know."""
    if run_row.candidates:
        if tender.status == TenderStatus.evaluated:
            tender_states.move(tender, TenderStatus.candidates)
        ranked = [r for r in run_row.ranking if r["bid"] in run_row.candidates]
        fields = ("rank", "bid", "uscc", "bidder", "price", "total")
        await award.candidates_settled(session, clock, tz, tender.id, [{k: r.get(k) for k in fields} for r in ranked])
    elif tender.status != TenderStatus.failed:
        tender_states.move(tender, TenderStatus.failed)
        await tell_supervisors(
            session,
            clock,
            "credit_no_candidate",
            "tender",
            tender.id,
            f"信用核查后无合格中标候选人，项目失败：{tender.project_name}",
            f"credit-no-candidate:{tender.id}",
        )
    if run_row.disqualified:
        await tell_supervisors(
            session,
            clock,
            "credit_disqualified",
            "tender",
            tender.id,
            f"原评标委员会复核后取消 {len(run_row.disqualified)} 名候选人资格：{tender.project_name}",
            f"credit-disqualified:{run_row.id}",
        )


def run_view(run_row: CreditCheckRun, checks_of_run: Sequence[CreditCheck] = ()) -> dict[str, Any]:
    return {
        "id": str(run_row.id),
        "number": run_row.number,
        "tender": str(run_row.tender_id),
        "revision": run_row.revision,
        "trigger": run_row.trigger,
        "required": run_row.required,
        "outcome": run_row.outcome,
        "candidates": run_row.candidates,
        "disqualified": run_row.disqualified,
        "promoted": run_row.promoted,
        "flagged": run_row.flagged,
        "ranking": run_row.ranking,
        "checked_at": run_row.checked_at.isoformat(),
        "checked_by": run_row.checked_by,
        "checks": [checks.check_view(c) for c in checks_of_run],
    }


async def latest_run(session: AsyncSession, tender_id: uuid.UUID) -> CreditCheckRun | None:
    return await session.scalar(
        select(CreditCheckRun)
        .where(CreditCheckRun.tender_id == tender_id)
        .order_by(CreditCheckRun.number.desc())
        .limit(1)
    )


async def rerun(
    session: AsyncSession, clock: Clock, actor: Actor, tz: ZoneInfo, tender_id: uuid.UUID, trigger: str = "rerun"
) -> dict[str, Any]:
    """A supervisor's re-run over the same ranking: a new run, the old ones kept."""
    await session.scalar(select(Tender.id).where(Tender.id == tender_id).with_for_update())
    last = await latest_run(session, tender_id)
    if last is None:
        await tender_or_404(session, tender_id)
        raise Conflict("the tender's candidates have not been checked yet: the check runs when the report is signed")
    run_row = await run(session, clock, actor, tz, tender_id, last.ranking, last.required, last.revision, trigger)
    await session.commit()
    return await history_entry(session, run_row)


async def history_entry(session: AsyncSession, run_row: CreditCheckRun) -> dict[str, Any]:
    rows = await session.scalars(
        select(CreditCheck).where(CreditCheck.run_id == run_row.id).order_by(CreditCheck.checked_at)
    )
    return run_view(run_row, list(rows))


async def history(session: AsyncSession, tender_id: uuid.UUID) -> list[dict[str, Any]]:
    await tender_or_404(session, tender_id)
    runs = await session.scalars(
        select(CreditCheckRun).where(CreditCheckRun.tender_id == tender_id).order_by(CreditCheckRun.number.desc())
    )
    return [await history_entry(session, r) for r in runs]


Listener = Callable[[AsyncSession, Clock, Actor, dict[str, Any]], Awaitable[None]]


def listeners(tz: ZoneInfo) -> dict[str, list[Listener]]:
    """What the credit check does on the evaluation's announcements (wired in app/wiring.py)."""

    def on(trigger: str) -> Listener:
        async def listener(session: AsyncSession, clock: Clock, actor: Actor, payload: dict[str, Any]) -> None:
            await run(
                session,
                clock,
                actor,
                tz,
                uuid.UUID(payload["tender"]),
                payload["ranking"],
                payload["required"],
                payload["revision"],
                trigger,
            )

        return listener

    async def reviewed(session: AsyncSession, clock: Clock, actor: Actor, payload: dict[str, Any]) -> None:
        await after_review(session, clock, actor, tz, payload)

    return {
        "evaluation.report_signed": [on("report_signed")],
        "evaluation.report_revised": [on("report_revised")],
        candidate_review.REVIEW_SIGNED: [reviewed],
    }
