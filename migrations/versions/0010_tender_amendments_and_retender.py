"""A published tender's clarifications and changes (澄清/修改) with the revised documents they
publish, who obtained the documents, bidders' confirmations of bids sealed before an amendment;
a re-tender (重新招标) names the failed or cancelled tender it replaces (filings and tenders).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 08:21:03.664142
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tender_amendments",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("issued_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("deadline_before", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("deadline_after", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_tender_amendments_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_amendments")),
        sa.UniqueConstraint("tender_id", "number", name=op.f("uq_tender_amendments_tender_id")),
    )
    with op.batch_alter_table("tender_amendments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tender_amendments_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "tender_documents",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("amendment_number", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_tender_documents_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_documents")),
    )
    with op.batch_alter_table("tender_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tender_documents_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "tender_downloads",
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("bidder_uscc", sa.String(length=18), nullable=False),
        sa.Column("first_downloaded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_tender_downloads_tender_id_tenders")),
        sa.PrimaryKeyConstraint("tender_id", "bidder_uscc", name=op.f("pk_tender_downloads")),
    )
    op.create_table(
        "bid_confirmations",
        sa.Column("bid_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("confirmed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["bid_id"], ["bids.id"], name=op.f("fk_bid_confirmations_bid_id_bids")),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_bid_confirmations_tender_id_tenders")),
        sa.PrimaryKeyConstraint("bid_id", "number", name=op.f("pk_bid_confirmations")),
    )
    with op.batch_alter_table("bid_confirmations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bid_confirmations_tender_id"), ["tender_id"], unique=False)

    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retender_of", advanced_alchemy.types.guid.GUID(length=16), nullable=True))

    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retender_of", advanced_alchemy.types.guid.GUID(length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_tenders_retender_of"), ["retender_of"])
        batch_op.create_foreign_key(batch_op.f("fk_tenders_retender_of_tenders"), "tenders", ["retender_of"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tenders_retender_of_tenders"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_tenders_retender_of"), type_="unique")
        batch_op.drop_column("retender_of")

    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.drop_column("retender_of")

    with op.batch_alter_table("bid_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bid_confirmations_tender_id"))

    op.drop_table("bid_confirmations")
    op.drop_table("tender_downloads")
    with op.batch_alter_table("tender_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_documents_tender_id"))

    op.drop_table("tender_documents")
    with op.batch_alter_table("tender_amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_amendments_tender_id"))

    op.drop_table("tender_amendments")
