"""Checking subjects against the credit lists (信用核查): the one query for the entries that could
match, the memoranda in force, the reviews of name-only hits, the pure decision
(`credit.matching.decide`), and the stored record with its evidence (lists and versions
consulted and whether any was stale, every hit with its entry, rule version and legal basis).

Every check of the platform goes through `check`: the candidate winners of a signed report, a
bid being submitted, experts in a draw, intermediaries registering, and supervisors' own checks.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, Select, String, and_, any_, bindparam, exists, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.problems import InvalidRequest
from app.core.resident_id import resident_id_error
from app.core.uscc import check_uscc
from app.core.validation import FieldError
from credit import matching
from credit.entries import SUBJECT_KINDS
from credit.lists import FRESHNESS_COLUMNS, freshness_of, freshness_query
from credit.matching import Entry, Rule, Subject, Verdict
from credit.memoranda import rule_of, rules_in_force
from credit.models import CreditCheck, CreditEntry, CreditListType, CreditReview
from credit.states import ReviewStatus


@dataclass(frozen=True)
class Checked:
    day: date
    verdicts: list[tuple[Verdict, str]]  # with the context each subject was checked in
    lists: list[dict[str, Any]]

    @property
    def stale(self) -> list[str]:
        return [lst["list_type"] for lst in self.lists if lst["stale"]]


ENTRY_FIELDS = (
    CreditEntry.id,
    CreditEntry.list_type,
    CreditEntry.subject_kind,
    CreditEntry.uscc,
    CreditEntry.person_hash,
    CreditEntry.masked_id,
    CreditEntry.name,
    CreditEntry.reason,
    CreditEntry.authority,
    CreditEntry.document,
    CreditEntry.listed_on,
    CreditEntry.expires_on,
    CreditEntry.removed_on,
    CreditEntry.decision,
)  # in `Entry`'s order


def _matching_subjects(postgres: bool, by_uscc: bool, by_hash: bool, named_kinds: tuple[str, ...]) -> Any:
    """The condition an entry meets when it could match one of the subjects (bound parameters)."""

    def among(column: Any, name: str) -> Any:
        if postgres:
            return column == any_(bindparam(name, type_=ARRAY(String)))
        return column.in_(bindparam(name, expanding=True))

    conditions = []
    if by_uscc:
        conditions.append(among(CreditEntry.uscc, "usccs"))
    if by_hash:
        conditions.append(among(CreditEntry.person_hash, "hashes"))
    for kind in named_kinds:
        conditions.append(
            and_(CreditEntry.uscc.is_(None), CreditEntry.subject_kind == kind, among(CreditEntry.name, f"{kind}_names"))
        )
    return or_(*conditions)


@functools.cache
def candidate_entries_query(
    postgres: bool, by_uscc: bool, by_hash: bool, named_kinds: tuple[str, ...]
) -> Select[*tuple[Any, ...]]:
    """Built once per shape (a statement is immutable); the values are bound parameters: on
    PostgreSQL one array each (`= ANY`: one plan whatever the number of subjects)."""
    matching_subjects = _matching_subjects(postgres, by_uscc, by_hash, named_kinds)
    return select(*ENTRY_FIELDS).where(CreditEntry.removed_in.is_(None), matching_subjects)


@functools.cache
def dropped_entries_query(
    postgres: bool, by_uscc: bool, by_hash: bool, named_kinds: tuple[str, ...]
) -> Select[*tuple[Any, ...]]:
    """The rows a version dropped after `:day` that could match (a changed entry is carried by its
    newer row, so a row ended by the version that added its successor is not one of them)."""
    later = aliased(CreditEntry)
    successor = (
        exists()
        .where(
            later.list_type == CreditEntry.list_type,
            later.entry_key == CreditEntry.entry_key,
            later.added_in == CreditEntry.removed_in,
        )
        .correlate(CreditEntry)
    )
    return select(*ENTRY_FIELDS).where(
        CreditEntry.removed_in.is_not(None),
        CreditEntry.ended_on > bindparam("day"),
        _matching_subjects(postgres, by_uscc, by_hash, named_kinds),
        ~successor,
    )


@functools.cache
def listed_on_query(postgres: bool, by_uscc: bool, by_hash: bool, named_kinds: tuple[str, ...]) -> Any:
    """The current candidates and the dropped ones of `:day`, in one statement."""
    shape = (postgres, by_uscc, by_hash, named_kinds)
    return union_all(candidate_entries_query(*shape), dropped_entries_query(*shape))


async def candidate_entries(
    session: AsyncSession,
    subjects: Sequence[Subject],
    named_kinds: Collection[str] = SUBJECT_KINDS,
    day: date | None = None,
) -> list[Entry]:
    """The entries that could match any subject: the same USCC or person hash, or the same name
    on an entry of the same kind without a USCC (an entry with a USCC matches by its code only,
    see `matching.match`; the name index holds only the others, by kind), among the current ones
    and, for a check at `day`, those a later version dropped after it (what was listed then).
    Names are looked up only for the `named_kinds`: the kinds that have such entries at all."""
    values: dict[str, list[str]] = {
        "usccs": list({s.uscc for s in subjects if s.uscc}),
        "hashes": list({s.person_hash for s in subjects if s.person_hash}),
    }
    for kind in SUBJECT_KINDS:
        if kind in named_kinds:
            values[f"{kind}_names"] = list({s.name for s in subjects if s.name and s.kind == kind})
    values = {name: found for name, found in values.items() if found}
    if not values:
        return []
    connection = await session.connection()  # Core, not the ORM: plain rows, no entities
    postgres = connection.dialect.name == "postgresql"
    shape = (postgres, "usccs" in values, "hashes" in values, tuple(k for k in SUBJECT_KINDS if f"{k}_names" in values))
    if day is None:
        rows = await connection.execute(candidate_entries_query(*shape), values)
    else:  # a day before the last drop: the dropped rows too, in the same round trip
        rows = await connection.execute(listed_on_query(*shape), {**values, "day": day})
    return [Entry._make(row) for row in rows]  # ENTRY_FIELDS are Entry's


async def check(session: AsyncSession, clock: Clock, subjects: Sequence[tuple[Subject, str]], day: date) -> Checked:
    """Decide every (subject, context) against the entries active on `day` under the memoranda
    in force. Nothing is written: `record` keeps the evidence, `raise_reviews` the review hits."""
    lists, rules, named_kinds, last_ended = await lists_and_rules(session, clock.now())
    dropped_after = day if last_ended is not None and day < last_ended else None  # a past day only
    entries = await candidate_entries(session, [s for s, _ in subjects], named_kinds, dropped_after)
    reviews: dict[tuple[int, str], str] = {}
    may_be_named = {e.id for e in entries if e.uscc is None}  # an entry with a USCC is never a name hit
    if may_be_named:
        rows = await session.execute(
            select(CreditReview.entry_id, CreditReview.subject_key, CreditReview.status).where(
                CreditReview.entry_id.in_(may_be_named)
            )
        )
        reviews = {(entry_id, key): status for entry_id, key, status in rows}

    def review_of(entry: Entry, subject: Subject) -> str | None:
        return reviews.get((entry.id, subject.key))

    by_identifier: dict[str, list[Entry]] = {}
    for e in entries:  # each subject is decided against the entries sharing its code, hash or name only
        for key in {e.uscc, e.person_hash, e.name} - {None}:
            by_identifier.setdefault(f"{key}", []).append(e)

    verdicts = []
    for subject, context in subjects:
        keys = (subject.uscc, subject.person_hash, subject.name)
        if not (keys[0] in by_identifier or keys[1] in by_identifier or keys[2] in by_identifier):
            verdicts.append((Verdict(subject, "clear"), context))  # most subjects: nothing of theirs is listed
            continue
        found = {e.id: e for key in keys if key in by_identifier for e in by_identifier[key]}
        verdicts.append((matching.decide(subject, found.values(), rules, context, day, review_of), context))
    return Checked(day, verdicts, lists)


@functools.cache
def lists_and_rules_query() -> Select[*tuple[Any, ...]]:
    """Built once (a statement is immutable): `lists_and_rules`' one query."""
    rules_now = rules_in_force()

    def named(kind: str) -> Any:
        entry = CreditEntry
        return (
            exists()
            .where(entry.removed_in.is_(None), entry.uscc.is_(None), entry.subject_kind == kind)
            .label(f"named_{kind}")
        )

    # The last day a version dropped rows (the partial index's last key): a check of a later day
    # needs no dropped row at all.
    last_ended = select(func.max(CreditEntry.ended_on)).where(CreditEntry.removed_in.is_not(None)).scalar_subquery()
    return (
        freshness_query()
        .add_columns(*(named(kind) for kind in SUBJECT_KINDS), last_ended.label("last_ended"), *rules_now.c)
        .outerjoin(rules_now, rules_now.c.list_type == CreditListType.code)
    )


async def lists_and_rules(
    session: AsyncSession, now: datetime
) -> tuple[list[dict[str, Any]], dict[str, Rule], set[str], date | None]:
    """Every list's freshness, the rule in force for it, the subject kinds that have current
    entries without a USCC (the only ones a name can match), and the last day a version dropped
    entries, in one query: every check asks."""
    lists, rules, named_kinds, last_ended = [], {}, set(), None
    ended_at = FRESHNESS_COLUMNS + len(SUBJECT_KINDS)
    rule_at = ended_at + 1
    for row in await (await session.connection()).execute(lists_and_rules_query()):
        lists.append(freshness_of(row, now))
        named_kinds |= {kind for i, kind in enumerate(SUBJECT_KINDS) if row[FRESHNESS_COLUMNS + i]}
        last_ended = row[ended_at]
        if row[rule_at] is not None:
            rules[row[rule_at]] = rule_of(row[rule_at:])
    return lists, rules, named_kinds, last_ended


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
