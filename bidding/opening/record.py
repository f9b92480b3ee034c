"""The opening record (开标记录), pure: what was read out, built from facts the service gathered.

The record is what the bidders confirm or object to and what the law makes public once it is
published; it names every bidder in the order their bids were received, with the outcome of
opening each bid and, for a bid that opened, its declaration (price, duration, ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class BidOutcome:
    outcome: str
    reason: str | None
    declaration: Mapping[str, Any] | None


@dataclass(frozen=True)
class TenderFacts:
    id: str
    project_name: str
    project_code: str
    opening_time: datetime
    ceiling_price: Decimal | None = None  # 最高投标限价, published with the documents
    reference_price: Decimal | None = None  # 标底, secret until read out here (实施条例 art. 27)


def opening_record(
    tender: TenderFacts,
    started_at: datetime,
    key_rebuilt_at: datetime | None,
    custodians_present: Sequence[str],
    bidders: Sequence[Mapping[str, str]],
    outcomes: Mapping[str, BidOutcome],
    finished_at: datetime,
) -> dict[str, Any]:
    """`bidders` as listed when the session started ({"bid", "name", "uscc", "received_at"});
    `outcomes` by bid id (every bid has one by now)."""
    return {
        "tender": {"id": tender.id, "project_name": tender.project_name, "project_code": tender.project_code},
        "opening_time": tender.opening_time.isoformat(),
        "started_at": started_at.isoformat(),
        "key_rebuilt_at": key_rebuilt_at.isoformat() if key_rebuilt_at else None,
        "custodians_present": sorted(custodians_present),
        "ceiling_price": None if tender.ceiling_price is None else str(tender.ceiling_price),
        "reference_price": None if tender.reference_price is None else str(tender.reference_price),
        "bids": [
            {
                "bidder": entry["name"],
                "uscc": entry["uscc"],
                "received_at": entry["received_at"],
                "outcome": outcomes[entry["bid"]].outcome,
                "reason": outcomes[entry["bid"]].reason,
                **(outcomes[entry["bid"]].declaration or {}),
            }
            for entry in bidders
        ],
        "finished_at": finished_at.isoformat(),
    }
