"""A revised report is signed again by every member (MOF order 87 art. 64; 实施条例 art. 53):
a signature belongs to the report's revision it signs. A GP complaint's suspension order ends
after 30 days at the latest (政府采购法 art. 57): the objection keeps its end.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Instant = advanced_alchemy.types.DateTimeUTC(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("report_signatures") as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_constraint("uq_report_signatures_tender_id", type_="unique")
        batch_op.create_unique_constraint("uq_report_signatures_tender_id", ["tender_id", "seat_id", "revision"])
    with op.batch_alter_table("award_objections") as batch_op:
        batch_op.add_column(sa.Column("suspension_ends_at", Instant, nullable=True))
        batch_op.create_index("ix_award_objections_suspension_ends_at", ["suspension_ends_at"])


def downgrade() -> None:
    with op.batch_alter_table("award_objections") as batch_op:
        batch_op.drop_index("ix_award_objections_suspension_ends_at")
        batch_op.drop_column("suspension_ends_at")
    with op.batch_alter_table("report_signatures") as batch_op:
        batch_op.drop_constraint("uq_report_signatures_tender_id", type_="unique")
        batch_op.create_unique_constraint("uq_report_signatures_tender_id", ["tender_id", "seat_id"])
        batch_op.drop_column("revision")
