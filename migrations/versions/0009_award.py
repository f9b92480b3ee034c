"""The award (from candidates to contract): a tender's award file (checked candidates and their
publicity), objections and complaints, awards with their contracts and bid-bond refunds,
cancellation requests, and the documents uploaded for them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 06:39:17.588761
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

import app.core.money

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "award_documents",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("org_uscc", sa.String(length=18), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_award_documents_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_documents")),
    )
    with op.batch_alter_table("award_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_documents_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "award_files",
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("disqualified", sa.JSON(), nullable=False),
        sa.Column("settled_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("publish_by", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("publicity_round", sa.Integer(), nullable=False),
        sa.Column("publicity_started_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("publicity_ends_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("committee", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_award_files_tender_id_tenders")),
        sa.PrimaryKeyConstraint("tender_id", name=op.f("pk_award_files")),
    )
    with op.batch_alter_table("award_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_files_publicity_ends_at"), ["publicity_ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_files_publish_by"), ["publish_by"], unique=False)

    op.create_table(
        "award_objections",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raised_by_uscc", sa.String(length=18), nullable=False),
        sa.Column("raised_by", sa.String(length=100), nullable=False),
        sa.Column("grounds", sa.String(length=4000), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("raised_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("due_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("overdue_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("answered_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("answer", sa.String(length=4000), nullable=True),
        sa.Column("disqualified_bid", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["award_objections.id"], name=op.f("fk_award_objections_parent_id_award_objections")
        ),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_award_objections_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_objections")),
    )
    with op.batch_alter_table("award_objections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_objections_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_objections_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_objections_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "tender_cancellations",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_tender_cancellations_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_cancellations")),
    )
    with op.batch_alter_table("tender_cancellations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tender_cancellations_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "awards",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("bid_id", sa.String(length=36), nullable=False),
        sa.Column("bidder_uscc", sa.String(length=18), nullable=False),
        sa.Column("bidder", sa.String(length=200), nullable=False),
        sa.Column("candidate_rank", sa.Integer(), nullable=False),
        sa.Column("price", app.core.money.Money(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("awarded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sign_by", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("late_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("declined_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.String(length=2000), nullable=True),
        sa.Column("declined_by", sa.String(length=100), nullable=True),
        sa.Column("contract_document_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("contract_amount", app.core.money.Money(), nullable=True),
        sa.Column("contract_signed_on", sa.Date(), nullable=True),
        sa.Column("contract_starts_on", sa.Date(), nullable=True),
        sa.Column("contract_ends_on", sa.Date(), nullable=True),
        sa.Column("contract_recorded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("bond_refund_due", sa.Date(), nullable=True),
        sa.Column("bonds_refunded_on", sa.Date(), nullable=True),
        sa.Column("refund_late_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_document_id"],
            ["award_documents.id"],
            name=op.f("fk_awards_contract_document_id_award_documents"),
        ),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_awards_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_awards")),
    )
    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_awards_bond_refund_due"), ["bond_refund_due"], unique=False)
        batch_op.create_index(batch_op.f("ix_awards_sign_by"), ["sign_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_awards_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_awards_tender_id"), ["tender_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_awards_tender_id"))
        batch_op.drop_index(batch_op.f("ix_awards_status"))
        batch_op.drop_index(batch_op.f("ix_awards_sign_by"))
        batch_op.drop_index(batch_op.f("ix_awards_bond_refund_due"))

    op.drop_table("awards")
    with op.batch_alter_table("tender_cancellations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_cancellations_tender_id"))

    op.drop_table("tender_cancellations")
    with op.batch_alter_table("award_objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_objections_tender_id"))
        batch_op.drop_index(batch_op.f("ix_award_objections_status"))
        batch_op.drop_index(batch_op.f("ix_award_objections_due_at"))

    op.drop_table("award_objections")
    with op.batch_alter_table("award_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_files_publish_by"))
        batch_op.drop_index(batch_op.f("ix_award_files_publicity_ends_at"))

    op.drop_table("award_files")
    with op.batch_alter_table("award_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_documents_tender_id"))

    op.drop_table("award_documents")
