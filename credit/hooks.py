"""What the credit check answers to the other domains, wired by app/wiring.py: the gate before a
bid is taken or an intermediary registers (app.core.gates), and the experts a credit list bars
from a committee on a day (experts.committee.CreditBarred)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.clock import Clock
from app.core.gates import Gate, GateAnswer, GateQuery
from app.identity.models import Organization
from credit import checks, matching
from credit.candidates import org_subjects
from credit.memoranda import current_rules
from credit.scores import score_of
from experts.models import Expert


def gate(tz: ZoneInfo) -> Gate:
    async def credit_gate(session: AsyncSession, clock: Clock, actor: Actor, query: GateQuery) -> GateAnswer:
        orgs = {
            o.uscc: o for o in await session.scalars(select(Organization).where(Organization.uscc.in_(query.usccs)))
        }
        lead = query.usccs[0]
        role = "bidder" if query.context == "bid" else query.context
        subjects = [
            s
            for uscc in query.usccs
            for s in org_subjects(
                orgs.get(uscc), uscc, role if uscc == lead else "consortium_member", None if uscc == lead else lead
            )
        ]
        checked = await checks.check(
            session, clock, [(s, query.context) for s in subjects], clock.now().astimezone(tz).date()
        )
        findings: list[dict[str, object]] = [
            {"subject": v.subject.as_dict(), **h.as_dict()}
            for v, _ in checked.verdicts
            for h in v.hits
            if h.effect != "none"
        ]
        outcome = matching.worst(v.outcome for v, _ in checked.verdicts)
        if outcome == "review":
            outcome = "warning"  # a name-only match never stops a step; supervisors see it at the candidate check
        if query.min_score is not None:
            standing = await score_of(session, clock, tz, lead) if lead in orgs else {"score": 0}
            if standing["score"] < query.min_score:
                outcome = "barred"
                findings.append(
                    {
                        "score": standing["score"],
                        "min_score": query.min_score,
                        "reason": f"the credit score {standing['score']} is below the {query.min_score} required",
                    }
                )
        tender_id = query.object_id if query.object_type == "tender" else None
        checks.record(session, clock, actor, checked, tender_id=tender_id)
        return GateAnswer(outcome, tuple(findings))

    return credit_gate


async def expert_bars(session: AsyncSession, ids: Sequence[uuid.UUID], day: date) -> set[uuid.UUID]:
    """The experts an identifier match bars from committees (a rule with `bar_expert`) on the day
    (experts.committee.CreditBarred): only an expert whose resident ID is on file can be matched;
    a name alone never bars."""
    rows = await session.execute(
        select(Expert.id, Expert.person_hash).where(Expert.id.in_(ids), Expert.person_hash.is_not(None))
    )
    subjects = {i: matching.Subject("expert", "person", person_hash=h) for i, h in rows}
    if not subjects:
        return set()
    entries = await checks.candidate_entries(session, list(subjects.values()))
    rules = await current_rules(session)
    return {
        expert_id
        for expert_id, subject in subjects.items()
        if matching.decide(subject, entries, rules, "expert", day).outcome == "barred"
    }
