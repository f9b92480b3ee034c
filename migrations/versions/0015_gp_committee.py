"""Government procurement's committee size: a filing states whether the project is technically
complex, highly specialised or of large social impact (87号令 art. 47), which with a budget of
10 million yuan or more asks for at least 7 members.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("filings") as batch_op:
        batch_op.add_column(sa.Column("complex_or_high_impact", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("filings") as batch_op:
        batch_op.drop_column("complex_or_high_impact")
