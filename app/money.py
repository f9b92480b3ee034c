"""Money: `Decimal` yuan with 2 places in code and the API, integer fen (分) in the database.

`Money` is the one column type for amounts: exact on PostgreSQL and SQLite alike, and it
refuses an amount with more than 2 decimal places instead of rounding it silently.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


def to_fen(amount: Decimal) -> int:
    if amount != amount.quantize(CENT):
        raise ValueError(f"{amount} has more than 2 decimal places")
    return int(amount * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def has_at_most_two_places(amount: Decimal) -> bool:
    return amount.is_finite() and amount == amount.quantize(CENT)


class Money(TypeDecorator[Decimal]):
    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> int | None:
        return None if value is None else to_fen(Decimal(value))

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        return None if value is None else from_fen(value)
