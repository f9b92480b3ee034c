"""Checking subjects against the credit lists (信用核查): the one query for the entries that could
match, the memoranda in force, the reviews of name-only hits, the pure decision
(`credit.matching.decide`), and the stored record with its evidence (lists and versions
consulted and whether any was stale, every hit with its entry, rule version and legal basis).

Every check of the platform goes through `check`: the candidate winners of a signed report, a
bid being submitted, experts in a draw, intermediaries registering, and supervisors' own checks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ARRAY, String, any_, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.problems import InvalidRequest
from app.core.resident_id import resident_id_error
from app.core.uscc import check_uscc
from app.core.validation import FieldError
from credit import matching
from credit.lists import freshness
from credit.matching import Entry, Subject, Verdict
from credit.memoranda import current_rules
from credit.models import CreditCheck, CreditEntry, CreditReview
from credit.states import ReviewStatus


@dataclass(frozen=True)
class Checked:
    day: date
    verdicts: list[tuple[Verdict, str]]  # with the context each subject was checked in
    lists: list[dict[str, Any]]

    @property
    def stale(self) -> list[str]:
        return [lst["list_type"] for lst in self.lists if lst["stale"]]


def as_entry(row: CreditEntry) -> Entry:
    return Entry(
        row.id,
        row.list_type,
        row.subject_kind,
        row.uscc,
        row.person_hash,
        row.masked_id,
        row.name,
        row.reason,
        row.authority,
        row.document,
        row.listed_on,
        row.expires_on,
        row.removed_on,
    )


async def candidate_entries(session: AsyncSession, subjects: Sequence[Subject]) -> list[Entry]:
    """The current entries that could match any subject: the same USCC, person hash or name."""
    usccs = sorted({s.uscc for s in subjects if s.uscc})
    hashes = sorted({s.person_hash for s in subjects if s.person_hash})
    names = sorted({s.name for s in subjects if s.name})
    postgres = (await session.connection()).dialect.name == "postgresql"

    def among(column: Any, values: list[str]) -> Any:
        # PostgreSQL: one array parameter (`= ANY`), one plan whatever the number of subjects
        return column == any_(cast(values, ARRAY(String))) if postgres else column.in_(values)

    conditions = []
    if usccs:
        conditions.append(among(CreditEntry.uscc, usccs))
    if hashes:
        conditions.append(among(CreditEntry.person_hash, hashes))
    if names:
        conditions.append(among(CreditEntry.name, names))
    if not conditions:
        return []
    rows = await session.scalars(select(CreditEntry).where(CreditEntry.removed_in.is_(None), or_(*conditions)))
    return [as_entry(r) for r in rows]


async def check(session: AsyncSession, clock: Clock, subjects: Sequence[tuple[Subject, str]], day: date) -> Checked:
    """Decide every (subject, context) against the entries active on `day` under the memoranda
    in force. Nothing is written: `record` keeps the evidence, `raise_reviews` the review hits."""
    entries = await candidate_entries(session, [s for s, _ in subjects])
    rules = await current_rules(session)
    reviews: dict[tuple[int, str], str] = {}
    if entries:
        rows = await session.execute(
            select(CreditReview.entry_id, CreditReview.subject_key, CreditReview.status).where(
                CreditReview.entry_id.in_({e.id for e in entries})
            )
        )
        reviews = {(entry_id, key): status for entry_id, key, status in rows}

    def review_of(entry: Entry, subject: Subject) -> str | None:
        return reviews.get((entry.id, subject.key))

    by_identifier: dict[str, list[Entry]] = {}
    for e in entries:  # each subject is decided against the entries sharing its code, hash or name only
        for key in {e.uscc, e.person_hash, e.name} - {None}:
            by_identifier.setdefault(f"{key}", []).append(e)

    def relevant(subject: Subject) -> list[Entry]:
        found = {}
        for key in (subject.uscc, subject.person_hash, subject.name):
            for e in by_identifier.get(key, ()) if key else ():
                found[e.id] = e
        return list(found.values())

    verdicts = [(matching.decide(s, relevant(s), rules, context, day, review_of), context) for s, context in subjects]
    return Checked(day, verdicts, await freshness(session, clock.now()))


def verdict_view(verdict: Verdict, checked: Checked) -> dict[str, Any]:
    """One subject's answer: the outcome, every hit with its entry, rule and legal basis, and the
    stale lists the answer rests on."""
    return {
        "subject": verdict.subject.as_dict(),
        "outcome": verdict.outcome,
        "hits": [h.as_dict() for h in verdict.hits],
        "stale_lists": checked.stale,
    }


async def raise_reviews(
    session: AsyncSession,
    clock: Clock,
    checked: Checked,
    tender_id: uuid.UUID | None = None,
    only: Sequence[Verdict] | None = None,
) -> int:
    """Open a review for every name-only hit that has none yet (one per entry and subject)."""
    raised = 0
    seen: set[tuple[int, str]] = set()
    for verdict, _ in checked.verdicts:
        if only is not None and verdict not in only:
            continue
        for hit in verdict.hits:
            key = (hit.entry.id, verdict.subject.key)
            if hit.match != "name" or hit.review is not None or key in seen:
                continue
            seen.add(key)
            session.add(
                CreditReview(
                    entry_id=hit.entry.id,
                    subject_key=verdict.subject.key,
                    subject=verdict.subject.as_dict(),
                    tender_id=tender_id,
                    status=ReviewStatus.open,
                    raised_at=clock.now(),
                )
            )
            raised += 1
    if raised:
        await session.flush()
    return raised


def record(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    checked: Checked,
    *,
    tender_id: uuid.UUID | None = None,
    bid_id: uuid.UUID | None = None,
    run_id: uuid.UUID | None = None,
    only: Sequence[Verdict] | None = None,
) -> list[CreditCheck]:
    """Keep each verdict (or `only` these) with its evidence."""
    kept = []
    lists = [{k: lst[k] for k in ("list_type", "version", "last_import", "entries", "stale")} for lst in checked.lists]
    for verdict, context in checked.verdicts:
        if only is not None and verdict not in only:
            continue
        row = CreditCheck(
            id=uuid.uuid4(),
            run_id=run_id,
            tender_id=tender_id,
            bid_id=bid_id,
            context=context,
            subject=verdict.subject.as_dict(),
            outcome=verdict.outcome,
            hits=[h.as_dict() for h in verdict.hits],
            lists=lists,
            check_day=checked.day,
            checked_at=clock.now(),
            checked_by=actor.username,
        )
        session.add(row)
        kept.append(row)
    return kept


def check_view(row: CreditCheck) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "context": row.context,
        "subject": row.subject,
        "outcome": row.outcome,
        "hits": row.hits,
        "lists": row.lists,
        "day": row.check_day.isoformat(),
        "checked_at": row.checked_at.isoformat(),
        "checked_by": row.checked_by,
    }


CONTEXT_OF_ROLE = {
    "bidder": "bid",
    "candidate": "candidate",
    "expert": "expert",
    "intermediary": "intermediary",
    "agency": "agency",
}


def subjects_from(items: Sequence[Any], hash_person: Callable[[str], str]) -> list[tuple[Subject, str]]:
    """The subjects of a supervisor's check (credit.schemas.SubjectIn), or 422 naming every bad
    field: exactly one identifier each, a valid USCC, a valid full resident ID (hashed here)."""
    errors: list[FieldError] = []
    pairs: list[tuple[Subject, str]] = []
    for i, item in enumerate(items):
        given = [f for f in ("uscc", "person_id", "name") if getattr(item, f)]
        if len(given) != 1:
            errors.append(FieldError(f"subjects[{i}]", "one_identifier", "exactly one of uscc, person_id or name"))
            continue
        role = item.role
        if item.uscc:
            wrong = check_uscc(item.uscc.upper())
            if wrong:
                errors.append(FieldError(f"subjects[{i}].uscc", wrong.code, wrong.message))
                continue
            subject = Subject(role, "organization", uscc=item.uscc.upper())
        elif item.person_id:
            problem = resident_id_error(item.person_id)
            if problem:
                errors.append(FieldError(f"subjects[{i}].person_id", "invalid", problem))
                continue
            subject = Subject(role, "person", person_hash=hash_person(item.person_id))
        else:
            kind = item.kind or ("person" if role == "expert" else "organization")
            subject = Subject(role, kind, name=item.name)
        pairs.append((subject, CONTEXT_OF_ROLE[role]))
    if errors:
        raise InvalidRequest(errors)
    return pairs


async def supervisors_check(
    session: AsyncSession, clock: Clock, actor: Actor, pairs: Sequence[tuple[Subject, str]], day: date
) -> dict[str, Any]:
    """The fixed check interface (`POST /api/v1/credit/checks`, `ggzy credit check`): every
    subject's outcome and hits on `day`, kept as evidence and audited. It raises no reviews: a
    supervisor's own name query is not a candidate to review."""
    checked = await check(session, clock, pairs, day)
    record(session, clock, actor, checked)
    results = [verdict_view(v, checked) for v, _ in checked.verdicts]
    await audit.record(
        session,
        clock,
        actor,
        "credit.check",
        "credit_check",
        day.isoformat(),
        {"subjects": [r["subject"] for r in results], "outcomes": [r["outcome"] for r in results]},
    )
    await session.commit()
    return {"at": day.isoformat(), "results": results, "lists": checked.lists, "stale_lists": checked.stale}
