"""Tables of bonds: a bidder's bond on a tender (or the winner's performance bond), the ledger
of entries of each, the settlement bank's transactions as received (statement or callback,
one row per bank transaction number: importing twice changes nothing), and the refund
instructions sent to the bank (one idempotency key each)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.money import Money


class Bond(Base):
    """One bidder's bond on one tender: its form, the amount asked, the sub-account cash is paid
    into (cash bonds), what is wrong with it (`flags`), and its refund (due by, instructed, done)."""

    __tablename__ = "bonds"
    __table_args__ = (UniqueConstraint("tender_id", "bidder_uscc", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    bidder_uscc: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(16))  # bidding.bonds.rules.BondKind
    form: Mapped[str] = mapped_column(String(24))  # bidding.bonds.rules.BondForm
    required: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(16), index=True)  # bidding.bonds.states.BondStatus
    sub_account: Mapped[str | None] = mapped_column(String(40), unique=True)  # 子账户 (cash)
    basic_account: Mapped[str | None] = mapped_column(String(40))  # the bidder's 基本存款账户, declared
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)  # bidding.bonds.rules.PaymentFlag
    opened_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    opened_by: Mapped[str] = mapped_column(String(100))
    first_received_on: Mapped[date | None] = mapped_column(Date)  # interest runs from this day
    refund_due: Mapped[date | None] = mapped_column(Date, index=True)  # the latest day it is back
    refund_rule: Mapped[str | None] = mapped_column(String(200))
    refunded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    refund_late_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))  # flagged
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the tenderee's forfeiture


class BondEntry(Base):
    """One entry of a bond's ledger: received, interest, refunded or forfeited, with the bank's
    transaction or the instruction it records (`reference`), once each."""

    __tablename__ = "bond_entries"
    __table_args__ = (UniqueConstraint("bond_id", "kind", "reference"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    bond_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bonds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    reference: Mapped[str] = mapped_column(String(64))


class BankTransaction(Base):
    """A transaction the settlement bank booked, as it told us (statement or callback): a credit
    into a sub-account or a debit paying a refund. Its bank number is its key."""

    __tablename__ = "bank_transactions"

    bank_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    direction: Mapped[str] = mapped_column(String(1))
    account: Mapped[str] = mapped_column(String(40), index=True)
    counterparty_account: Mapped[str] = mapped_column(String(40))
    counterparty_name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)
    booked_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    reference: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # "statement" or "callback"
    recorded_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    bond_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("bonds.id"), index=True)  # None: unmatched
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)


class RefundInstruction(Base):
    """A payment instruction to the settlement bank returning a bond with its interest. Its key
    is what the bank deduplicates on; a rejected instruction is retried under a new key."""

    __tablename__ = "refund_instructions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    bond_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bonds.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    principal: Mapped[Decimal] = mapped_column(Money)
    interest: Mapped[Decimal] = mapped_column(Money)
    from_account: Mapped[str] = mapped_column(String(40))
    payee_account: Mapped[str] = mapped_column(String(40))
    payee_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, paid, rejected
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    bank_ref: Mapped[str | None] = mapped_column(String(64))
    reject_reason: Mapped[str | None] = mapped_column(String(500))
