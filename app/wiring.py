"""What the domains plug into the kernel, named in one place: the kernel imports no domain, so
the composition root tells it who listens to the calendar and which steps the chronograph runs."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.calendar.service import CalendarListener
from bidding.filing.service import recompute_provisional_deadlines

CALENDAR_LISTENERS: Sequence[CalendarListener] = (recompute_provisional_deadlines,)
