"""Use cases of the committee (评标委员会): the draw's rules set on the tender, the verifiable
draw itself (commitment first, in its own transaction), the seats, replacements through the
reserves (declines, no-shows, conflicts), and who may learn who sits.

Confidentiality (Tendering Law art. 37): until the candidates are published only supervisors
and the drawn experts themselves learn who sits on a committee; anyone else gets 404, and no
list, event or error names a member. Experts learn their tender only from the start of the
evaluation; before that an assignment shows its date and specialty only.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.calendar.service import periods
from app.core.clock import Clock
from app.core.notifications import Notice, notify, notify_many
from app.core.problems import Conflict, InvalidRequest, NotFound
from app.core.transparency import latest_head
from app.core.validation import FieldError
from app.identity.models import Organization, OrgKind, User
from bidding.bids.models import Bid
from bidding.filing.checklist import CONSULTATION_LEAST_PANEL
from bidding.tender.models import Tender
from bidding.tender.queries import tender_or_404, visible_tender
from bidding.tender.regime import Regime, regime_of
from bidding.tender.states import COMMITTEE_PUBLIC_STATUSES, TenderStatus
from experts import conduct, draw
from experts.models import (
    Draw,
    Expert,
    ExpertSpecialty,
    ReportSignature,
    ScoreSheet,
    Seat,
    SupplementaryDraw,
    Unavailability,
)
from experts.registry import specialty_codes
from experts.states import (
    ON_COMMITTEE,
    DrawStatus,
    SeatStatus,
    SupplementaryStatus,
    draw_next_event,
    move_draw,
    move_seat,
    move_supplementary,
)

# Government procurement draws its experts no earlier than this many working days before the
# review (财库〔2016〕198号 art. 15; 87号令 art. 48).
GP_DRAW_WORKING_DAYS = 2

# The credit issue's hook: which of these experts a credit list bars from serving on that day.
CreditBarred = Callable[[AsyncSession, Sequence[uuid.UUID], date], Awaitable[set[uuid.UUID]]]

# From the start of the evaluation on, members see the tender (the report stays theirs to correct
# under art. 64 while the credit check settles the candidates).
EVALUATING = frozenset({TenderStatus.evaluation, TenderStatus.evaluated, TenderStatus.candidates})
# The replacements the assessment counts against the expert (experts.assessment.INCIDENTS).
INCIDENT_OF_REPLACEMENT = {"declined_without_cause": "decline_without_cause", "no_show": "no_show"}


async def no_credit_bars(_session: AsyncSession, _ids: Sequence[uuid.UUID], _day: date) -> set[uuid.UUID]:
    return set()


def _not_found(tender_id: object) -> NotFound:
    return NotFound(f"no committee of tender {tender_id} is known to you")


# --- the rules of the draw -----------------------------------------------------------------


def rules_of(d: Draw) -> draw.Rules:
    quotas = tuple(draw.Quota(q["specialty"], q["members"], q["reserves"]) for q in d.quotas)
    return draw.Rules(quotas, d.region_rule, d.region)


async def configure_draw(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    rules: draw.Rules,
    draw_at: datetime,
    evaluation_on: date,
    tz: Any,
    commit_lead: timedelta,
    representatives: int = 0,
) -> Draw:
    """The tender's agency (or a supervisor) sets the draw before the opening, at least
    `commit_lead` ahead (its commitment is published that long before it), with the seats left to
    the purchaser's representatives (`name_representative`); a failed draw may be
    set again, a drawn one not."""
    tender = await tender_or_404(session, tender_id)
    if not (actor.has_role(Role.supervisor) or actor.org_uscc == tender.agency_uscc):
        raise NotFound(f"tender {tender_id} not found")
    if tender.status != TenderStatus.published:
        raise Conflict(f"the draw is set before the opening; the tender is {tender.status}")
    least = CONSULTATION_LEAST_PANEL if tender.procurement_method == "consultation" else draw.MIN_COMMITTEE
    errors = [FieldError(f, "invalid", reason) for f, reason in draw.rule_errors(rules, least, representatives)]
    if rules.committee_size + representatives != tender.committee_size:
        errors.append(
            FieldError(
                "quotas",
                "committee_size",
                f"the quotas seat {rules.committee_size} and the representatives {representatives}, "
                f"the tender's committee has {tender.committee_size}",
            )
        )
    known = await specialty_codes(session)
    errors += [
        FieldError(f"quotas[{i}].specialty", "unknown", f"{q.specialty} is not in the classification")
        for i, q in enumerate(rules.quotas)
        if q.specialty not in known
    ]
    now = clock.now()
    if draw_at <= now:
        errors.append(FieldError("draw_at", "past", "the draw time is in the future"))
    elif draw_at < now + commit_lead:
        minutes = int(commit_lead.total_seconds() // 60)
        errors.append(
            FieldError(
                "draw_at", "too_soon", f"the draw is at least {minutes} minutes away: its commitment comes first"
            )
        )
    if draw_at >= tender.opening_time:
        errors.append(FieldError("draw_at", "after_opening", "the draw takes place before the opening"))
    if regime_of(tender.project_type) == Regime.government_procurement:
        earliest = (await periods(session, tz)).calendar.working_days_before(evaluation_on, GP_DRAW_WORKING_DAYS)
        if draw_at.astimezone(tz).date() < earliest:
            errors.append(
                FieldError(
                    "draw_at",
                    "too_early",
                    f"government procurement draws its experts within {GP_DRAW_WORKING_DAYS} working days before "
                    f"the review (财库〔2016〕198号): not before {earliest}",
                )
            )
    if evaluation_on < tender.opening_time.astimezone(tz).date():
        errors.append(FieldError("evaluation_on", "before_opening", "the evaluation is on or after the opening day"))
    if errors:
        raise InvalidRequest(errors)
    existing = await session.get(Draw, tender_id)
    if existing is not None and existing.status == DrawStatus.drawn:
        raise Conflict("the committee has been drawn; a draw is not repeated")
    row = existing or Draw(tender_id=tender_id, status=DrawStatus.scheduled)
    if existing is not None and existing.status == DrawStatus.failed:
        move_draw(row, DrawStatus.scheduled)
    row.quotas = [{"specialty": q.specialty, "members": q.members, "reserves": q.reserves} for q in rules.quotas]
    row.region_rule, row.region = rules.region_rule, rules.region
    row.representatives = representatives
    row.draw_at, row.evaluation_on = draw_at, evaluation_on
    row.configured_at, row.configured_by = now, actor.username
    row.commitment = row.seed_hex = row.snapshot = row.committed_at = None
    row.entry = row.entry_by = row.entry_at = row.entry_head_size = row.entry_head_root = None
    row.shortages = None
    session.add(row)
    payload = {
        "quotas": row.quotas,
        "representatives": representatives,
        "region_rule": rules.region_rule,
        "draw_at": draw_at.isoformat(),
    }
    await audit.record(session, clock, actor, "draw.configure", "draw", tender_id, payload)
    await session.commit()
    return row


# --- the draw ------------------------------------------------------------------------------


async def gather_pool(
    session: AsyncSession,
    tender: Tender,
    rules: draw.Rules,
    evaluation_on: date,
    recent_days: int,
    credit_barred: CreditBarred,
) -> list[draw.PoolExpert]:
    """Every pool expert under one of the quotas' specialties, with the facts the exclusions
    read. The quotas are expanded to the classification's codes, so that the index on
    expert_specialties.code finds the experts (`bench/draw.py` measures it on 100,000)."""
    codes = [c for c in await specialty_codes(session) if any(draw.under(c, q.specialty) for q in rules.quotas)]
    unavailable = (
        select(Unavailability.id)
        .where(
            Unavailability.expert_id == Expert.id,
            Unavailability.starts_on <= evaluation_on,
            Unavailability.ends_on >= evaluation_on,
        )
        .exists()
    )
    served = (
        select(Seat.id)
        .join(Draw, Draw.tender_id == Seat.tender_id)
        .join(Tender, Tender.id == Seat.tender_id)
        .where(
            Seat.expert_id == Expert.id,
            Tender.tenderee_uscc == tender.tenderee_uscc,
            Tender.id != tender.id,
            Seat.status.in_([SeatStatus.drawn, SeatStatus.seated]),
            Draw.evaluation_on > evaluation_on - timedelta(days=recent_days),
        )
        .exists()
    )
    connection = await session.connection()  # Core rows: no ORM bookkeeping for thousands of them
    rows = (
        await connection.execute(
            select(
                Expert.id,
                Expert.employer_uscc,
                Expert.region,
                Expert.birth_date,
                Expert.status,
                Expert.suspended_until,
                ExpertSpecialty.code,
                unavailable,
                served,
                Expert.field_since,
                Expert.title_level,
            )
            .join(ExpertSpecialty, ExpertSpecialty.expert_id == Expert.id)
            .where(ExpertSpecialty.code.in_(codes))
        )
    ).all()
    facts: dict[uuid.UUID, Any] = {}
    codes_of: dict[uuid.UUID, list[str]] = {}
    for row in rows:
        facts[row[0]] = row
        codes_of.setdefault(row[0], []).append(row[6])
    ids = list(facts)
    barred = await credit_barred(session, ids, evaluation_on)
    make = draw.PoolExpert._make  # positional and fast: a draw reads thousands of these
    return [
        make(
            (
                str(expert_id),
                tuple(codes_of[expert_id]),
                *row[1:6],  # employer, region, birth date, status, suspended until
                row[7],  # unavailable on the evaluation day
                row[8],  # served the tenderee recently
                expert_id in barred,
                False,  # already drawn: only a supplementary draw says so
                row[9],  # in the field since
                row[10],  # title level
            )
        )
        for expert_id, row in facts.items()
    ]


async def bidders_of(session: AsyncSession, tender_id: uuid.UUID) -> frozenset[str]:
    """Every organization that submitted a bid to the tender (withdrawn ones included)."""
    return frozenset(await session.scalars(select(Bid.bidder_uscc).where(Bid.tender_id == tender_id).distinct()))


async def parties_of(session: AsyncSession, clock: Clock, tender: Tender, tz: Any, age_cap: int) -> draw.Parties:
    """Who the committee must be independent of, and the draw day."""
    bidders = await bidders_of(session, tender.id)
    supervising = frozenset(
        await session.scalars(select(Organization.uscc).where(Organization.kind == OrgKind.supervision))
    )
    day = clock.now().astimezone(tz).date()
    return draw.Parties(tender.tenderee_uscc, tender.agency_uscc, bidders, day, age_cap, supervising)


async def draws_due(session: AsyncSession, now: datetime, lead: timedelta, event: str) -> list[uuid.UUID]:
    """The scheduled draws whose `event` (their state module's `expert-draw-commit` or
    `expert-draw`) is due now."""
    query = select(Draw.tender_id, Draw.status, Draw.draw_at, Draw.committed_at).where(
        Draw.status == DrawStatus.scheduled, Draw.draw_at <= now + lead
    )
    return [
        tender_id
        for tender_id, status, draw_at, committed_at in await session.execute(query)
        if (due := draw_next_event(status, draw_at, committed_at, lead)) is not None
        and due.event == event
        and due.is_due(now)
    ]


async def commit_to_draw(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    row: Draw,
    tender: Tender,
    *,
    age_cap: int,
    recent_days: int,
    tz: Any,
    credit_barred: CreditBarred,
) -> dict[str, Any]:
    """Fix the snapshot and a fresh seed, and publish their commitment in the audit trail;
    return the snapshot."""
    rules = rules_of(row)
    pool = await gather_pool(session, tender, rules, row.evaluation_on, recent_days, credit_barred)
    parties = await parties_of(session, clock, tender, tz, age_cap)
    snapshot = draw.snapshot(str(tender.id), rules, pool, parties)
    snapshot_bytes = draw.canonical(snapshot)
    seed = secrets.token_bytes(32)
    row.seed_hex, row.snapshot = seed.hex(), snapshot_bytes.decode()
    row.commitment, row.committed_at = draw.commitment(seed, snapshot_bytes), clock.now()
    payload = {"commitment": row.commitment, "algorithm": draw.ALGORITHM}
    await audit.record(session, clock, actor, "draw.commit", "draw", tender.id, payload)
    return snapshot


async def commit_when_due(
    session: AsyncSession,
    tender_id: uuid.UUID,
    clock: Clock,
    actor: Actor,
    *,
    age_cap: int,
    recent_days: int,
    tz: Any,
    credit_barred: CreditBarred = no_credit_bars,
) -> bool:
    """Publish the draw's commitment (idempotent): the snapshot and a fresh seed are fixed now,
    the commit lead before the draw, so a supervisor can enter the beacon in between."""
    row = await session.get(Draw, tender_id, with_for_update=True)
    if row is None or row.status != DrawStatus.scheduled or row.commitment is not None:
        await session.commit()
        return False
    tender = await tender_or_404(session, tender_id)
    await commit_to_draw(
        session,
        clock,
        actor,
        row,
        tender,
        age_cap=age_cap,
        recent_days=recent_days,
        tz=tz,
        credit_barred=credit_barred,
    )
    message = f"专家抽取已承诺种子，请监督人员在 {row.draw_at.isoformat()} 前录入随机值"
    dedupe_key = f"draw-entry:{tender_id}:{(row.commitment or '')[:32]}"
    await _tell(session, clock, Role.supervisor, "draw_needs_entry", tender_id, message, dedupe_key)
    await session.commit()
    return True


class BeaconEntered(Conflict):
    slug = "draw-entry-closed"


async def enter_beacon(session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, entry: str) -> Draw:
    """A supervisor's entry to the draw's final seed, after the commitment and before the draw,
    once: it is recorded with the audit log's signed tree head in force now (experts.draw.Beacon)."""
    row = await session.get(Draw, tender_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no draw is set for tender {tender_id}")
    if row.status != DrawStatus.scheduled or row.commitment is None:
        await session.rollback()
        raise BeaconEntered("the entry is made after the draw's commitment is published and before the draw")
    if row.entry is not None:
        by = row.entry_by
        await session.rollback()
        raise BeaconEntered(f"{by} entered this draw's value already")
    await _record_beacon(session, clock, actor, row, entry)
    await session.commit()
    return row


async def _record_beacon(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    row: Draw | SupplementaryDraw,
    entry: str,
    extra: dict[str, str] | None = None,
) -> None:
    """Keep a supervisor's entry with the audit log's signed tree head in force now, audited."""
    head = await latest_head(session)
    row.entry, row.entry_by, row.entry_at = entry, actor.username, clock.now()
    row.entry_head_size, row.entry_head_root = (head.tree_size, head.root_hash) if head else (0, "")
    payload = {**(extra or {}), "entry": entry, "head_size": row.entry_head_size, "head_root": row.entry_head_root}
    await audit.record(session, clock, actor, "draw.entry", "draw", row.tender_id, payload)


async def _tell(
    session: AsyncSession, clock: Clock, role: Role, kind: str, tender_id: uuid.UUID, message: str, dedupe_key: str
) -> None:
    await notify(
        session,
        clock,
        audience_role=role,
        kind=kind,
        object_type="tender",
        object_id=tender_id,
        message=message,
        dedupe_key=dedupe_key,
    )


def _shortage_text(shortages: dict[str, dict[str, int]]) -> str:
    return "；".join(f"{code} 需{n['needed']}人、仅{n['eligible']}人" for code, n in shortages.items())


def beacon_of(row: Draw | SupplementaryDraw) -> draw.Beacon | None:
    if row.entry is None:
        return None
    return draw.Beacon(row.entry, row.entry_head_size or 0, row.entry_head_root or "")


async def run_draw(
    session: AsyncSession,
    tender_id: uuid.UUID,
    clock: Clock,
    actor: Actor,
    *,
    lead: timedelta,
) -> bool:
    """The draw at its time, from the commitment published `lead` before it and the supervisor's
    beacon; without the beacon the draw waits and the supervisors are told (the platform does
    not draw on its own seed alone). A draw whose commitment never came (the scheduler was
    down) commits now and draws `lead` later."""
    row = await session.get(Draw, tender_id, with_for_update=True)
    now = clock.now()
    due = draw_next_event(row.status, row.draw_at, row.committed_at, lead) if row is not None else None
    if row is None or due is None or not due.is_due(now) or due.event != "expert-draw":
        await session.commit()
        return False
    beacon = beacon_of(row)
    if beacon is None:
        message = "专家抽取时间已到，等待监督人员录入随机值后抽取"
        dedupe_key = f"draw-waits:{tender_id}:{(row.commitment or '')[:32]}"
        await _tell(session, clock, Role.supervisor, "draw_waits_for_entry", tender_id, message, dedupe_key)
        await session.commit()
        return False
    assert row.seed_hex is not None
    outcome = draw.draw(json.loads(row.snapshot or "{}"), draw.final_seed(bytes.fromhex(row.seed_hex), beacon))
    if not outcome.complete:
        move_draw(row, DrawStatus.failed)
        row.shortages = outcome.shortages
        await audit.record(session, clock, actor, "draw.failed", "draw", tender_id, {"shortages": outcome.shortages})
        message = "专家抽取失败，符合条件的专家不足：" + _shortage_text(outcome.shortages)
        dedupe_key = f"draw-failed:{tender_id}:{(row.commitment or '')[:32]}"
        await _tell(session, clock, Role.agency, "draw_failed", tender_id, message, dedupe_key)
        await session.commit()
        return True
    now = clock.now()
    ids = {seat: uuid.uuid4() for seat in (*outcome.members, *outcome.reserves)}
    rows = [
        {
            "id": seat_id,
            "tender_id": tender_id,
            "expert_id": uuid.UUID(seat.expert_id),
            "specialty": seat.specialty,
            "draw_order": seat.order,
            "status": SeatStatus.reserve if seat.reserve else SeatStatus.drawn,
            "called_at": None if seat.reserve else now,
        }
        for seat, seat_id in ids.items()
    ]
    await session.execute(insert(Seat), rows)
    move_draw(row, DrawStatus.drawn)
    row.drawn_at = now
    counts = {"commitment": row.commitment, "members": len(outcome.members), "reserves": len(outcome.reserves)}
    await audit.record(session, clock, actor, "draw.drawn", "draw", tender_id, counts)
    member_ids = [uuid.UUID(seat.expert_id) for seat in outcome.members]
    user_rows = await session.execute(select(Expert.id, Expert.user_id).where(Expert.id.in_(member_ids)))
    users = {expert_id: user_id for expert_id, user_id in user_rows}
    notices = [
        _drawn_notice(ids[seat], seat.specialty, row.evaluation_on, users[uuid.UUID(seat.expert_id)])
        for seat in outcome.members
    ]
    await notify_many(session, clock, notices)
    await session.commit()
    return True


def _drawn_notice(seat_id: uuid.UUID, specialty: str, evaluation_on: date, user_id: uuid.UUID) -> Notice:
    """What a drawn expert is told: the day and the specialty, not the tender (not before the evaluation)."""
    return Notice(
        audience_role=Role.expert,
        kind="expert_drawn",
        object_type="committee_seat",
        object_id=seat_id,
        message=f"您已被抽取为评标专家（{specialty}），评标日期 {evaluation_on.isoformat()}",
        dedupe_key=f"seat-drawn:{seat_id}",
        recipient_id=user_id,
    )


async def supplementary_draw(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    *,
    age_cap: int,
    recent_days: int,
    tz: Any,
    credit_barred: CreditBarred = no_credit_bars,
) -> SupplementaryDraw:
    """Commit a draw that fills the seats a specialty's exhausted reserves leave empty (补抽),
    verifiably: the same exclusions, plus everyone already drawn for the tender (`already_drawn`).
    The snapshot and a fresh seed are committed now; a supervisor then enters the beacon, and the
    seats are drawn the commit lead after the commitment (`run_supplementary_draw`), as the main
    draw is."""
    tender = await tender_or_404(session, tender_id)
    row = await session.get(Draw, tender_id, with_for_update=True)
    if row is None or row.status != DrawStatus.drawn:
        raise Conflict("the committee has not been drawn")
    if tender.status not in (
        TenderStatus.published,
        TenderStatus.opening,
        TenderStatus.opened,
        TenderStatus.evaluation,
    ):
        raise Conflict(f"the committee of a tender in {tender.status} is not drawn again")
    pending = await session.scalar(
        select(SupplementaryDraw.id).where(
            SupplementaryDraw.tender_id == tender_id, SupplementaryDraw.status == SupplementaryStatus.committed
        )
    )
    if pending is not None:
        raise Conflict("a supplementary draw of this tender waits for its entry or its time", draw=str(pending))
    seats = list(await session.scalars(select(Seat).where(Seat.tender_id == tender_id)))
    vacancies = []
    for quota in row.quotas:
        sitting = sum(1 for s in seats if s.specialty == quota["specialty"] and s.status in ON_COMMITTEE)
        if quota["members"] > sitting:
            vacancies.append(draw.Quota(quota["specialty"], quota["members"] - sitting, 0))
    if not vacancies:
        raise Conflict("the committee has no vacancy")
    rules = draw.Rules(tuple(vacancies), row.region_rule, row.region)
    taken = {str(s.expert_id) for s in seats}
    pool = [
        expert._replace(already_drawn=expert.id in taken)
        for expert in await gather_pool(session, tender, rules, row.evaluation_on, recent_days, credit_barred)
    ]
    parties = await parties_of(session, clock, tender, tz, age_cap)
    snapshot = draw.snapshot(str(tender_id), rules, pool, parties)
    snapshot_bytes, seed = draw.canonical(snapshot), secrets.token_bytes(32)
    record = SupplementaryDraw(
        tender_id=tender_id,
        status=SupplementaryStatus.committed,
        quotas=[{"specialty": q.specialty, "members": q.members, "reserves": 0} for q in vacancies],
        commitment=draw.commitment(seed, snapshot_bytes),
        committed_at=clock.now(),
        seed_hex=seed.hex(),
        snapshot=snapshot_bytes.decode(),
        drawn_by=actor.username,
    )
    session.add(record)
    await session.flush()
    payload = {"commitment": record.commitment, "algorithm": draw.ALGORITHM, "supplementary": str(record.id)}
    await audit.record(session, clock, actor, "draw.commit", "draw", tender_id, payload)
    dedupe_key = f"draw-entry:{tender_id}:{record.commitment[:32]}"
    await _tell(
        session,
        clock,
        Role.supervisor,
        "draw_needs_entry",
        tender_id,
        "补抽专家已承诺种子，请监督人员录入随机值",
        dedupe_key,
    )
    await session.commit()
    return record


async def enter_supplementary_beacon(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    draw_id: uuid.UUID,
    entry: str,
    *,
    lead: timedelta,
) -> None:
    """A supervisor's entry to a committed supplementary draw (once); it draws at once when the
    commit lead has passed, else the chronograph draws when it has."""
    record = await session.get(SupplementaryDraw, draw_id, with_for_update=True)
    if record is None or record.tender_id != tender_id:
        raise NotFound(f"tender {tender_id} has no supplementary draw {draw_id}")
    if record.status != SupplementaryStatus.committed or record.entry is not None:
        state = record.status if record.entry is None else f"entered by {record.entry_by}"
        await session.rollback()
        raise BeaconEntered(f"this supplementary draw takes no entry now ({state})")
    await _record_beacon(session, clock, actor, record, entry, {"supplementary": str(draw_id)})
    await session.commit()
    await run_supplementary_draw(session, draw_id, clock, actor, lead=lead)


async def supplementary_draws_due(session: AsyncSession, now: datetime, lead: timedelta) -> list[uuid.UUID]:
    """The committed supplementary draws with their entry whose commit lead has passed."""
    query = select(SupplementaryDraw.id).where(
        SupplementaryDraw.status == SupplementaryStatus.committed,
        SupplementaryDraw.entry.is_not(None),
        SupplementaryDraw.committed_at <= now - lead,
    )
    return list(await session.scalars(query))


async def run_supplementary_draw(
    session: AsyncSession, draw_id: uuid.UUID, clock: Clock, actor: Actor, *, lead: timedelta
) -> bool:
    """Draw the seats of a committed supplementary draw from its final seed (idempotent); a
    shortage fails it, naming the specialties, and the supervisors are told."""
    record = await session.get(SupplementaryDraw, draw_id, with_for_update=True)
    now = clock.now()
    if (
        record is None
        or record.status != SupplementaryStatus.committed
        or record.entry is None
        or record.committed_at is None
        or now < record.committed_at + lead
    ):
        await session.commit()
        return False
    tender_id = record.tender_id
    beacon = beacon_of(record)
    assert beacon is not None
    outcome = draw.draw(json.loads(record.snapshot), draw.final_seed(bytes.fromhex(record.seed_hex), beacon))
    record.drawn_at = now
    if not outcome.complete:
        move_supplementary(record, SupplementaryStatus.failed)
        record.shortages = outcome.shortages
        await audit.record(session, clock, actor, "draw.failed", "draw", tender_id, {"shortages": outcome.shortages})
        message = "补抽失败，符合条件的专家不足：" + _shortage_text(outcome.shortages)
        dedupe_key = f"draw-failed:{tender_id}:{record.commitment[:32]}"
        await _tell(session, clock, Role.supervisor, "draw_failed", tender_id, message, dedupe_key)
        await session.commit()
        return True
    row = await session.get(Draw, tender_id)
    assert row is not None
    seats = list(await session.scalars(select(Seat).where(Seat.tender_id == tender_id)))
    added = []
    for seat in outcome.members:
        last = max((s.draw_order for s in seats if s.specialty == seat.specialty), default=0)
        added.append(
            Seat(
                tender_id=tender_id,
                expert_id=uuid.UUID(seat.expert_id),
                specialty=seat.specialty,
                draw_order=last + seat.order,
                status=SeatStatus.drawn,
                called_at=now,
            )
        )
    session.add_all(added)
    move_supplementary(record, SupplementaryStatus.drawn)
    await session.flush()
    users = {
        e: u
        for e, u in await session.execute(
            select(Expert.id, Expert.user_id).where(Expert.id.in_([s.expert_id for s in added]))
        )
    }
    await notify_many(
        session,
        clock,
        [_drawn_notice(s.id, s.specialty, row.evaluation_on, users[s.expert_id]) for s in added if s.expert_id],
    )
    await audit.record(
        session,
        clock,
        actor,
        "draw.supplementary",
        "draw",
        tender_id,
        {"commitment": record.commitment, "members": len(added)},
    )
    await session.commit()
    return True


# --- seats and replacements ----------------------------------------------------------------


async def replace(
    session: AsyncSession, clock: Clock, actor: Actor, seat: Seat, reason: str, note: str | None = None
) -> Seat | None:
    """Take `seat` off the committee: its scores are void (implementing regulations art. 48), the
    report's signatures start again, and the first reserve of the same specialty is called in."""
    was_on_committee = seat.status in ON_COMMITTEE
    move_seat(seat, SeatStatus.replaced)
    now = clock.now()
    seat.replaced_at, seat.replaced_reason, seat.replaced_note = now, reason, note
    sheet = await session.get(ScoreSheet, seat.id)
    if sheet is not None:
        sheet.void = True
    for signature in await session.scalars(select(ReportSignature).where(ReportSignature.tender_id == seat.tender_id)):
        await session.delete(signature)
    incident = INCIDENT_OF_REPLACEMENT.get(reason)
    if incident is not None and seat.expert_id is not None:
        await conduct.record_incident(session, clock, actor, seat.expert_id, seat.tender_id, incident, str(seat.id))
    replacement: Seat | None = None
    if was_on_committee and seat.expert_id is None:  # a representative: the agency names another
        tender = await session.get(Tender, seat.tender_id)
        message = f"采购人代表回避或不能参加评审，请重新指派：{tender.project_name if tender else seat.tender_id}"
        await _tell(session, clock, Role.agency, "representative_vacant", seat.tender_id, message, f"rep:{seat.id}")
    elif was_on_committee:
        replacement = await session.scalar(
            select(Seat)
            .where(
                Seat.tender_id == seat.tender_id, Seat.specialty == seat.specialty, Seat.status == SeatStatus.reserve
            )
            .order_by(Seat.draw_order)
            .limit(1)
        )
        if replacement is not None:
            move_seat(replacement, SeatStatus.drawn)
            replacement.called_at = now
            seat.replaced_by = replacement.id
            d = await session.get(Draw, seat.tender_id)
            user_id = await session.scalar(select(Expert.user_id).where(Expert.id == replacement.expert_id))
            if d is not None and user_id is not None:
                await notify_many(
                    session, clock, [_drawn_notice(replacement.id, replacement.specialty, d.evaluation_on, user_id)]
                )
    payload = {"reason": reason, "replacement": str(replacement.id) if replacement else None}
    await audit.record(session, clock, actor, "seat.replace", "committee_seat", seat.id, payload)
    return replacement


REPRESENTATIVE = "representative"  # the specialty of a representative's seat
# Where the agency may still name a representative: before the report is signed.
NAMING_STATUSES = frozenset(
    {TenderStatus.published, TenderStatus.opening, TenderStatus.opened, TenderStatus.evaluation}
)


async def name_representative(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, username: str
) -> dict[str, Any]:
    """The tender's agency names the purchaser's (tenderee's) representative to one of the seats
    the draw left (at most a third of the committee: the experts are at least two thirds, Tendering
    Law art. 37; 财政部令第87号 art. 47): a login of the tenderee with the expert role, who then
    declares, scores and signs like the experts, but is never the committee's chair."""
    tender = await session.scalar(select(Tender).where(Tender.id == tender_id).with_for_update())
    if tender is None or not (actor.has_role(Role.agency) and actor.org_uscc == tender.agency_uscc):
        raise NotFound(f"tender {tender_id} not found")
    d = await session.get(Draw, tender_id)
    if d is None or d.status != DrawStatus.drawn:
        raise Conflict(
            "the representatives are named once the committee is drawn", zh="专家抽取完成后方可指派采购人代表"
        )
    if tender.status not in NAMING_STATUSES:
        raise Conflict(f"the tender is {tender.status}: representatives are named before the report")
    user = await session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or Role.expert not in user.roles or user.org_uscc != tender.tenderee_uscc:
        raise InvalidRequest(
            [FieldError("username", "not_representative", "a login of the tenderee with the expert role")]
        )
    sitting = list(
        await session.scalars(
            select(Seat).where(
                Seat.tender_id == tender_id, Seat.user_id.is_not(None), Seat.status.in_(sorted(ON_COMMITTEE))
            )
        )
    )
    if any(s.user_id == user.id for s in sitting):
        raise Conflict(f"{username} sits on the committee already")
    if len(sitting) >= d.representatives:
        raise Conflict(f"the committee's {d.representatives} representative seat(s) are taken")
    now = clock.now()
    seat = Seat(
        tender_id=tender_id,
        expert_id=None,
        user_id=user.id,
        name=user.display_name,
        specialty=REPRESENTATIVE,
        draw_order=len(sitting) + 1,
        status=SeatStatus.drawn,
        called_at=now,
    )
    session.add(seat)
    await session.flush()
    await audit.record(session, clock, actor, "committee.representative", "committee_seat", seat.id, {"user": username})
    await notify_many(session, clock, [_drawn_notice(seat.id, REPRESENTATIVE, d.evaluation_on, user.id)])
    await session.commit()
    return _seat_dict(seat, user.display_name)


async def own_seat(session: AsyncSession, actor: Actor, seat_id: uuid.UUID) -> Seat:
    seat = await session.scalar(
        select(Seat)
        .join(Expert, Expert.id == Seat.expert_id)
        .where(Seat.id == seat_id, Expert.user_id == actor.user_id)
    )
    if seat is None:
        raise NotFound(f"assignment {seat_id} not found")
    return seat


async def decline(
    session: AsyncSession, clock: Clock, actor: Actor, seat_id: uuid.UUID, reason: str | None
) -> dict[str, Any]:
    """An expert declines a seat (or a reserve place) before sitting; without a stated cause it
    counts against them in the assessment."""
    seat = await own_seat(session, actor, seat_id)
    if seat.status not in (SeatStatus.drawn, SeatStatus.reserve):
        raise Conflict(f"a {seat.status} seat cannot be declined")
    await replace(session, clock, actor, seat, "declined" if reason else "declined_without_cause", reason)
    await session.commit()
    return {"seat": str(seat.id), "status": seat.status, "reason": seat.replaced_reason}


async def seat_on(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> Seat | None:
    """The actor's seat on the tender's committee (drawn or seated), if any."""
    if not actor.has_role(Role.expert):
        return None
    return await session.scalar(
        select(Seat)
        .outerjoin(Expert, Expert.id == Seat.expert_id)
        .where(
            Seat.tender_id == tender_id,
            or_(Expert.user_id == actor.user_id, Seat.user_id == actor.user_id),
            Seat.status.in_(sorted(ON_COMMITTEE)),
        )
    )


async def member_seat(session: AsyncSession, actor: Actor, tender_id: uuid.UUID, *, seated: bool = False) -> Seat:
    """The actor's seat during the evaluation, or 404 (the same for every outsider)."""
    tender = await session.get(Tender, tender_id)
    seat = await seat_on(session, actor, tender_id)
    if tender is None or seat is None or tender.status not in EVALUATING:
        raise _not_found(tender_id)
    if seated and seat.status != SeatStatus.seated:
        raise Conflict("declare that you have no conflict of interest before you see any bid")
    return seat


async def declare(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, conflict: bool, statement: str | None
) -> dict[str, Any]:
    """The recusal declaration (回避承诺) before seeing any bid; a conflict, now or later, replaces
    the member through the reserves."""
    seat = await member_seat(session, actor, tender_id)
    if conflict:
        await replace(session, clock, actor, seat, "conflict", statement)
    elif seat.status == SeatStatus.drawn:
        move_seat(seat, SeatStatus.seated)
        seat.declared_at = clock.now()
        await audit.record(session, clock, actor, "seat.declare", "committee_seat", seat.id, {"conflict": False})
    else:
        raise Conflict("you have declared already")
    await session.commit()
    return {"seat": str(seat.id), "status": seat.status}


async def record_no_show(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, seat_id: uuid.UUID
) -> dict[str, Any]:
    """A supervisor records that a drawn member did not come; the next reserve is called."""
    seat = await session.get(Seat, seat_id)
    tender = await session.get(Tender, tender_id)
    if seat is None or tender is None or seat.tender_id != tender_id:
        raise NotFound(f"seat {seat_id} not found")
    if seat.status not in ON_COMMITTEE:
        raise Conflict(f"a {seat.status} seat cannot be a no-show")
    replacement = await replace(session, clock, actor, seat, "no_show")
    await session.commit()
    return {"seat": str(seat.id), "status": seat.status, "replacement": str(replacement.id) if replacement else None}


# --- who may see what ----------------------------------------------------------------------


async def member_users(session: AsyncSession, tender_id: uuid.UUID) -> list[uuid.UUID]:
    """The sign-in users of the committee's members (drawn or seated): whom its notices reach."""
    rows = await session.scalars(
        select(func.coalesce(Seat.user_id, Expert.user_id))
        .outerjoin(Expert, Expert.id == Seat.expert_id)
        .where(Seat.tender_id == tender_id, Seat.status.in_(sorted(ON_COMMITTEE)))
    )
    return [u for u in rows if u is not None]


def committee_is_public(tender: Tender) -> bool:
    return tender.status in COMMITTEE_PUBLIC_STATUSES


async def draw_view(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> dict[str, Any]:
    """The draw as anyone who may see the tender sees it (rules, status, when the commitment
    and the draw were made, the commitment, whether the beacon is in, a failure's shortages, and
    the same of each supplementary draw); the seeds, the snapshots, the beacon and the seats for
    supervisors once drawn, and for everyone once the committee is public. Nobody sees a seed
    before its draw: a supervisor who knew it could choose the entry that draws a committee."""
    tender = await visible_tender(session, actor, tender_id)
    row = await session.get(Draw, tender_id)
    if row is None:
        raise NotFound(f"no draw is set for tender {tender_id}")
    view: dict[str, Any] = {
        "tender": str(tender_id),
        "status": row.status,
        "committee_size": sum(q["members"] for q in row.quotas) + row.representatives,
        "quotas": row.quotas,
        "representatives": row.representatives,
        "region_rule": row.region_rule,
        "region": row.region,
        "draw_at": row.draw_at.isoformat(),
        "evaluation_on": row.evaluation_on.isoformat(),
        "algorithm": draw.ALGORITHM,
        "commitment": row.commitment,
        "committed_at": row.committed_at.isoformat() if row.committed_at else None,
        "entered_at": row.entry_at.isoformat() if row.entry_at else None,
        "shortages": row.shortages,
        "drawn_at": row.drawn_at.isoformat() if row.drawn_at else None,
    }
    revealed = actor.has_role(Role.supervisor) or committee_is_public(tender)
    supplementary = await session.scalars(
        select(SupplementaryDraw)
        .where(SupplementaryDraw.tender_id == tender_id)
        .order_by(SupplementaryDraw.committed_at, SupplementaryDraw.drawn_at)
    )
    view["supplementary"] = [
        {
            "id": str(x.id),
            "status": x.status,
            "quotas": x.quotas,
            "commitment": x.commitment,
            "committed_at": x.committed_at.isoformat() if x.committed_at else None,
            "entered_at": x.entry_at.isoformat() if x.entry_at else None,
            "drawn_at": x.drawn_at.isoformat() if x.drawn_at else None,
            "shortages": x.shortages,
            **(
                {"seed": x.seed_hex, "snapshot": x.snapshot, "beacon": _beacon_view(x)}
                if revealed and x.status != SupplementaryStatus.committed
                else {}
            ),
        }
        for x in supplementary
    ]
    if row.commitment and revealed and row.status != DrawStatus.scheduled:
        view["seed"] = row.seed_hex
        view["snapshot"] = row.snapshot
        if row.entry is not None:
            view["beacon"] = _beacon_view(row)
        if row.status == DrawStatus.drawn:
            seats = await session.scalars(
                select(Seat).where(Seat.tender_id == tender_id).order_by(Seat.specialty, Seat.draw_order)
            )
            view["seats"] = [_seat_dict(s) for s in seats]
    return view


def _beacon_view(row: Draw | SupplementaryDraw) -> dict[str, Any] | None:
    if row.entry is None:
        return None
    return {"entry": row.entry, "head_size": row.entry_head_size, "head_root": row.entry_head_root}


def _seat_dict(seat: Seat, name: str | None = None) -> dict[str, Any]:
    out = {
        "seat": str(seat.id),
        "expert": str(seat.expert_id) if seat.expert_id else None,
        "representative": seat.expert_id is None,
        "specialty": seat.specialty,
        "order": seat.draw_order,
        "status": seat.status,
        "replaced_reason": seat.replaced_reason,
    }
    if name is not None:
        out["name"] = name
    return out


async def committee_view(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> dict[str, Any]:
    """Who sits: supervisors see every seat (reserves and replacements with their reasons); a
    member sees the members from the start of the evaluation; anyone else: 404."""
    tender = await session.get(Tender, tender_id)
    if tender is None:
        raise _not_found(tender_id)
    if actor.has_role(Role.supervisor) or committee_is_public(tender):
        rows = (
            await session.execute(
                select(Seat, func.coalesce(Expert.name, Seat.name))
                .outerjoin(Expert, Expert.id == Seat.expert_id)
                .where(Seat.tender_id == tender_id)
                .order_by(Seat.specialty, Seat.draw_order)
            )
        ).all()
        if not rows:
            raise _not_found(tender_id)
        return {"tender": str(tender_id), "seats": [_seat_dict(s, name) for s, name in rows]}
    await member_seat(session, actor, tender_id)
    return {
        "tender": str(tender_id),
        "seats": [
            {
                "seat": str(s.id),
                "name": name,
                "specialty": s.specialty,
                "status": s.status,
                "representative": s.expert_id is None,
            }
            for s, name in await members_of(session, tender_id)
        ],
    }


async def members_of(session: AsyncSession, tender_id: uuid.UUID) -> list[tuple[Seat, str]]:
    """The committee as it sits now (drawn or seated, not reserves or the replaced), with names."""
    rows = await session.execute(
        select(Seat, func.coalesce(Expert.name, Seat.name))
        .outerjoin(Expert, Expert.id == Seat.expert_id)
        .where(Seat.tender_id == tender_id, Seat.status.in_(sorted(ON_COMMITTEE)))
        .order_by(Seat.specialty, Seat.draw_order)
    )
    return [(seat, name) for seat, name in rows]


async def assignments(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    """An expert's own seats. The tender is named only once its evaluation has started."""
    rows = (
        await session.execute(
            select(Seat, Draw.evaluation_on, Tender)
            .join(Expert, Expert.id == Seat.expert_id)
            .join(Draw, Draw.tender_id == Seat.tender_id)
            .join(Tender, Tender.id == Seat.tender_id)
            .where(Expert.user_id == actor.user_id)
            .order_by(Draw.evaluation_on.desc())
        )
    ).all()
    out = []
    for seat, evaluation_on, tender in rows:
        entry: dict[str, Any] = {
            "seat": str(seat.id),
            "status": seat.status,
            "specialty": seat.specialty,
            "evaluation_on": evaluation_on.isoformat(),
            "tender": None,
        }
        if seat.status in ON_COMMITTEE and tender.status in EVALUATING:
            entry["tender"] = {
                "id": str(tender.id),
                "project_name": tender.project_name,
                "project_code": tender.project_code,
            }
        out.append(entry)
    return out
