"""The audit trail becomes a transparency log: events are appended without a lock (their seq
from a sequence, their transaction id kept for the sequencer, no chain link), the sequencer's
leaves and complete subtrees, its state, and the signed tree heads. Existing events keep their
chain and become the first leaves.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 09:02:31.752147
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # SQLite's INTEGER PRIMARY KEY numbers rows itself
        op.execute("CREATE SEQUENCE audit_events_seq_seq OWNED BY audit_events.seq")
        op.execute("SELECT setval('audit_events_seq_seq', COALESCE((SELECT max(seq) FROM audit_events), 0) + 1, false)")
        op.execute("ALTER TABLE audit_events ALTER COLUMN seq SET DEFAULT nextval('audit_events_seq_seq')")
    op.create_table(
        "tlog_heads",
        sa.Column("tree_size", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_tlog_heads")),
    )
    op.create_table(
        "tlog_nodes",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("index", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "index", name=op.f("pk_tlog_nodes")),
    )
    op.create_table(
        "tlog_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("last_txid", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tlog_state")),
    )
    op.create_table(
        "tlog_leaves",
        sa.Column("leaf_index", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["audit_events.seq"], name=op.f("fk_tlog_leaves_seq_audit_events")),
        sa.PrimaryKeyConstraint("leaf_index", name=op.f("pk_tlog_leaves")),
        sa.UniqueConstraint("seq", name=op.f("uq_tlog_leaves_seq")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("txid", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.alter_column("prev_hash", existing_type=sa.VARCHAR(length=64), nullable=True)
        batch_op.alter_column("hash", existing_type=sa.VARCHAR(length=64), nullable=True)
        batch_op.create_index("ix_audit_events_commit_order", ["txid", "seq"], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_events ALTER COLUMN seq DROP DEFAULT")
        op.execute("DROP SEQUENCE audit_events_seq_seq")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_commit_order")
        batch_op.alter_column("hash", existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.drop_column("txid")

    op.drop_table("tlog_leaves")
    op.drop_table("tlog_state")
    op.drop_table("tlog_nodes")
    op.drop_table("tlog_heads")
