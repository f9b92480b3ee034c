"""The intermediary supermarket: qualifications, suspensions, service requests, registrations, auctions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

from app.core.money import Money

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intermediary_suspensions",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("org_uscc", sa.String(length=18), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("since", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("lifted_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_uscc"], ["organizations.uscc"], name=op.f("fk_intermediary_suspensions_org_uscc_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intermediary_suspensions")),
    )
    with op.batch_alter_table("intermediary_suspensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intermediary_suspensions_org_uscc"), ["org_uscc"], unique=False)

    op.create_table(
        "qualifications",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("org_uscc", sa.String(length=18), nullable=False),
        sa.Column("certificate_type", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("registered_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_uscc"], ["organizations.uscc"], name=op.f("fk_qualifications_org_uscc_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualifications")),
    )
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qualifications_org_uscc"), ["org_uscc"], unique=False)

    op.create_table(
        "service_requests",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("owner_uscc", sa.String(length=18), nullable=False),
        sa.Column("project_name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("required_grade", sa.String(length=32), nullable=True),
        sa.Column("ceiling", Money(), nullable=False),
        sa.Column("floor", Money(), nullable=True),
        sa.Column("registration_closes", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("bidding_starts", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("bidding_ends", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("min_participants", sa.Integer(), nullable=False),
        sa.Column("auction", sa.JSON(), nullable=False),
        sa.Column("selection_method", sa.String(length=16), nullable=False),
        sa.Column("draw_commitment", sa.String(length=64), nullable=True),
        sa.Column("draw_seed", sa.String(length=64), nullable=True),
        sa.Column("justification", sa.String(length=2000), nullable=True),
        sa.Column("reposted_from", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("posted_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("posted_by", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_uscc"], ["organizations.uscc"], name=op.f("fk_service_requests_owner_uscc_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_requests")),
    )
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_requests_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_requests_owner_uscc"), ["owner_uscc"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_requests_status"), ["status"], unique=False)

    op.create_table(
        "auctions",
        sa.Column("request_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("winner_uscc", sa.String(length=18), nullable=True),
        sa.Column("award_price", Money(), nullable=True),
        sa.Column("savings", Money(), nullable=True),
        sa.Column("closed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["service_requests.id"], name=op.f("fk_auctions_request_id_service_requests")
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_auctions")),
    )
    op.create_table(
        "service_registrations",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("request_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("org_uscc", sa.String(length=18), nullable=False),
        sa.Column("registered_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_uscc"], ["organizations.uscc"], name=op.f("fk_service_registrations_org_uscc_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["service_requests.id"], name=op.f("fk_service_registrations_request_id_service_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_registrations")),
        sa.UniqueConstraint("request_id", "org_uscc", name=op.f("uq_service_registrations_request_id")),
    )
    with op.batch_alter_table("service_registrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_registrations_request_id"), ["request_id"], unique=False)

    op.create_table(
        "auction_bids",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("request_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("org_uscc", sa.String(length=18), nullable=False),
        sa.Column("price", Money(), nullable=False),
        sa.Column("received_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["auctions.request_id"], name=op.f("fk_auction_bids_request_id_auctions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auction_bids")),
    )
    with op.batch_alter_table("auction_bids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auction_bids_request_id"), ["request_id"], unique=False)
    op.create_table(
        "intermediary_assessments",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("request_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("org_uscc", sa.String(length=18), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("timeliness", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("assessed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("assessed_by", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_uscc"], ["organizations.uscc"], name=op.f("fk_intermediary_assessments_org_uscc_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
            name=op.f("fk_intermediary_assessments_request_id_service_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intermediary_assessments")),
        sa.UniqueConstraint("request_id", name=op.f("uq_intermediary_assessments_request_id")),
    )
    with op.batch_alter_table("intermediary_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intermediary_assessments_org_uscc"), ["org_uscc"], unique=False)
    op.create_table(
        "offered_services",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("org_uscc", sa.String(length=18), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_uscc"], ["organizations.uscc"], name=op.f("fk_offered_services_org_uscc_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offered_services")),
        sa.UniqueConstraint("org_uscc", "category", name=op.f("uq_offered_services_org_uscc")),
    )
    with op.batch_alter_table("offered_services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offered_services_org_uscc"), ["org_uscc"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("offered_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offered_services_org_uscc"))

    op.drop_table("offered_services")
    with op.batch_alter_table("intermediary_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intermediary_assessments_org_uscc"))

    op.drop_table("intermediary_assessments")
    with op.batch_alter_table("auction_bids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auction_bids_request_id"))

    op.drop_table("auction_bids")
    with op.batch_alter_table("service_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_registrations_request_id"))

    op.drop_table("service_registrations")
    op.drop_table("auctions")
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_requests_status"))
        batch_op.drop_index(batch_op.f("ix_service_requests_owner_uscc"))
        batch_op.drop_index(batch_op.f("ix_service_requests_category"))

    op.drop_table("service_requests")
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qualifications_org_uscc"))

    op.drop_table("qualifications")
    with op.batch_alter_table("intermediary_suspensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intermediary_suspensions_org_uscc"))

    op.drop_table("intermediary_suspensions")
