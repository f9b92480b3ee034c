"""SQLAlchemy tables of joint credit penalties (联合惩戒): the list types, their entries and
imports (versions), the memoranda's rules (versioned), the checks with their evidence, the
candidate checks of signed reports, and the review of name-only hits (the ORM; the API contract
is in schemas.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

EntryId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite numbers only INTEGER keys itself
CURRENT = text("removed_in IS NULL")  # entries of the list's current version
NAMED = text("removed_in IS NULL AND uscc IS NULL")  # current entries a name can match
ENDED = text("removed_in IS NOT NULL")  # rows a later version ended


class CreditListType(Base):
    """A credit list (信用名单) and who issues it; `importable` is false for the platform's own
    list, whose entries are breaches recorded by officers."""

    __tablename__ = "credit_list_types"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    authority: Mapped[str] = mapped_column(String(100))
    importable: Mapped[bool] = mapped_column(Boolean, default=True)
    # A list last imported longer ago than this is stale: every check against it says so.
    max_age_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    # The least time an entry stays published before its subject may apply for credit repair
    # (信用修复管理办法, 国家发展改革委令第36号); None: repair is the issuing authority's, not ours.
    min_publication_days: Mapped[int | None] = mapped_column(Integer)
    # The subject's statement period (陈述申辩, working days) before an entry takes effect; None:
    # entries are imported as their authority decided them.
    statement_working_days: Mapped[int | None] = mapped_column(Integer)


class CreditListImport(Base):
    """One import of a list: its version, source, time and diff against the version before."""

    __tablename__ = "credit_list_imports"
    __table_args__ = (UniqueConstraint("list_type", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    list_type: Mapped[str] = mapped_column(ForeignKey("credit_list_types.code"))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    imported_by: Mapped[str] = mapped_column(String(100))
    entries: Mapped[int] = mapped_column(Integer)  # in the list after the import
    added: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)


class EntryFacts:
    """What an entry says, the same in a list and in an import's staged rows (credit.entries.EntryRow
    in the same order): which entry it is (`entry_key`), the digest of its facts, the subject, why,
    by whom, and when."""

    entry_key: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(32))
    subject_kind: Mapped[str] = mapped_column(String(16))
    uscc: Mapped[str | None] = mapped_column(String(18))
    person_hash: Mapped[str | None] = mapped_column(String(64))
    masked_id: Mapped[str | None] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    authority: Mapped[str] = mapped_column(String(500))
    document: Mapped[str] = mapped_column(String(500))
    listed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)


class CreditEntry(EntryFacts, Base):
    """An entry of a list. A version's import adds rows (`added_in`) and ends rows (`removed_in`):
    a changed entry is the old row ended and a new one added, so every version's diff and the
    evidence of old checks stay readable. Never a resident ID: `person_hash` is its keyed hash."""

    __tablename__ = "credit_entries"
    __table_args__ = (
        Index("ix_credit_entries_uscc", "uscc", postgresql_where=CURRENT, sqlite_where=CURRENT),
        Index("ix_credit_entries_person", "person_hash", postgresql_where=CURRENT, sqlite_where=CURRENT),
        # Names are looked up only among entries without a USCC (an entry with one matches by code).
        Index("ix_credit_entries_named", "subject_kind", "name", postgresql_where=NAMED, sqlite_where=NAMED),
        Index("ix_credit_entries_list", "list_type", "entry_key", postgresql_where=CURRENT, sqlite_where=CURRENT),
        # Ended rows by the day they ended: a check at a past day reads the few ended after it.
        Index("ix_credit_entries_ended", "ended_on", postgresql_where=ENDED, sqlite_where=ENDED),
    )

    id: Mapped[int] = mapped_column(EntryId, primary_key=True, autoincrement=True)
    list_type: Mapped[str] = mapped_column(String(40))
    added_in: Mapped[int] = mapped_column(Integer)
    removed_in: Mapped[int | None] = mapped_column(Integer)
    # The day (in the platform's timezone) of the version that ended the row: a check at an earlier
    # day still finds an entry a later version dropped.
    ended_on: Mapped[date | None] = mapped_column(Date)
    # A competent authority's decision on a platform-list entry, entered by a supervisor with the
    # document: {authority, number, decided_on, measures, until, legal_basis, document_sha256}.
    # Only such an entry bars; any other entry of the platform's list warns.
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CreditImportRow(EntryFacts, Base):
    """An import's validated rows, staged inside its transaction (never committed): the diff
    against the current entries is computed in SQL, so a file of millions of rows never has to
    be held in memory."""

    __tablename__ = "credit_import_rows"
    __table_args__ = (Index("ix_credit_import_rows_key", "import_id", "entry_key"),)  # the diff's joins

    import_id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True)


class CreditRule(Base):
    """A memorandum's rule (联合惩戒备忘录) for one list type, in one version: the measures, how
    long they last, and the legal basis every measure names. The highest version is in force."""

    __tablename__ = "credit_rules"
    __table_args__ = (UniqueConstraint("list_type", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    list_type: Mapped[str] = mapped_column(ForeignKey("credit_list_types.code"))
    version: Mapped[int] = mapped_column(Integer)
    measures: Mapped[list[str]] = mapped_column(JSON)
    duration_days: Mapped[int | None] = mapped_column(Integer)
    legal_basis: Mapped[str] = mapped_column(String(300))
    edited_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    edited_by: Mapped[str] = mapped_column(String(100))


class CreditCheck(Base):
    """One subject checked, with its evidence: the lists and versions consulted (and whether any
    was stale), every hit with its entry, rule version and legal basis, and the outcome."""

    __tablename__ = "credit_checks"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("credit_check_runs.id"), index=True)
    tender_id: Mapped[uuid.UUID | None] = mapped_column(GUID, index=True)
    bid_id: Mapped[uuid.UUID | None] = mapped_column(GUID)
    context: Mapped[str] = mapped_column(String(16))
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(16))
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    lists: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    check_day: Mapped[date] = mapped_column(Date)
    checked_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    checked_by: Mapped[str] = mapped_column(String(100))


class CreditCheckRun(Base):
    """The candidate check of a tender's signed report (or its re-run by a supervisor): the
    committee's candidates, the ones a barring finding flagged for the committee's re-review, the
    ones the committee then disqualified, and the candidates that came out of it."""

    __tablename__ = "credit_check_runs"
    __table_args__ = (UniqueConstraint("tender_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per tender: the order of the runs
    revision: Mapped[int] = mapped_column(Integer)  # of the evaluation report
    trigger: Mapped[str] = mapped_column(String(32))  # report_signed, report_revised, rerun
    required: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # candidates, review (the committee re-reviews) or none
    ranking: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # every ranked bid and what the check made of it
    candidates: Mapped[list[str]] = mapped_column(JSON)
    disqualified: Mapped[list[str]] = mapped_column(JSON)
    promoted: Mapped[list[str]] = mapped_column(JSON)  # runs before revision 0013 only: none is promoted now
    flagged: Mapped[list[str]] = mapped_column(JSON, default=list)  # for the committee's re-review
    checked_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    checked_by: Mapped[str] = mapped_column(String(100))


class CreditReview(Base):
    """A name-only hit for supervisors to confirm or dismiss, once per entry and subject: a
    dismissed review stays dismissed, a confirmed one counts as an identifier match."""

    __tablename__ = "credit_reviews"
    __table_args__ = (UniqueConstraint("entry_id", "subject_key"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    entry_id: Mapped[int] = mapped_column(ForeignKey("credit_entries.id"))
    subject_key: Mapped[str] = mapped_column(String(200))
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    tender_id: Mapped[uuid.UUID | None] = mapped_column(GUID)  # the candidate check that raised it, if any
    status: Mapped[str] = mapped_column(String(16), index=True)  # open, confirmed, dismissed
    reason: Mapped[str | None] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))


class CreditScoreWeight(Base):
    """What one factor of an organization's record costs its credit score (credit/score_rules.py)."""

    __tablename__ = "credit_score_weights"

    factor: Mapped[str] = mapped_column(String(40), primary_key=True)
    points: Mapped[int] = mapped_column(Integer)
    cap: Mapped[int] = mapped_column(Integer)
    window_days: Mapped[int | None] = mapped_column(Integer)
    edited_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    edited_by: Mapped[str] = mapped_column(String(100))


class CreditSubmission(Base):
    """What a listed subject submits about a platform-list entry: its statement (陈述申辩) before
    the listing takes effect, recorded (`received`); or a credit-repair application (信用修复),
    `open` until a supervisor grants or refuses it with reasons."""

    __tablename__ = "credit_submissions"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    entry_id: Mapped[int] = mapped_column(ForeignKey("credit_entries.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # statement or repair
    uscc: Mapped[str] = mapped_column(String(18))
    text: Mapped[str] = mapped_column(String(4000))
    submitted_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    submitted_by: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), index=True)  # received, open, granted, refused
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(2000))
