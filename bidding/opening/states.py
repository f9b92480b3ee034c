"""The opening session's lifecycle; `move` is the only writer of its status.

(start, ≥ 3 bids) awaiting_shares --threshold of shares, key rebuilt--> decrypting
                  decrypting --every bid read out, record published--> read_out
(start, < 3 bids) failed (流标)
"""

from __future__ import annotations

import enum
from datetime import datetime

from app.core.lifecycle import Due, HasStatus, Lifecycle


class OpeningStatus(enum.StrEnum):
    awaiting_shares = "awaiting_shares"
    decrypting = "decrypting"
    read_out = "read_out"
    failed = "failed"  # 流标


TRANSITIONS: dict[OpeningStatus, frozenset[OpeningStatus]] = {
    OpeningStatus.awaiting_shares: frozenset({OpeningStatus.decrypting}),
    OpeningStatus.decrypting: frozenset({OpeningStatus.read_out}),
    OpeningStatus.read_out: frozenset(),
    OpeningStatus.failed: frozenset(),
}
LIFECYCLE = Lifecycle("opening", OpeningStatus, TRANSITIONS)

# The record is public by law once published; a failed opening's notice too.
FINISHED = frozenset({OpeningStatus.read_out, OpeningStatus.failed})


def move(opening: HasStatus, target: OpeningStatus) -> None:
    """The one writer of an opening's status."""
    LIFECYCLE.move(opening, target)


def next_event(status: str, lease_until: datetime | None, key_rebuilt_at: datetime | None) -> Due | None:
    """A decryption resumes when its worker's lease runs out (or at once if none ever began)."""
    if status != OpeningStatus.decrypting:
        return None
    at = lease_until or key_rebuilt_at
    return Due("opening-resume", at) if at is not None else None
