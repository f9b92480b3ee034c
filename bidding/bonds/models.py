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
    form: Mapped[str] = mapped_column(String(24))  # bidding.filing.checklist.BondForm
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


class Guarantor(Base):
    """A guarantor the centre registered (a bank, an insurer, a guarantee company): its signing
    key, which verifies every guarantee it issues, and the address its JSON API answers at."""

    __tablename__ = "guarantors"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))  # bidding.bonds.guarantee.GuarantorKind
    public_key: Mapped[str] = mapped_column(String(64))  # Ed25519, base64
    endpoint: Mapped[str | None] = mapped_column(String(500))  # its API (POST {endpoint}/messages)
    registered_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    registered_by: Mapped[str] = mapped_column(String(100))


class Guarantee(Base):
    """An electronic guarantee as the guarantor signed it, the bond it stands for, and what the
    platform found when it checked it (on receipt, at the bid's submission, at the opening)."""

    __tablename__ = "guarantees"
    __table_args__ = (UniqueConstraint("guarantor_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    guarantor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("guarantors.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    bond_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bonds.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    valid_until: Mapped[date] = mapped_column(Date)
    message: Mapped[dict[str, Any]] = mapped_column(JSON)  # the signed message, as received
    status: Mapped[str] = mapped_column(String(16))  # in_force, cancelled, released, claimed
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)  # bidding.bonds.guarantee.problems' codes
    received_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    checked_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    checked_online_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))  # with the guarantor
    checked_at_opening: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class GuarantorMessage(Base):
    """A signed message to a guarantor (claim, release), kept until the guarantor answers:
    delivered by the chronograph with retries, its key the guarantor's idempotency key."""

    __tablename__ = "guarantor_messages"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    guarantor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("guarantors.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
