"""SQLAlchemy tables of the evaluation (评标): the specialty classification, the expert pool with
its availability, the draw and the committee's seats, the template, the score sheets, the
report's signatures and corrections, and the experts' assessment record (the ORM; the API
contract is in schemas.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.money import Money


class Specialty(Base):
    """The hierarchical specialty classification (专业分类), kept in data: dotted codes,
    e.g. construction > construction.civil > construction.civil.bridges."""

    __tablename__ = "specialties"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))


class Expert(Base):
    """A pool expert (评标专家) with a login of role `expert`."""

    __tablename__ = "experts"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(64))
    employer_uscc: Mapped[str] = mapped_column(String(18), index=True)
    # The keyed hash of the resident ID (app.core.resident_id), for the credit lists' checks.
    person_hash: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(32))
    birth_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    suspended_until: Mapped[date | None] = mapped_column(Date)
    # 招标投标法 art. 37: eight years in the field and a senior title (高级) or its equivalent
    # (同等专业水平); None: the pool file did not say, and the draw passes the expert over.
    field_since: Mapped[date | None] = mapped_column(Date)
    title_level: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class ExpertSpecialty(Base):
    __tablename__ = "expert_specialties"
    __table_args__ = (Index("ix_expert_specialties_code", "code", "expert_id"),)

    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), primary_key=True)
    code: Mapped[str] = mapped_column(ForeignKey("specialties.code"), primary_key=True)


POOL_FILE, DECLARED = "pool", "expert"  # where a block of unavailable days comes from


class Unavailability(Base):
    """A block of days an expert cannot serve (both ends included), from the pool file (`pool`) or
    declared by the expert (`expert`): each source replaces only its own blocks, and the draw
    respects both."""

    __tablename__ = "expert_unavailability"
    __table_args__ = (Index("ix_expert_unavailability_days", "starts_on", "ends_on"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(8), default=POOL_FILE, server_default=POOL_FILE)


class Beaconed:
    """When a draw's commitment was published, and its beacon (experts.draw.Beacon): a supervisor's
    entry after the commitment, and the audit log's signed tree head in force when it was made."""

    committed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    entry: Mapped[str | None] = mapped_column(String(200))
    entry_by: Mapped[str | None] = mapped_column(String(64))
    entry_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    entry_head_size: Mapped[int | None] = mapped_column(BigInteger)
    entry_head_root: Mapped[str | None] = mapped_column(String(64))


class Draw(Beaconed, Base):
    """A tender's expert draw: its rules, the commitment published before drawing, and (secret
    until the committee may be known) the seed and the snapshot that replay it."""

    __tablename__ = "expert_draws"

    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    quotas: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # the seats left to the purchaser's representatives (the quotas seat the rest): at most a third
    representatives: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    region_rule: Mapped[str | None] = mapped_column(String(8))
    region: Mapped[str | None] = mapped_column(String(32))
    draw_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    evaluation_on: Mapped[date] = mapped_column(Date)
    configured_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    configured_by: Mapped[str] = mapped_column(String(64))
    commitment: Mapped[str | None] = mapped_column(String(128))
    seed_hex: Mapped[str | None] = mapped_column(String(64))
    snapshot: Mapped[str | None] = mapped_column(Text)
    shortages: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    drawn_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class SupplementaryDraw(Beaconed, Base):
    """A draw that fills the committee's vacancies once a specialty's reserves are used up (补抽),
    verifiable the same way: its own snapshot (everyone already drawn for the tender excluded),
    seed and commitment, then a supervisor's entry (the beacon) and the draw the commit lead after
    the commitment. `status`: committed (waiting), drawn, or failed (a shortage)."""

    __tablename__ = "supplementary_draws"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="drawn", server_default="drawn", index=True)
    quotas: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    commitment: Mapped[str] = mapped_column(String(128))
    seed_hex: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[str] = mapped_column(Text)
    shortages: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    drawn_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    drawn_by: Mapped[str] = mapped_column(String(64))  # the supervisor who asked for it


class Seat(Base):
    """One drawn expert on a tender's committee, or a reserve waiting in its specialty's order;
    or the purchaser's (tenderee's) representative the agency named (`user_id`, `name`; no
    expert, specialty `representative`), at most a third of the committee."""

    __tablename__ = "committee_seats"
    __table_args__ = (UniqueConstraint("tender_id", "expert_id"), Index("ix_committee_seats_expert", "expert_id"))

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    expert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("experts.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))  # a representative's login
    name: Mapped[str | None] = mapped_column(String(100))  # a representative's name
    specialty: Mapped[str] = mapped_column(String(64))
    draw_order: Mapped[int] = mapped_column(Integer)  # place in the specialty's draw order
    status: Mapped[str] = mapped_column(String(16))
    called_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    declared_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    replaced_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    replaced_reason: Mapped[str | None] = mapped_column(String(32))
    replaced_note: Mapped[str | None] = mapped_column(String(1000))
    replaced_by: Mapped[uuid.UUID | None] = mapped_column(GUID)


class EvaluationTemplate(Base):
    """The evaluation template of a tender (评标办法), set before the opening; see experts.scoring."""

    __tablename__ = "evaluation_templates"

    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), primary_key=True)
    template: Mapped[dict[str, Any]] = mapped_column(JSON)
    set_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    set_by: Mapped[str] = mapped_column(String(64))


class Evaluation(Base):
    """A tender's evaluation under way or signed: the bids it evaluates, the committee's tie
    orders, and the signed report (revised only by the art. 64 corrections)."""

    __tablename__ = "evaluations"

    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    bids: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # bid, bidder, uscc, price, received_at
    tie_resolutions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # order, reason, by
    started_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    signed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    # The original committee's re-review of the signed report under way: {by, case, reason, at,
    # candidates} (an upheld objection or complaint ordered it, or — government procurement — the
    # agency); it closes when every member has signed the revised report.
    re_review: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Government procurement: bids refused at the qualification review for a credit list, with the
    # reason (财库〔2016〕125号); the evidence is in the credit checks of the tender
    qualification_refused: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # the chair (组长) the committee elected from its experts (never the purchaser's representative)
    chair_seat_id: Mapped[uuid.UUID | None] = mapped_column(GUID)


class PriceClarification(Base):
    """A price the scoring rules suspect below cost (实施条例 art. 51 (五)): the committee's written
    request, the bidder's written answer (art. 52: no change of substance), and the committee's
    decision with its reason (reject: the bid is excluded; accept: it stays)."""

    __tablename__ = "price_clarifications"
    __table_args__ = (UniqueConstraint("tender_id", "bid_id", name="uq_price_clarifications_bid"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"))
    bid_id: Mapped[str] = mapped_column(String(36))
    bidder_uscc: Mapped[str] = mapped_column(String(18))
    price: Mapped[Decimal] = mapped_column(Money)
    suspected: Mapped[str] = mapped_column(Text)  # the line the price crossed
    asked_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    answered_by: Mapped[str | None] = mapped_column(String(100))
    decision: Mapped[str | None] = mapped_column(String(16))  # reject | accept
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decided_by_seat: Mapped[uuid.UUID | None] = mapped_column(GUID)


class CandidateReview(Base):
    """The original committee's re-review of candidates the credit check flagged (实施条例 art.
    56): the flagged candidates with their evidence, the committee's decision on each (disqualify
    or keep, with its reason) and every member's signature."""

    __tablename__ = "candidate_reviews"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    run_id: Mapped[uuid.UUID] = mapped_column(GUID)  # the credit check run that flagged them
    status: Mapped[str] = mapped_column(String(16))  # open, signed, superseded
    flagged: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{bid, bidder, uscc, rank, reasons}]
    decisions: Mapped[dict[str, Any]] = mapped_column(JSON)  # bid -> {decision, reason, seat}
    signatures: Mapped[dict[str, Any]] = mapped_column(JSON)  # seat -> {decision, reason, at}
    opened_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    signed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class ScoreSheet(Base):
    """One member's scores of every bid ({bid: {item: "12.5" | true | false}}); void when the
    member is replaced (implementing regulations art. 48)."""

    __tablename__ = "score_sheets"

    seat_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_seats.id"), primary_key=True)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    scores: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    void: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class AnomalyExplanation(Base):
    __tablename__ = "anomaly_explanations"
    __table_args__ = (UniqueConstraint("seat_id", "bid_id"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    seat_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_seats.id"))
    bid_id: Mapped[str] = mapped_column(String(36))
    explanation: Mapped[str] = mapped_column(String(2000))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class ReportSignature(Base):
    """A member's signature of the report: signed, dissent (with its reasons), or a refusal
    (without a reason it counts as agreeing)."""

    __tablename__ = "report_signatures"
    __table_args__ = (UniqueConstraint("tender_id", "seat_id", "revision"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    seat_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_seats.id"))
    # the report's revision signed: a re-review's revised report is signed again by every member
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(2000))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class ScoreCorrection(Base):
    """A score changed after the report was signed, for one of the four art. 64 cases."""

    __tablename__ = "score_corrections"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    seat_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_seats.id"))
    bid_id: Mapped[str] = mapped_column(String(36))
    item_id: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str] = mapped_column(String(32))
    new_value: Mapped[str] = mapped_column(String(32))
    case: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(2000))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class ExpertRating(Base):
    __tablename__ = "expert_ratings"
    __table_args__ = (UniqueConstraint("tender_id", "expert_id", "rater_id"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"))
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), index=True)
    rater_id: Mapped[uuid.UUID] = mapped_column(GUID)
    rater_role: Mapped[str] = mapped_column(String(16))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class ExpertIncident(Base):
    """Something the assessment rules count: an abnormal score, a decline without cause, a no-show."""

    __tablename__ = "expert_incidents"
    __table_args__ = (UniqueConstraint("expert_id", "tender_id", "kind", "detail"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experts.id"), index=True)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class AssessmentRuleRow(Base):
    """A rule of expert assessment, in data (see experts.assessment)."""

    __tablename__ = "expert_assessment_rules"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    incident: Mapped[str | None] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_days: Mapped[int] = mapped_column(Integer, default=365)
    average_below: Mapped[Any | None] = mapped_column(Numeric(5, 2))
    min_ratings: Mapped[int] = mapped_column(Integer, default=1)
    suspend_days: Mapped[int] = mapped_column(Integer, default=0)


class Consultation(Base):
    """A 竞争性磋商's consultation (财库〔2014〕214号 arts. 21-28): between the opening of the first
    responses and the scoring, the panel consults the suppliers in rounds, excludes those that do
    not meet the documents (`excluded`; the others are `remaining`), then calls for final quotes
    until `quotes_until`; at the close the quotes are opened (`FinalQuote.price`) and the suppliers
    still in that quoted are the finalists, scored at their final quotes."""

    __tablename__ = "consultations"

    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    suppliers: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # {bid, uscc, bidder}: who responded
    excluded: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # {bid, round, reason}
    started_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    quotes_called_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    quotes_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # the case of 财库〔2015〕124号 the panel recorded to go on with 2 final suppliers
    listed_case: Mapped[str | None] = mapped_column(String(32))

    @property
    def remaining(self) -> list[str]:
        """The bids still in: every response the panel has not excluded, in the responses' order."""
        out = {e["bid"] for e in self.excluded}
        return [s["bid"] for s in self.suppliers if s["bid"] not in out]


class ConsultationRound(Base):
    """A round of the consultation: the technical and commercial terms the panel changed in it
    (财库〔2014〕214号 art. 22), valid once the purchaser confirmed them in writing, and then told to
    every supplier still in."""

    __tablename__ = "consultation_rounds"
    __table_args__ = (UniqueConstraint("tender_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    changes: Mapped[str | None] = mapped_column(String(4000))
    opened_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    opened_by: Mapped[str] = mapped_column(String(64))
    confirmation: Mapped[str | None] = mapped_column(String(16))  # confirmed, refused; None: awaited
    confirmation_text: Mapped[str | None] = mapped_column(String(2000))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    confirmed_by: Mapped[str | None] = mapped_column(String(64))


class FinalQuote(Base):
    """A supplier's final quote (最后报价), sealed at rest until the panel's deadline (the market's
    sealed offers: AES-256-GCM under the platform's secret, a salted commitment in the audit
    trail); `price` once opened at the close."""

    __tablename__ = "final_quotes"

    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), primary_key=True)
    bid_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_uscc: Mapped[str] = mapped_column(String(18))
    sealed: Mapped[str] = mapped_column(String(512))
    commitment: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    price: Mapped[Decimal | None] = mapped_column(Money)
