"""A tender's holds (暂停), pure: while any hold stands the opening waits and the tenderee's award
steps are refused. Two things hold a tender: an objection to its documents awaiting the answer
(实施条例 art. 22: 作出答复前，应当暂停招标投标活动) and a supervisor's suspension order while a
complaint is handled (art. 62). Bid receipt is not held: the deadline moves only by an amendment
(招标投标法 art. 23), and a bid sealed meanwhile harms no one.

A hold is `{"kind": "document_objection" | "suspension_order", "ref": "<objection id>", "since":
"<ISO instant>"}`; the tender keeps the list and the instant of its earliest standing hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

KINDS = {"document_objection": "对招标文件的异议待答复", "suspension_order": "行政监督部门责令暂停"}

Holds = list[dict[str, Any]]


def with_hold(holds: Sequence[dict[str, Any]] | None, kind: str, ref: str, since: datetime) -> Holds:
    """The holds with one more (the same ref twice is one hold)."""
    assert kind in KINDS
    kept = [h for h in holds or () if h["ref"] != ref]
    return [*kept, {"kind": kind, "ref": ref, "since": since.isoformat()}]


def without_hold(holds: Sequence[dict[str, Any]] | None, ref: str) -> Holds:
    return [h for h in holds or () if h["ref"] != ref]


def held_since(holds: Sequence[dict[str, Any]]) -> datetime | None:
    """When the earliest standing hold began, or None when nothing holds the tender."""
    return min((datetime.fromisoformat(h["since"]) for h in holds), default=None)


def reason(holds: Sequence[dict[str, Any]] | None) -> str:
    """What holds the tender, for a refusal: `held: 对招标文件的异议待答复 (…)`."""
    return "; ".join(f"{KINDS[h['kind']]} ({h['ref']})" for h in holds or ())
