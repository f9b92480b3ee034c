"""Credit entries: names are indexed only where a name can match, entries without a USCC (an
entry with a USCC matches by its code only), by subject kind. The check's name lookups then probe
a small index, and imports of organizations' lists no longer maintain a name index at all.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = sa.text("removed_in IS NULL")
NAMED = sa.text("removed_in IS NULL AND uscc IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_entries_name")
        batch_op.create_index(
            "ix_credit_entries_named",
            ["subject_kind", "name"],
            unique=False,
            postgresql_where=NAMED,
            sqlite_where=NAMED,
        )


def downgrade() -> None:
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_entries_named")
        batch_op.create_index(
            "ix_credit_entries_name", ["name"], unique=False, postgresql_where=CURRENT, sqlite_where=CURRENT
        )
