"""Sealed bidding: registered keys, custody shares, bids, opening sessions, events and records.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registered_keys",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("registered_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("retired_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registered_keys")),
    )
    with op.batch_alter_table("registered_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registered_keys_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_index("ix_registered_keys_owner", ["purpose", "owner"], unique=False)

    op.create_table(
        "bids",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("bidder_uscc", sa.String(length=18), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("signer_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("received_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("submitted_by", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("receipt", sa.JSON(), nullable=False),
        sa.Column("ended_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_bids_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bids")),
    )
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bids_tender_id"), ["tender_id"], unique=False)
        batch_op.create_index(
            "uq_bids_one_current",
            ["tender_id", "bidder_uscc"],
            unique=True,
            postgresql_where=sa.text("status = 'submitted'"),
            sqlite_where=sa.text("status = 'submitted'"),
        )

    op.create_table(
        "custody_shares",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("custodian_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("custodian_role", sa.String(length=32), nullable=False),
        sa.Column("share_index", sa.Integer(), nullable=False),
        sa.Column("encrypted_share", sa.Text(), nullable=False),
        sa.Column("delivered_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_custody_shares_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_shares")),
        sa.UniqueConstraint("tender_id", "custodian_id", name=op.f("uq_custody_shares_tender_id")),
    )
    with op.batch_alter_table("custody_shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_custody_shares_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "handed_in_shares",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("custodian_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("share_index", sa.Integer(), nullable=False),
        sa.Column("mnemonic", sa.Text(), nullable=False),
        sa.Column("received_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_handed_in_shares_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handed_in_shares")),
        sa.UniqueConstraint("tender_id", "share_index", name=op.f("uq_handed_in_shares_tender_id")),
    )
    with op.batch_alter_table("handed_in_shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handed_in_shares_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "opening_events",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_opening_events_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_events")),
        sa.UniqueConstraint("tender_id", "seq", name=op.f("uq_opening_events_tender_id")),
    )
    with op.batch_alter_table("opening_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opening_events_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "opening_sessions",
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("started_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("bidders", sa.JSON(), nullable=False),
        sa.Column("key_rebuilt_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("finished_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("confirm_until", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.Column("lease_until", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_opening_sessions_tender_id_tenders")),
        sa.PrimaryKeyConstraint("tender_id", name=op.f("pk_opening_sessions")),
    )
    op.create_table(
        "record_responses",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("bidder_uscc", sa.String(length=18), nullable=False),
        sa.Column("response", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("responded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("responded_by", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_record_responses_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_responses")),
        sa.UniqueConstraint("tender_id", "bidder_uscc", name=op.f("uq_record_responses_tender_id")),
    )
    with op.batch_alter_table("record_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_responses_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "bid_openings",
        sa.Column("bid_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("bidder_uscc", sa.String(length=18), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("declaration", sa.JSON(), nullable=True),
        sa.Column("documents", sa.JSON(), nullable=True),
        sa.Column("opened_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bid_id"], ["bids.id"], name=op.f("fk_bid_openings_bid_id_bids")),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_bid_openings_tender_id_tenders")),
        sa.PrimaryKeyConstraint("bid_id", name=op.f("pk_bid_openings")),
    )
    with op.batch_alter_table("bid_openings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bid_openings_tender_id"), ["tender_id"], unique=False)

    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opening_public_key", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("custody_set_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("custody_threshold", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("record_window_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.drop_column("record_window_minutes")
        batch_op.drop_column("custody_threshold")
        batch_op.drop_column("custody_set_id")
        batch_op.drop_column("opening_public_key")

    with op.batch_alter_table("bid_openings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bid_openings_tender_id"))

    op.drop_table("bid_openings")
    with op.batch_alter_table("record_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_responses_tender_id"))

    op.drop_table("record_responses")
    op.drop_table("opening_sessions")
    with op.batch_alter_table("opening_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opening_events_tender_id"))

    op.drop_table("opening_events")
    with op.batch_alter_table("handed_in_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handed_in_shares_tender_id"))

    op.drop_table("handed_in_shares")
    with op.batch_alter_table("custody_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_shares_tender_id"))

    op.drop_table("custody_shares")
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_bids_one_current",
            postgresql_where=sa.text("status = 'submitted'"),
            sqlite_where=sa.text("status = 'submitted'"),
        )
        batch_op.drop_index(batch_op.f("ix_bids_tender_id"))

    op.drop_table("bids")
    with op.batch_alter_table("registered_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_registered_keys_owner")
        batch_op.drop_index(batch_op.f("ix_registered_keys_fingerprint"))

    op.drop_table("registered_keys")
