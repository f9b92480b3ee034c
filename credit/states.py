"""The credit domain's state module: a review of a name-only hit, a `Lifecycle` whose `move` is
the only writer of its status. Pure.

review: open --confirmed (the subject is the listed one) | dismissed (another subject)-->  (final)
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
