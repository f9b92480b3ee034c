"""Calendar years, notifications, tender filings (with rounds and documents) and tenders.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

from app.core.money import Money

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("workdays", sa.JSON(), nullable=False),
        sa.Column("loaded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("audience_role", sa.String(length=32), nullable=False),
        sa.Column("recipient_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("dedupe_key", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_created_at"), ["created_at"], unique=False)

    op.create_table(
        "filings",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("agency_uscc", sa.String(length=18), nullable=False),
        sa.Column("created_by", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("project_name", sa.String(length=200), nullable=False),
        sa.Column("project_type", sa.String(length=32), nullable=False),
        sa.Column("project_code", sa.String(length=64), nullable=True),
        sa.Column("tenderee_uscc", sa.String(length=18), nullable=True),
        sa.Column("procurement_method", sa.String(length=16), nullable=True),
        sa.Column("budget", Money(), nullable=True),
        sa.Column("announcement_date", sa.Date(), nullable=True),
        sa.Column("bid_deadline", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("opening_time", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("evaluation_method", sa.String(length=32), nullable=True),
        sa.Column("committee_size", sa.Integer(), nullable=True),
        sa.Column("record_window_minutes", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_uscc"], ["organizations.uscc"], name=op.f("fk_filings_agency_uscc_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filings")),
    )
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_filings_agency_uscc"), ["agency_uscc"], unique=False)
        batch_op.create_index(batch_op.f("ix_filings_status"), ["status"], unique=False)

    op.create_table(
        "filing_documents",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("filing_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("uploaded_by", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.ForeignKeyConstraint(["filing_id"], ["filings.id"], name=op.f("fk_filing_documents_filing_id_filings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_documents")),
    )
    with op.batch_alter_table("filing_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_filing_documents_filing_id"), ["filing_id"], unique=False)

    op.create_table(
        "filing_rounds",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("filing_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("project_type", sa.String(length=32), nullable=False),
        sa.Column("submitted_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("submitted_by", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("deadline_day", sa.Date(), nullable=False),
        sa.Column("due_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("overdue_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("decided_by", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("decided_by_name", sa.String(length=64), nullable=True),
        sa.Column("notice", sa.JSON(), nullable=True),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["filing_id"], ["filings.id"], name=op.f("fk_filing_rounds_filing_id_filings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_rounds")),
        sa.UniqueConstraint("filing_id", "number", name=op.f("uq_filing_rounds_filing_id")),
    )
    with op.batch_alter_table("filing_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_filing_rounds_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_filing_rounds_filing_id"), ["filing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_filing_rounds_submitted_at"), ["submitted_at"], unique=False)

    op.create_table(
        "tenders",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("filing_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("project_name", sa.String(length=200), nullable=False),
        sa.Column("project_code", sa.String(length=64), nullable=False),
        sa.Column("project_type", sa.String(length=32), nullable=False),
        sa.Column("procurement_method", sa.String(length=16), nullable=False),
        sa.Column("tenderee_uscc", sa.String(length=18), nullable=False),
        sa.Column("agency_uscc", sa.String(length=18), nullable=False),
        sa.Column("budget", Money(), nullable=False),
        sa.Column("evaluation_method", sa.String(length=32), nullable=False),
        sa.Column("committee_size", sa.Integer(), nullable=False),
        sa.Column("announcement_date", sa.Date(), nullable=False),
        sa.Column("bid_deadline", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("opening_time", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("published_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["filing_id"], ["filings.id"], name=op.f("fk_tenders_filing_id_filings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenders")),
        sa.UniqueConstraint("filing_id", name=op.f("uq_tenders_filing_id")),
    )
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenders_agency_uscc"), ["agency_uscc"], unique=False)
        batch_op.create_index(batch_op.f("ix_tenders_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenders_status"))
        batch_op.drop_index(batch_op.f("ix_tenders_agency_uscc"))

    op.drop_table("tenders")
    with op.batch_alter_table("filing_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filing_rounds_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_filing_rounds_filing_id"))
        batch_op.drop_index(batch_op.f("ix_filing_rounds_due_at"))

    op.drop_table("filing_rounds")
    with op.batch_alter_table("filing_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filing_documents_filing_id"))

    op.drop_table("filing_documents")
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filings_status"))
        batch_op.drop_index(batch_op.f("ix_filings_agency_uscc"))

    op.drop_table("filings")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_created_at"))

    op.drop_table("notifications")
    op.drop_table("calendar_years")
