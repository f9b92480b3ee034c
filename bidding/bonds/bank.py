"""The messages exchanged with the settlement bank (结算银行), as pure functions: the HMAC that
signs every message both ways, a credit notice (a payment into a bond's sub-account), a refund
instruction's result, and the bank's statement file. Amounts are integer fen in every message.

A statement is a CSV file with a header line and these columns, one booked transaction a line:

    bank_ref,booked_at,direction,account,counterparty_account,counterparty_name,amount_fen,reference

`bank_ref` is the bank's unique transaction number (what makes an import idempotent);
`direction` C (a credit: a bond paid into `account`, a sub-account, from the counterparty) or
D (a debit: a refund paid from `account` to the counterparty, `reference` the instruction's
idempotency key); `booked_at` an ISO 8601 instant with its offset.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    """What is wrong with a field of a bank message (the API answers it as app.core.validation's)."""

    field: str
    code: str
    message: str


SIGNATURE_HEADER = "X-Bank-Signature"
STATEMENT_COLUMNS = (
    "bank_ref",
    "booked_at",
    "direction",
    "account",
    "counterparty_account",
    "counterparty_name",
    "amount_fen",
    "reference",
)
MAX_FEN = 100_000_000_000_000  # one trillion yuan
MAX_STATEMENT_LINES = 100_000


def signature(secret: bytes, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of the exact bytes sent."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def signed_by_bank(secret: bytes, body: bytes, header: str | None) -> bool:
    return header is not None and hmac.compare_digest(signature(secret, body), header.strip())


@dataclass(frozen=True, slots=True)
class BankLine:
    """One booked transaction, from a statement line or a callback."""

    bank_ref: str
    booked_at: datetime
    direction: str  # "C" or "D"
    account: str
    counterparty_account: str
    counterparty_name: str
    amount_fen: int
    reference: str = ""


def _line(raw: dict[str, Any], where: str, errors: list[FieldError]) -> BankLine | None:
    before = len(errors)

    def text(name: str, limit: int, required: bool = True) -> str:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                errors.append(FieldError(f"{where}{name}", "required", "required"))
            return ""
        if not isinstance(value, str) or len(value) > limit:
            errors.append(FieldError(f"{where}{name}", "invalid", f"text of at most {limit} characters"))
            return ""
        return value.strip()

    bank_ref = text("bank_ref", 64)
    booked_raw = text("booked_at", 40)
    direction = text("direction", 1)
    account = text("account", 40)
    counterparty_account = text("counterparty_account", 40)
    counterparty_name = text("counterparty_name", 200, required=False)
    reference = text("reference", 64, required=False)
    booked_at = None
    if booked_raw:
        try:
            booked_at = datetime.fromisoformat(booked_raw)
        except ValueError:
            booked_at = None
        if booked_at is None or booked_at.tzinfo is None:
            errors.append(FieldError(f"{where}booked_at", "invalid", "an ISO 8601 instant with its offset"))
    if direction and direction not in {"C", "D"}:
        errors.append(FieldError(f"{where}direction", "invalid", "C (credit) or D (debit)"))
    if direction == "D" and not reference:
        errors.append(FieldError(f"{where}reference", "required", "a debit names the refund instruction's key"))
    amount = raw.get("amount_fen")
    fen = 0
    if isinstance(amount, str) and amount.strip().isdigit():
        fen = int(amount.strip())
    elif isinstance(amount, int) and not isinstance(amount, bool):
        fen = amount
    else:
        errors.append(FieldError(f"{where}amount_fen", "invalid", "a whole number of fen"))
        amount = None
    if amount is not None and not 0 < fen <= MAX_FEN:
        errors.append(FieldError(f"{where}amount_fen", "invalid", f"more than 0 and at most {MAX_FEN} fen"))
    if len(errors) > before or booked_at is None:
        return None
    return BankLine(bank_ref, booked_at, direction, account, counterparty_account, counterparty_name, fen, reference)


def parse_statement(data: bytes) -> tuple[list[BankLine], list[FieldError]]:
    """Every line of a statement file, or every problem in it (`line 7: amount_fen`): a
    statement is imported whole or not at all."""
    errors: list[FieldError] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [FieldError("statement", "invalid", "a UTF-8 CSV file")]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in STATEMENT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [FieldError("statement", "invalid", "the header lacks " + ", ".join(missing))]
    lines: list[BankLine] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_STATEMENT_LINES:
            return [], [FieldError("statement", "too_large", f"at most {MAX_STATEMENT_LINES} lines a file")]
        line = _line(dict(row), f"line {number}: ", errors)
        if line is None:
            continue
        if line.bank_ref in seen:
            errors.append(FieldError(f"line {number}: bank_ref", "duplicate", "twice in this statement"))
            continue
        seen.add(line.bank_ref)
        lines.append(line)
    if not lines and not errors:
        errors.append(FieldError("statement", "empty", "no transaction lines"))
    return lines, errors


def parse_credit_notice(body: Any) -> tuple[BankLine | None, list[FieldError]]:
    """A callback announcing one credit (a payment into a sub-account)."""
    errors: list[FieldError] = []
    if not isinstance(body, dict):
        return None, [FieldError("body", "invalid", "a JSON object")]
    line = _line({**body, "direction": "C"}, "", errors)
    return line, errors


def statement_csv(lines: list[BankLine]) -> str:
    """A statement file from lines (what the reference bank in the tests and the demo writes)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STATEMENT_COLUMNS)
    for x in lines:
        writer.writerow(
            [
                x.bank_ref,
                x.booked_at.isoformat(),
                x.direction,
                x.account,
                x.counterparty_account,
                x.counterparty_name,
                x.amount_fen,
                x.reference,
            ]
        )
    return out.getvalue()
