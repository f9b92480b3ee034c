"""Hardening, second round: an audit event remembers whether its actor is a committee member
(whose name the readable trail hides from all but supervisors); a rounds auction's initial
offer is kept sealed with its salted commitment, never in plain figures; an expert draw keeps
when it was committed and the beacon (a supervisor's entry and the tree head) of its final seed;
the OCDS feed pages through a stored index of releases; an expert's unavailable days say whether
the pool file or the expert declared them; a credit entry remembers the day a version dropped it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 13:30:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

import app.core.money

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


BEACON_COLUMNS = ("committed_at", "entry", "entry_by", "entry_at", "entry_head_size", "entry_head_root")


def _beacon_columns() -> list[sa.Column[object]]:
    """A draw's commitment time and beacon (experts.models.Beaconed), on both kinds of draw."""
    moment = advanced_alchemy.types.DateTimeUTC(timezone=True)
    return [
        sa.Column("committed_at", moment, nullable=True),
        sa.Column("entry", sa.String(length=200), nullable=True),
        sa.Column("entry_by", sa.String(length=64), nullable=True),
        sa.Column("entry_at", moment, nullable=True),
        sa.Column("entry_head_size", sa.BigInteger(), nullable=True),
        sa.Column("entry_head_root", sa.String(length=64), nullable=True),
    ]


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("actor_sealed", sa.Boolean(), nullable=False, server_default=sa.false()))
    # An initial offer written in plain figures before this revision cannot be sealed here (the key
    # derives from the platform's secret, which a migration does not hold): the migration refuses to
    # run over one that is still unopened, rather than lose it or leave it readable.
    unopened = op.get_bind().scalar(
        sa.text(
            "SELECT count(*) FROM service_registrations r JOIN service_requests q ON q.id = r.request_id"
            " WHERE r.initial_offer IS NOT NULL AND q.status IN ('registering', 'bidding')"
        )
    )
    if unopened:
        raise RuntimeError(f"{unopened} initial offer(s) of running requests are in plain figures: close them first")
    with op.batch_alter_table("service_registrations") as table:
        table.add_column(sa.Column("initial_offer_sealed", sa.Text(), nullable=True))
        table.add_column(sa.Column("initial_offer_commitment", sa.String(length=64), nullable=True))
        table.drop_column("initial_offer")
    with op.batch_alter_table("expert_draws") as table:
        for column in _beacon_columns():
            table.add_column(column)

    op.create_table(
        "ocds_releases",
        sa.Column("release_id", sa.String(length=200), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.GUID(length=16), nullable=False),
        sa.Column("date", advanced_alchemy.types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("release_id", name=op.f("pk_ocds_releases")),
    )
    op.create_index("ix_ocds_releases_feed", "ocds_releases", ["date", "release_id"], unique=False)
    op.create_index(op.f("ix_ocds_releases_tender_id"), "ocds_releases", ["tender_id"], unique=False)
    with op.batch_alter_table("supplementary_draws") as table:
        table.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="drawn"))
        for column in _beacon_columns():
            table.add_column(column)
        table.alter_column("drawn_at", existing_type=advanced_alchemy.types.DateTimeUTC(timezone=True), nullable=True)
        table.create_index("ix_supplementary_draws_status", ["status"], unique=False)
    with op.batch_alter_table("expert_unavailability") as table:
        table.add_column(sa.Column("source", sa.String(length=8), nullable=False, server_default="pool"))
    op.add_column("credit_entries", sa.Column("ended_on", sa.Date(), nullable=True))
    op.create_index(
        "ix_credit_entries_ended",
        "credit_entries",
        ["ended_on"],
        unique=False,
        postgresql_where=sa.text("removed_in IS NOT NULL"),
        sqlite_where=sa.text("removed_in IS NOT NULL"),
    )
    op.create_table(
        "ocds_index_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leaves_read", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocds_index_state")),
    )
    op.execute("INSERT INTO ocds_index_state (id, leaves_read) VALUES (1, 0)")  # read from the log's first leaf


def downgrade() -> None:
    with op.batch_alter_table("supplementary_draws") as table:
        table.drop_index("ix_supplementary_draws_status")
        table.alter_column("drawn_at", existing_type=advanced_alchemy.types.DateTimeUTC(timezone=True), nullable=False)
        for column in (*BEACON_COLUMNS, "status"):
            table.drop_column(column)
    op.drop_index("ix_credit_entries_ended", table_name="credit_entries")
    op.drop_column("credit_entries", "ended_on")
    with op.batch_alter_table("expert_unavailability") as table:
        table.drop_column("source")
    op.drop_table("ocds_index_state")
    op.drop_index(op.f("ix_ocds_releases_tender_id"), table_name="ocds_releases")
    op.drop_index("ix_ocds_releases_feed", table_name="ocds_releases")
    op.drop_table("ocds_releases")
    with op.batch_alter_table("expert_draws") as table:
        for column in BEACON_COLUMNS:
            table.drop_column(column)
    with op.batch_alter_table("service_registrations") as table:
        table.add_column(sa.Column("initial_offer", app.core.money.Money(), nullable=True))
        table.drop_column("initial_offer_commitment")
        table.drop_column("initial_offer_sealed")
    op.drop_column("audit_events", "actor_sealed")
