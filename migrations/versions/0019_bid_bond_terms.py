"""The bid bond (投标保证金) a filing asks and its tender publishes: the amount (at most 2 % of the
estimate, 实施条例 art. 26; of the budget in government procurement, 政府采购法实施条例 art. 33), the
forms it may take, whether small and medium enterprises are exempt.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("filings", "tenders"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("bond_amount", sa.BigInteger(), nullable=True))  # fen
            batch_op.add_column(sa.Column("bond_forms", sa.JSON(), nullable=True))
            batch_op.add_column(sa.Column("bond_sme_exempt", sa.Boolean(), nullable=True))


def downgrade() -> None:
    for table in ("filings", "tenders"):
        with op.batch_alter_table(table) as batch_op:
            for column in ("bond_sme_exempt", "bond_forms", "bond_amount"):
                batch_op.drop_column(column)
