"""The purchaser's (tenderee's) representatives on the committee: a seat without an expert, the
representative's login and name; the draw keeps how many seats are theirs (at most a third,
Tendering Law art. 37; 财政部令第87号 art. 47); the evaluation its elected chair (组长), never a
representative.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 03:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.GUID(length=16)


def upgrade() -> None:
    with op.batch_alter_table("committee_seats") as batch_op:
        batch_op.alter_column("expert_id", existing_type=GUID, nullable=True)
        batch_op.add_column(sa.Column("user_id", GUID, nullable=True))
        batch_op.add_column(sa.Column("name", sa.String(100), nullable=True))
        batch_op.create_foreign_key("fk_committee_seats_user_id_users", "users", ["user_id"], ["id"])
    with op.batch_alter_table("expert_draws") as batch_op:
        batch_op.add_column(sa.Column("representatives", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("evaluations") as batch_op:
        batch_op.add_column(sa.Column("chair_seat_id", GUID, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evaluations") as batch_op:
        batch_op.drop_column("chair_seat_id")
    with op.batch_alter_table("expert_draws") as batch_op:
        batch_op.drop_column("representatives")
    with op.batch_alter_table("committee_seats") as batch_op:
        batch_op.drop_constraint("fk_committee_seats_user_id_users", type_="foreignkey")
        batch_op.drop_column("name")
        batch_op.drop_column("user_id")
        batch_op.alter_column("expert_id", existing_type=GUID, nullable=False)
