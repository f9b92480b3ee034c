"""What every state module shares: the one writer of an object's status, and the answer to
"what is due next, and when" that the chronograph asks of every stateful object.

A domain's `states.py` names its statuses (a StrEnum), the transitions it allows and a
`Lifecycle` over them; its `move(obj, target)` is the only code that assigns `.status`
(`tests/core/test_layers.py` greps for any other), and it refuses a transition the module does
not allow. Pure: no web, no database.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

S = TypeVar("S", bound=enum.StrEnum)


class HasStatus(Protocol):
    status: Any


class TransitionRefused(Exception):
    """A move the object's state module does not allow (the API answers 409)."""

    def __init__(self, what: str, current: str, target: str) -> None:
        super().__init__(f"a {current} {what} cannot become {target}")
        self.what, self.current, self.target = what, current, target


@dataclass(frozen=True)
class Due:
    """An object's next time-driven event: the chronograph step named `event`, due at `at`."""

    event: str
    at: datetime

    def is_due(self, now: datetime) -> bool:
        return self.at <= now


class Lifecycle(Generic[S]):
    def __init__(self, what: str, statuses: type[S], transitions: Mapping[S, frozenset[S]]) -> None:
        missing = set(statuses) - set(transitions)
        if missing:
            raise ValueError(f"{what}: no transitions given for {sorted(missing)}")
        self.what, self.statuses, self.transitions = what, statuses, transitions

    def can_move(self, current: str, target: S) -> bool:
        return target in self.transitions[self.statuses(current)]

    def move(self, obj: HasStatus, target: S) -> None:
        """The one writer of `obj.status`."""
        if not self.can_move(obj.status, target):
            raise TransitionRefused(self.what, str(obj.status), str(target))
        obj.status = target

    def terminal(self) -> frozenset[S]:
        return frozenset(s for s, targets in self.transitions.items() if not targets)
