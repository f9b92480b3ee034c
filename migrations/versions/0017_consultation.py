"""竞争性磋商 (财库〔2014〕214号): the consultation of a tender between the opening of the first
responses and the scoring, its rounds with the purchaser's confirmation of changed terms, and the
suppliers' sealed final quotes.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Instant = advanced_alchemy.types.DateTimeUTC(timezone=True)
GUID = advanced_alchemy.types.GUID(length=16)


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("tender_id", GUID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("suppliers", sa.JSON(), nullable=False),
        sa.Column("remaining", sa.JSON(), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.Column("started_at", Instant, nullable=False),
        sa.Column("quotes_called_at", Instant, nullable=True),
        sa.Column("quotes_until", Instant, nullable=True),
        sa.Column("closed_at", Instant, nullable=True),
        sa.Column("listed_case", sa.String(32), nullable=True),
        sa.Column("finalists", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_consultations_tender_id_tenders")),
        sa.PrimaryKeyConstraint("tender_id", name=op.f("pk_consultations")),
    )
    op.create_table(
        "consultation_rounds",
        sa.Column("id", GUID, nullable=False),
        sa.Column("tender_id", GUID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("changes", sa.String(4000), nullable=True),
        sa.Column("opened_at", Instant, nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("confirmation", sa.String(16), nullable=True),
        sa.Column("confirmation_text", sa.String(2000), nullable=True),
        sa.Column("confirmed_at", Instant, nullable=True),
        sa.Column("confirmed_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_consultation_rounds_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_rounds")),
        sa.UniqueConstraint("tender_id", "number", name=op.f("uq_consultation_rounds_tender_id")),
    )
    op.create_index(op.f("ix_consultation_rounds_tender_id"), "consultation_rounds", ["tender_id"], unique=False)
    op.create_table(
        "final_quotes",
        sa.Column("tender_id", GUID, nullable=False),
        sa.Column("bid_id", sa.String(36), nullable=False),
        sa.Column("org_uscc", sa.String(18), nullable=False),
        sa.Column("sealed", sa.String(512), nullable=False),
        sa.Column("commitment", sa.String(64), nullable=False),
        sa.Column("submitted_at", Instant, nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=True),  # fen
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_final_quotes_tender_id_tenders")),
        sa.PrimaryKeyConstraint("tender_id", "bid_id", name=op.f("pk_final_quotes")),
    )


def downgrade() -> None:
    op.drop_table("final_quotes")
    op.drop_index(op.f("ix_consultation_rounds_tender_id"), table_name="consultation_rounds")
    op.drop_table("consultation_rounds")
    op.drop_table("consultations")
