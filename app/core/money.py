"""Money: `Decimal` yuan with 2 places in code and the API, integer fen (分) in the database.

`Money` is the one column type for amounts: exact on PostgreSQL and SQLite alike, and it
refuses an amount with more than 2 decimal places instead of rounding it silently.
`amount_problem` is the one rule every amount that enters the platform passes: a finite
number, at most 2 decimal places, within the bounds the field allows and the storage holds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# One trillion yuan: above any budget this platform will see, far inside a BIGINT of fen
# (9.2e16 yuan), and small enough that every arithmetic on it stays exact in Decimal.
MAX_AMOUNT = Decimal("1000000000000.00")


def to_fen(amount: Decimal) -> int:
    if not has_at_most_two_places(amount):
        raise ValueError(f"{amount} has more than 2 decimal places")
    return int(amount * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def has_at_most_two_places(amount: Decimal) -> bool:
    return amount.is_finite() and abs(amount) <= MAX_AMOUNT and amount == amount.quantize(CENT)


def canonical(amount: Decimal) -> Decimal:
    """The one written form of an amount: 2 places, no exponent ("9.9E+4" → 99000.00)."""
    return amount.quantize(CENT)


def amount_problem(amount: Decimal, *, allow_zero: bool = False) -> tuple[str, str] | None:
    """Why `amount` is not an acceptable amount in yuan (code, message), or None. Amounts are
    positive (or, with `allow_zero`, not negative), at most `MAX_AMOUNT`, with at most 2 places."""
    if not amount.is_finite():
        return "money.not_a_number", 'an amount in yuan is a finite decimal number, e.g. "1250000.00"'
    if amount > MAX_AMOUNT:
        return "money.too_large", f"an amount in yuan is at most {MAX_AMOUNT}"
    if amount < 0 or (amount == 0 and not allow_zero):
        if allow_zero:
            return "money.negative", "an amount in yuan cannot be negative"
        return "money.not_positive", "an amount in yuan must be greater than 0"
    if amount != amount.quantize(CENT):
        return "money.places", "an amount in yuan has at most 2 decimal places"
    return None


class Money(TypeDecorator[Decimal]):
    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> int | None:
        return None if value is None else to_fen(Decimal(value))

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        return None if value is None else from_fen(value)
