"""Clarifications and changes of the tender documents (澄清/修改) as pure rules.

Tendering Law art. 23: a clarification or change reaches every holder of the documents at least
15 days before the bid deadline; one issued later moves the deadline (and the opening, which is
at the deadline) so that 15 days remain. A bid sealed before an amendment was prepared without
it: its bidder confirms it or replaces it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

NOTICE_DAYS = 15


class AmendmentKind(enum.StrEnum):
    clarification = "clarification"  # 澄清
    change = "change"  # 修改


def moved_deadline(
    deadline: datetime, issued_at: datetime, tz: ZoneInfo, is_working_day: Callable[[date], bool]
) -> datetime:
    """The bid deadline after an amendment issued at `issued_at`.

    Unchanged when 15 full days remain; otherwise the deadline's local time of day on the first
    day that leaves 15 full days, and on to the next working day (an opening is held on one).
    """
    earliest = issued_at + timedelta(days=NOTICE_DAYS)
    if deadline >= earliest:
        return deadline
    local = deadline.astimezone(tz)
    day = local.date()
    while True:
        day += timedelta(days=1)
        moved = datetime.combine(day, local.timetz())
        if moved >= earliest and is_working_day(day):
            return moved.astimezone(UTC)


def needs_confirmation(bid_received_at: datetime, last_amendment_at: datetime | None, confirmed: bool) -> bool:
    """A current bid sealed before the latest amendment, not yet confirmed by its bidder."""
    return last_amendment_at is not None and bid_received_at < last_amendment_at and not confirmed
