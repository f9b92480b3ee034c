"""Government procurement as its own regime: a filing states whether the project is technically
complex, highly specialised or of large social impact (87号令 art. 47: with a budget of 10 million
yuan or more, at least 7 members); the award file keeps the purchaser's confirmation deadline (5
working days, 政府采购法实施条例 art. 43) and the publication of the result notice; an award its
contract's publication (2 working days, art. 50) and filing (备案, 7 working days, 政府采购法 art. 47).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Instant = advanced_alchemy.types.DateTimeUTC(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("filings") as batch_op:
        batch_op.add_column(sa.Column("complex_or_high_impact", sa.Boolean(), nullable=True))
    with op.batch_alter_table("award_files") as batch_op:
        batch_op.add_column(sa.Column("confirm_by", Instant, nullable=True))
        batch_op.add_column(sa.Column("result_published_at", Instant, nullable=True))
        batch_op.create_index("ix_award_files_confirm_by", ["confirm_by"])
    with op.batch_alter_table("evaluations") as batch_op:
        batch_op.add_column(sa.Column("qualification_refused", sa.JSON(), nullable=True))
    with op.batch_alter_table("awards") as batch_op:
        batch_op.add_column(sa.Column("contract_publish_by", Instant, nullable=True))
        batch_op.add_column(sa.Column("contract_file_by", Instant, nullable=True))
        batch_op.add_column(sa.Column("contract_filed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("contract_filing_number", sa.String(100), nullable=True))
        batch_op.add_column(sa.Column("contract_filing_late_at", Instant, nullable=True))
        batch_op.create_index("ix_awards_contract_file_by", ["contract_file_by"])


def downgrade() -> None:
    with op.batch_alter_table("evaluations") as batch_op:
        batch_op.drop_column("qualification_refused")
    with op.batch_alter_table("awards") as batch_op:
        batch_op.drop_index("ix_awards_contract_file_by")
        for column in (
            "contract_filing_late_at",
            "contract_filing_number",
            "contract_filed_on",
            "contract_file_by",
            "contract_publish_by",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("award_files") as batch_op:
        batch_op.drop_index("ix_award_files_confirm_by")
        batch_op.drop_column("result_published_at")
        batch_op.drop_column("confirm_by")
    with op.batch_alter_table("filings") as batch_op:
        batch_op.drop_column("complex_or_high_impact")
