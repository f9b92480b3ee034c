"""The credit domain's state modules: a review of a name-only hit and a subject's submission,
each a `Lifecycle` whose `move` is the only writer of its status. Pure.

review:     open --confirmed (the subject is the listed one) | dismissed (another subject)-->  (final)
submission: received (a statement, final) ; open (a repair application) --granted | refused--> (final)
"""

from __future__ import annotations

import enum

from app.core.lifecycle import HasStatus, Lifecycle


class ReviewStatus(enum.StrEnum):
    open = "open"
    confirmed = "confirmed"
    dismissed = "dismissed"


REVIEW = Lifecycle(
    "credit review",
    ReviewStatus,
    {
        ReviewStatus.open: frozenset({ReviewStatus.confirmed, ReviewStatus.dismissed}),
        ReviewStatus.confirmed: frozenset(),
        ReviewStatus.dismissed: frozenset(),
    },
)


def move_review(review: HasStatus, target: ReviewStatus) -> None:
    REVIEW.move(review, target)


class SubmissionStatus(enum.StrEnum):
    received = "received"  # a statement (陈述申辩): recorded, nothing to decide on it as such
    open = "open"  # a credit-repair application awaiting a supervisor
    granted = "granted"
    refused = "refused"


SUBMISSION = Lifecycle(
    "credit submission",
    SubmissionStatus,
    {
        SubmissionStatus.received: frozenset(),
        SubmissionStatus.open: frozenset({SubmissionStatus.granted, SubmissionStatus.refused}),
        SubmissionStatus.granted: frozenset(),
        SubmissionStatus.refused: frozenset(),
    },
)


def move_submission(submission: HasStatus, target: SubmissionStatus) -> None:
    SUBMISSION.move(submission, target)
