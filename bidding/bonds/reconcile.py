"""Reconciliation of the settlement bank's statement with the bonds' ledger, pure: every
difference between what the bank booked and what the platform recorded, both ways, for the
period the statement covers. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bidding.bonds.bank import BankLine


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """A ledger entry as the reconciliation sees it: received (reference: the bank's transaction
    number) or refunded (reference: the instruction's key), in fen, with its sub-account."""

    kind: str
    fen: int
    reference: str
    at: datetime
    account: str


@dataclass(frozen=True, slots=True)
class Difference:
    reference: str
    what: str

    def __str__(self) -> str:
        return f"{self.reference}: {self.what}"


def differences(lines: Sequence[BankLine], ledger: Sequence[LedgerRow]) -> list[Difference]:
    """What the statement says and the ledger does not, and the reverse (within the statement's dates)."""
    received = {r.reference: r for r in ledger if r.kind == "received"}
    refunded = {r.reference: r for r in ledger if r.kind == "refunded"}
    found: list[Difference] = []
    for line in lines:
        entry = (received if line.direction == "C" else refunded).get(
            line.bank_ref if line.direction == "C" else line.reference
        )
        kind = "credit" if line.direction == "C" else "refund"
        if entry is None:
            found.append(
                Difference(line.bank_ref, f"a {kind} of {line.amount_fen} fen on the statement, not in the ledger")
            )
        elif entry.fen != line.amount_fen:
            found.append(
                Difference(
                    line.bank_ref, f"the {kind} is {line.amount_fen} fen on the statement, {entry.fen} in the ledger"
                )
            )
    if not lines:
        return found
    start, end = min(x.booked_at for x in lines), max(x.booked_at for x in lines)
    on_statement = {x.bank_ref for x in lines if x.direction == "C"} | {
        x.reference for x in lines if x.direction == "D"
    }
    for row in ledger:
        if start <= row.at <= end and row.reference not in on_statement:
            found.append(Difference(row.reference, f"{row.kind} {row.fen} fen in the ledger, not on the statement"))
    return found
