"""The one clock. Every piece of code that needs "now" asks a `Clock`; the server's clock is
the authority. Tests and demos hold a `FrozenClock` and move it instead of sleeping; an
end-to-end rehearsal moves every process of a deployment at once with a `ShiftedClock`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until told to move."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware instant")
        self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now


class ShiftedClock:
    """The system clock moved forward by the seconds written in a file, read at every call, so a
    test moves every web worker and the scheduler through days of deadlines at once. Only for
    tests (`GGZY_CLOCK_SHIFT_FILE` is refused without `GGZY_TESTING=1`)."""

    def __init__(self, shift_file: Path) -> None:
        self._file = shift_file

    def now(self) -> datetime:
        try:
            shift = float(self._file.read_text() or "0")
        except FileNotFoundError:
            shift = 0.0
        return datetime.now(UTC) + timedelta(seconds=shift)
