"""API contract of tender filing (msgspec Structs)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from app.core.uscc import check_uscc
from app.core.validation import USCC, FieldError, Instant, RequestBody, Yuan
from bidding.filing.checklist import BondForm, Deficiency, EvaluationMethod, ProcurementMethod, ProjectType
from bidding.filing.models import Filing, FilingDocument, FilingRound


class FilingDraft(RequestBody):
    """The filing's fields. A draft may be incomplete; submitting reports everything missing."""

    project_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    project_type: ProjectType
    project_code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    tenderee_uscc: USCC | None = None
    procurement_method: ProcurementMethod | None = None
    budget: Yuan | None = None
    ceiling_price: Yuan | None = None  # 最高投标限价, published with the documents; at most the budget
    reference_price: Yuan | None = None  # 标底, secret until it is read out at the opening; at most the budget
    bid_validity_days: (
        Annotated[int, msgspec.Meta(ge=1, le=365, description="投标有效期 in days from the bid deadline")] | None
    ) = None
    state_funded: Annotated[
        bool | None, msgspec.Meta(description="state funds hold a controlling or leading share: the award takes rank 1")
    ] = None
    complex_or_high_impact: Annotated[
        bool | None,
        msgspec.Meta(description="GP: technically complex, highly specialised or of large social impact (7 members)"),
    ] = None
    bond_amount: Yuan | None = None  # 投标保证金: at most 2 % of the budget; None: no bond asked
    bond_forms: Annotated[list[BondForm], msgspec.Meta(max_length=4)] | None = None
    bond_sme_exempt: Annotated[bool | None, msgspec.Meta(description="small and medium enterprises post none")] = None
    # an invited tender's invitees (at least 3, 招标投标法 art. 17)
    invitees: Annotated[list[USCC], msgspec.Meta(max_length=100)] | None = None
    announcement_date: date | None = None
    bid_deadline: Instant | None = None
    opening_time: Instant | None = None
    evaluation_method: EvaluationMethod | None = None
    committee_size: Annotated[int, msgspec.Meta(ge=1, le=99)] | None = None
    record_window_minutes: (
        Annotated[int, msgspec.Meta(ge=10, le=4320, description="bidders confirm the opening record within this")]
        | None
    ) = None
    retender_of: Annotated[
        uuid.UUID | None, msgspec.Meta(description="the failed or cancelled tender this one re-tenders (重新招标)")
    ] = None

    @classmethod
    def cross_field_errors(cls, values: dict[str, Any]) -> list[FieldError]:
        """A ceiling price or 标底 above the budget (实施条例 art. 27: the ceiling caps the bids the
        budget pays for); an invitee that is not a valid USCC."""
        budget = values.get("budget")
        errors = [
            FieldError(name, "above_budget", f"at most the budget ({budget})")
            for name in ("ceiling_price", "reference_price")
            if budget is not None and values.get(name) is not None and values[name] > budget
        ]
        for i, code in enumerate(values.get("invitees") or []):
            wrong = check_uscc(code)
            if wrong is not None:
                errors.append(FieldError(f"invitees[{i}]", f"uscc.{wrong.code}", wrong.message))
        return errors


class OfficerItem(RequestBody):
    """A deficiency an officer adds to a return notice."""

    target: Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="a field, or document:<kind>")]
    message_zh: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    message_en: Annotated[str, msgspec.Meta(max_length=500)] = ""
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] = "officer"

    def deficiency(self) -> Deficiency:
        return Deficiency(self.code, self.target, self.message_zh, self.message_en, source="officer")


class ReturnRequest(RequestBody):
    items: list[OfficerItem] = msgspec.field(default_factory=list)
    comment: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class AcceptRequest(RequestBody):
    comment: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class DocumentOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    filename: str
    content_type: str
    sha256: str
    size: int
    uploaded_at: datetime

    @classmethod
    def of(cls, d: FilingDocument) -> DocumentOut:
        return cls(d.id, d.kind, d.filename, d.content_type, d.sha256, d.size, d.uploaded_at)


class RoundOut(msgspec.Struct):
    number: int
    submitted_at: datetime
    working_days: int
    deadline: date
    due_at: datetime
    provisional: bool
    overdue: bool
    decision: str | None
    decided_at: datetime | None
    decided_by: str | None
    notice: list[dict[str, str]] | None
    comment: str | None
    snapshot: dict[str, Any]

    @classmethod
    def of(cls, r: FilingRound) -> RoundOut:
        return cls(
            r.number,
            r.submitted_at,
            r.working_days,
            r.deadline_day,
            r.due_at,
            r.provisional,
            r.overdue_at is not None,
            r.decision,
            r.decided_at,
            r.decided_by_name,
            r.notice,
            r.comment,
            r.snapshot,
        )


class FilingOut(msgspec.Struct):
    id: uuid.UUID
    status: str
    agency_uscc: str
    project_name: str
    project_type: str
    project_code: str | None
    tenderee_uscc: str | None
    procurement_method: str | None
    budget: Decimal | None
    ceiling_price: Decimal | None
    reference_price: Decimal | None
    bid_validity_days: int | None
    state_funded: bool | None
    complex_or_high_impact: bool | None
    invitees: list[str] | None
    announcement_date: date | None
    bid_deadline: datetime | None
    opening_time: datetime | None
    evaluation_method: str | None
    committee_size: int | None
    record_window_minutes: int | None
    retender_of: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    documents: list[DocumentOut]
    current_round: RoundOut | None
    tender_id: uuid.UUID | None
    bond_amount: Decimal | None = None
    bond_forms: list[str] | None = None
    bond_sme_exempt: bool | None = None

    @classmethod
    def of(
        cls, f: Filing, documents: list[FilingDocument], current: FilingRound | None, tender_id: uuid.UUID | None
    ) -> FilingOut:
        return cls(
            f.id,
            f.status,
            f.agency_uscc,
            f.project_name,
            f.project_type,
            f.project_code,
            f.tenderee_uscc,
            f.procurement_method,
            f.budget,
            f.ceiling_price,
            f.reference_price,
            f.bid_validity_days,
            f.state_funded,
            f.complex_or_high_impact,
            f.invitees,
            f.announcement_date,
            f.bid_deadline,
            f.opening_time,
            f.evaluation_method,
            f.committee_size,
            f.record_window_minutes,
            f.retender_of,
            f.created_at,
            f.updated_at,
            [DocumentOut.of(d) for d in documents],
            RoundOut.of(current) if current else None,
            tender_id,
            f.bond_amount,
            f.bond_forms,
            f.bond_sme_exempt,
        )


class FilingSummary(msgspec.Struct):
    """One line of a filing list; the whole filing is at /api/v1/filings/{id}."""

    id: uuid.UUID
    status: str
    agency_uscc: str
    project_name: str
    project_type: str
    project_code: str | None
    tenderee_uscc: str | None
    updated_at: datetime

    @classmethod
    def of(cls, f: Filing) -> FilingSummary:
        return cls(
            f.id, f.status, f.agency_uscc, f.project_name, f.project_type, f.project_code, f.tenderee_uscc, f.updated_at
        )


class BreakdownOut(msgspec.Struct):
    received: int
    decided: int
    on_time: int
    on_time_rate: float | None
    median_working_hours: float | None
    p90_working_hours: float | None


class OverdueOut(msgspec.Struct):
    filing_id: uuid.UUID
    round: int
    project_name: str
    project_type: str
    submitted_at: datetime
    due_at: datetime
    decided_at: datetime | None
    decided_by: str | None


class StatsOut(msgspec.Struct):
    start: date
    end: date
    overall: BreakdownOut
    by_officer: dict[str, BreakdownOut]
    by_project_type: dict[str, BreakdownOut]
    overdue: list[OverdueOut]
