"""Bonds: each bidder's bond on a tender (and the winner's performance bond), the ledger of each,
the settlement bank's transactions as received, and the refund instructions sent to it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 05:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Instant = advanced_alchemy.types.DateTimeUTC(timezone=True)
GUID = advanced_alchemy.types.GUID(length=16)


def upgrade() -> None:
    # The award's one refund day for all bonds gives way to each bond's own (bidding.bonds).
    with op.batch_alter_table("awards") as batch_op:
        batch_op.drop_index(batch_op.f("ix_awards_bond_refund_due"))
        for column in ("refund_late_at", "bonds_refunded_on", "bond_refund_due"):
            batch_op.drop_column(column)
    op.create_table(
        "bonds",
        sa.Column("id", GUID, primary_key=True),
        sa.Column("tender_id", GUID, sa.ForeignKey("tenders.id"), nullable=False, index=True),
        sa.Column("bidder_uscc", sa.String(18), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("form", sa.String(24), nullable=False),
        sa.Column("required", sa.BigInteger(), nullable=False),  # fen
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("sub_account", sa.String(40), nullable=True, unique=True),
        sa.Column("basic_account", sa.String(40), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("opened_at", Instant, nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("first_received_on", sa.Date(), nullable=True),
        sa.Column("refund_due", sa.Date(), nullable=True, index=True),
        sa.Column("refund_rule", sa.String(200), nullable=True),
        sa.Column("refunded_at", Instant, nullable=True),
        sa.Column("refund_late_at", Instant, nullable=True),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.UniqueConstraint("tender_id", "bidder_uscc", "kind"),
    )
    op.create_table(
        "bond_entries",
        sa.Column("id", GUID, primary_key=True),
        sa.Column("bond_id", GUID, sa.ForeignKey("bonds.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),  # fen
        sa.Column("at", Instant, nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.UniqueConstraint("bond_id", "kind", "reference"),
    )
    op.create_table(
        "bank_transactions",
        sa.Column("bank_ref", sa.String(64), primary_key=True),
        sa.Column("direction", sa.String(1), nullable=False),
        sa.Column("account", sa.String(40), nullable=False, index=True),
        sa.Column("counterparty_account", sa.String(40), nullable=False),
        sa.Column("counterparty_name", sa.String(200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),  # fen
        sa.Column("booked_at", Instant, nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        sa.Column("bond_id", GUID, sa.ForeignKey("bonds.id"), nullable=True, index=True),
        sa.Column("flags", sa.JSON(), nullable=False),
    )
    op.create_table(
        "refund_instructions",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("bond_id", GUID, sa.ForeignKey("bonds.id"), nullable=False, index=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),  # fen
        sa.Column("interest", sa.BigInteger(), nullable=False),  # fen
        sa.Column("from_account", sa.String(40), nullable=False),
        sa.Column("payee_account", sa.String(40), nullable=False),
        sa.Column("payee_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("answered_at", Instant, nullable=True),
        sa.Column("bank_ref", sa.String(64), nullable=True),
        sa.Column("reject_reason", sa.String(500), nullable=True),
    )
    op.create_table(
        "guarantors",
        sa.Column("id", GUID, primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("endpoint", sa.String(500), nullable=True),
        sa.Column("registered_at", Instant, nullable=False),
        sa.Column("registered_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "guarantees",
        sa.Column("id", GUID, primary_key=True),
        sa.Column("guarantor_id", GUID, sa.ForeignKey("guarantors.id"), nullable=False, index=True),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("bond_id", GUID, sa.ForeignKey("bonds.id"), nullable=False, index=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),  # fen
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("received_at", Instant, nullable=False),
        sa.Column("checked_at", Instant, nullable=False),
        sa.Column("checked_online_at", Instant, nullable=True),
        sa.Column("checked_at_opening", Instant, nullable=True),
        sa.UniqueConstraint("guarantor_id", "number"),
    )
    op.create_table(
        "guarantor_messages",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("guarantor_id", GUID, sa.ForeignKey("guarantors.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", Instant, nullable=False, index=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("delivered_at", Instant, nullable=True),
        sa.Column("answer", sa.JSON(), nullable=True),
    )


def downgrade() -> None:
    for table in ("guarantor_messages", "guarantees", "guarantors"):
        op.drop_table(table)
    for table in ("refund_instructions", "bank_transactions", "bond_entries", "bonds"):
        op.drop_table(table)
    with op.batch_alter_table("awards") as batch_op:
        batch_op.add_column(sa.Column("bond_refund_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("bonds_refunded_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("refund_late_at", Instant, nullable=True))
        batch_op.create_index(batch_op.f("ix_awards_bond_refund_due"), ["bond_refund_due"], unique=False)
