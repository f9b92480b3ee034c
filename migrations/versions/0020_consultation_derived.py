"""A consultation's suppliers still in and its finalists are derived (the responses less the
excluded; the opened final quotes of those still in): their copies go.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consultations") as batch_op:
        batch_op.drop_column("remaining")
        batch_op.drop_column("finalists")


def downgrade() -> None:
    with op.batch_alter_table("consultations") as batch_op:
        batch_op.add_column(sa.Column("remaining", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("finalists", sa.JSON(), nullable=True))
