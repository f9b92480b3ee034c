"""The evaluation's state modules: the draw, a committee seat and the evaluation itself, each
a `Lifecycle` whose `move` is the only writer of the status. Pure.

draw:       scheduled --draw time--> drawn | failed (shortage);  failed --new rules--> scheduled
seat:       reserve --called in--> drawn;  drawn --no conflict declared--> seated;  reserve --declined--> replaced;
            drawn | seated --declined, no-show, conflict--> replaced
evaluation: scoring --every member signed--> signed
candidate review: open --every member signed--> signed;  open --a later credit check--> superseded
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from app.core.lifecycle import Due, HasStatus, Lifecycle


class DrawStatus(enum.StrEnum):
    scheduled = "scheduled"
    drawn = "drawn"
    failed = "failed"


DRAW = Lifecycle(
    "draw",
    DrawStatus,
    {
        DrawStatus.scheduled: frozenset({DrawStatus.drawn, DrawStatus.failed}),
        DrawStatus.failed: frozenset({DrawStatus.scheduled}),
        DrawStatus.drawn: frozenset(),
    },
)


class SupplementaryStatus(enum.StrEnum):
    """A supplementary draw (补抽): committed, then drawn from its final seed, or failed (a shortage)."""

    committed = "committed"
    drawn = "drawn"
    failed = "failed"


SUPPLEMENTARY = Lifecycle(
    "supplementary draw",
    SupplementaryStatus,
    {
        SupplementaryStatus.committed: frozenset({SupplementaryStatus.drawn, SupplementaryStatus.failed}),
        SupplementaryStatus.drawn: frozenset(),
        SupplementaryStatus.failed: frozenset(),
    },
)


class SeatStatus(enum.StrEnum):
    reserve = "reserve"
    drawn = "drawn"
    seated = "seated"
    replaced = "replaced"


SEAT = Lifecycle(
    "committee seat",
    SeatStatus,
    {
        SeatStatus.reserve: frozenset({SeatStatus.drawn, SeatStatus.replaced}),
        SeatStatus.drawn: frozenset({SeatStatus.seated, SeatStatus.replaced}),
        SeatStatus.seated: frozenset({SeatStatus.replaced}),
        SeatStatus.replaced: frozenset(),
    },
)
ON_COMMITTEE = frozenset({SeatStatus.drawn, SeatStatus.seated})


class EvaluationStatus(enum.StrEnum):
    consulting = "consulting"  # 竞争性磋商: the panel consults before it scores the final quotes
    scoring = "scoring"
    signed = "signed"
    failed = "failed"  # a consultation left fewer final suppliers than the law allows


EVALUATION = Lifecycle(
    "evaluation",
    EvaluationStatus,
    {
        EvaluationStatus.consulting: frozenset({EvaluationStatus.scoring, EvaluationStatus.failed}),
        EvaluationStatus.scoring: frozenset({EvaluationStatus.signed}),
        EvaluationStatus.signed: frozenset(),
        EvaluationStatus.failed: frozenset(),
    },
)


class ConsultationStatus(enum.StrEnum):
    """竞争性磋商 (财库〔2014〕214号 arts. 21-28): rounds of consultation, then the final quotes the
    panel calls for, opened at their deadline; too few final suppliers and it fails."""

    consulting = "consulting"
    quoting = "quoting"
    closed = "closed"
    failed = "failed"


CONSULTATION = Lifecycle(
    "consultation",
    ConsultationStatus,
    {
        ConsultationStatus.consulting: frozenset({ConsultationStatus.quoting}),
        ConsultationStatus.quoting: frozenset({ConsultationStatus.closed, ConsultationStatus.failed}),
        ConsultationStatus.closed: frozenset(),
        ConsultationStatus.failed: frozenset(),
    },
)


def move_consultation(consultation: HasStatus, target: ConsultationStatus) -> None:
    CONSULTATION.move(consultation, target)


def move_draw(draw: HasStatus, target: DrawStatus) -> None:
    DRAW.move(draw, target)


def move_supplementary(record: HasStatus, target: SupplementaryStatus) -> None:
    SUPPLEMENTARY.move(record, target)


def move_seat(seat: HasStatus, target: SeatStatus) -> None:
    SEAT.move(seat, target)


def move_evaluation(evaluation: HasStatus, target: EvaluationStatus) -> None:
    EVALUATION.move(evaluation, target)


def draw_next_event(status: str, draw_at: datetime, committed_at: datetime | None, lead: timedelta) -> Due | None:
    """A scheduled draw publishes its commitment `lead` before the time set on the tender, and
    draws at that time, never sooner than `lead` after its commitment (a commitment made late,
    while the scheduler was down, moves the draw)."""
    if status != DrawStatus.scheduled:
        return None
    if committed_at is None:
        return Due("expert-draw-commit", draw_at - lead)
    return Due("expert-draw", max(draw_at, committed_at + lead))


class ExpertStatus(enum.StrEnum):
    active = "active"
    suspended = "suspended"
    dismissed = "dismissed"


EXPERT = Lifecycle(
    "expert",
    ExpertStatus,
    {
        ExpertStatus.active: frozenset({ExpertStatus.suspended, ExpertStatus.dismissed}),
        ExpertStatus.suspended: frozenset({ExpertStatus.active, ExpertStatus.dismissed}),
        # Only the pool's import (an admin's data) reinstates a dismissed expert.
        ExpertStatus.dismissed: frozenset({ExpertStatus.active}),
    },
)


def set_expert_status(expert: HasStatus, target: ExpertStatus) -> None:
    """Move a pool expert to `target`; staying where it is (e.g. a longer suspension) is no move."""
    if expert.status != target:
        EXPERT.move(expert, target)


class ReviewStatus(enum.StrEnum):
    """The original committee's re-review of flagged candidates (实施条例 art. 56)."""

    open = "open"
    signed = "signed"
    superseded = "superseded"


CANDIDATE_REVIEW = Lifecycle(
    "candidate review",
    ReviewStatus,
    {
        ReviewStatus.open: frozenset({ReviewStatus.signed, ReviewStatus.superseded}),
        ReviewStatus.signed: frozenset(),
        ReviewStatus.superseded: frozenset(),
    },
)


def move_review(review: HasStatus, target: ReviewStatus) -> None:
    CANDIDATE_REVIEW.move(review, target)
