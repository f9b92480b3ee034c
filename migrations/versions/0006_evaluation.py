"""Evaluation (评标): the specialty classification (seeded), the expert pool, draws and committee
seats, templates, score sheets, signatures and corrections, ratings, incidents and the
assessment rules (seeded).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 00:44:57.869402
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The specialty classification the platform starts with (dotted codes: a child lies under its parent).
SPECIALTIES = [
    ("construction", "建设工程", "construction"),
    ("construction.building", "房屋建筑", "building works"),
    ("construction.civil", "土木工程", "civil engineering"),
    ("construction.civil.bridges", "桥梁", "bridges"),
    ("construction.civil.roads", "道路", "roads"),
    ("construction.civil.tunnels", "隧道", "tunnels"),
    ("construction.electrical", "电气", "electrical"),
    ("construction.hvac", "暖通", "HVAC"),
    ("water", "水利工程", "water works"),
    ("water.hydraulic", "水工结构", "hydraulic structures"),
    ("economics", "经济", "economics"),
    ("economics.cost", "工程造价", "cost engineering"),
    ("economics.finance", "财务", "finance"),
    ("law", "法律", "law"),
    ("it", "信息技术", "information technology"),
    ("it.software", "软件", "software"),
    ("it.network", "网络与安全", "networks and security"),
    ("goods", "货物", "goods"),
    ("goods.medical", "医疗设备", "medical equipment"),
]

# Expert assessment rules (考核) the platform starts with; admins change them in data.
ASSESSMENT_RULES = [
    {
        "code": "two_declines_without_cause",
        "action": "suspend",
        "incident": "decline_without_cause",
        "count": 2,
        "window_days": 365,
        "average_below": None,
        "min_ratings": 1,
        "suspend_days": 182,
    },
    {
        "code": "two_no_shows",
        "action": "suspend",
        "incident": "no_show",
        "count": 2,
        "window_days": 365,
        "average_below": None,
        "min_ratings": 1,
        "suspend_days": 182,
    },
    {
        "code": "three_abnormal_scores",
        "action": "suspend",
        "incident": "abnormal_score",
        "count": 3,
        "window_days": 365,
        "average_below": None,
        "min_ratings": 1,
        "suspend_days": 90,
    },
    {
        "code": "average_rating_below_60",
        "action": "dismiss",
        "incident": None,
        "count": 0,
        "window_days": 365,
        "average_below": 60,
        "min_ratings": 1,
        "suspend_days": 0,
    },
]


def upgrade() -> None:
    op.create_table(
        "expert_assessment_rules",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("incident", sa.String(length=32), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("average_below", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("min_ratings", sa.Integer(), nullable=False),
        sa.Column("suspend_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_expert_assessment_rules")),
    )
    op.create_table(
        "specialties",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_specialties")),
    )
    op.create_table(
        "experts",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("user_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("employer_uscc", sa.String(length=18), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("suspended_until", sa.Date(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_experts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experts")),
        sa.UniqueConstraint("user_id", name=op.f("uq_experts_user_id")),
    )
    with op.batch_alter_table("experts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_experts_employer_uscc"), ["employer_uscc"], unique=False)

    op.create_table(
        "committee_seats",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("expert_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("specialty", sa.String(length=64), nullable=False),
        sa.Column("draw_order", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("called_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("declared_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("replaced_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("replaced_reason", sa.String(length=32), nullable=True),
        sa.Column("replaced_note", sa.String(length=1000), nullable=True),
        sa.Column("replaced_by", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.ForeignKeyConstraint(["expert_id"], ["experts.id"], name=op.f("fk_committee_seats_expert_id_experts")),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_committee_seats_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_seats")),
        sa.UniqueConstraint("tender_id", "expert_id", name=op.f("uq_committee_seats_tender_id")),
    )
    with op.batch_alter_table("committee_seats", schema=None) as batch_op:
        batch_op.create_index("ix_committee_seats_expert", ["expert_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_committee_seats_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "evaluation_templates",
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("template", sa.JSON(), nullable=False),
        sa.Column("set_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_evaluation_templates_tender_id_tenders")),
        sa.PrimaryKeyConstraint("tender_id", name=op.f("pk_evaluation_templates")),
    )
    op.create_table(
        "evaluations",
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("bids", sa.JSON(), nullable=False),
        sa.Column("tie_resolutions", sa.JSON(), nullable=False),
        sa.Column("started_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("signed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_evaluations_tender_id_tenders")),
        sa.PrimaryKeyConstraint("tender_id", name=op.f("pk_evaluations")),
    )
    op.create_table(
        "expert_draws",
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("quotas", sa.JSON(), nullable=False),
        sa.Column("region_rule", sa.String(length=8), nullable=True),
        sa.Column("region", sa.String(length=32), nullable=True),
        sa.Column("draw_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("evaluation_on", sa.Date(), nullable=False),
        sa.Column("configured_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("configured_by", sa.String(length=64), nullable=False),
        sa.Column("commitment", sa.String(length=128), nullable=True),
        sa.Column("seed_hex", sa.String(length=64), nullable=True),
        sa.Column("snapshot", sa.Text(), nullable=True),
        sa.Column("shortages", sa.JSON(), nullable=True),
        sa.Column("drawn_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_expert_draws_tender_id_tenders")),
        sa.PrimaryKeyConstraint("tender_id", name=op.f("pk_expert_draws")),
    )
    with op.batch_alter_table("expert_draws", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_draws_status"), ["status"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # A draw's snapshot (hundreds of KB of JSON, written once) is stored out of line without
        # compression: compressing it cost more than the rest of the draw's writes together.
        op.execute("ALTER TABLE expert_draws ALTER COLUMN snapshot SET STORAGE EXTERNAL")

    op.create_table(
        "supplementary_draws",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("quotas", sa.JSON(), nullable=False),
        sa.Column("commitment", sa.String(length=128), nullable=False),
        sa.Column("seed_hex", sa.String(length=64), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("shortages", sa.JSON(), nullable=True),
        sa.Column("drawn_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("drawn_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_supplementary_draws_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplementary_draws")),
    )
    with op.batch_alter_table("supplementary_draws", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplementary_draws_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "expert_incidents",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("expert_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["expert_id"], ["experts.id"], name=op.f("fk_expert_incidents_expert_id_experts")),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_expert_incidents_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_incidents")),
        sa.UniqueConstraint("expert_id", "tender_id", "kind", "detail", name=op.f("uq_expert_incidents_expert_id")),
    )
    with op.batch_alter_table("expert_incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_incidents_expert_id"), ["expert_id"], unique=False)

    op.create_table(
        "expert_ratings",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("expert_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("rater_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("rater_role", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.Column("at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["expert_id"], ["experts.id"], name=op.f("fk_expert_ratings_expert_id_experts")),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_expert_ratings_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_ratings")),
        sa.UniqueConstraint("tender_id", "expert_id", "rater_id", name=op.f("uq_expert_ratings_tender_id")),
    )
    with op.batch_alter_table("expert_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_ratings_expert_id"), ["expert_id"], unique=False)

    op.create_table(
        "expert_specialties",
        sa.Column("expert_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["code"], ["specialties.code"], name=op.f("fk_expert_specialties_code_specialties")),
        sa.ForeignKeyConstraint(["expert_id"], ["experts.id"], name=op.f("fk_expert_specialties_expert_id_experts")),
        sa.PrimaryKeyConstraint("expert_id", "code", name=op.f("pk_expert_specialties")),
    )
    with op.batch_alter_table("expert_specialties", schema=None) as batch_op:
        batch_op.create_index("ix_expert_specialties_code", ["code", "expert_id"], unique=False)

    op.create_table(
        "expert_unavailability",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("expert_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["expert_id"], ["experts.id"], name=op.f("fk_expert_unavailability_expert_id_experts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_unavailability")),
    )
    with op.batch_alter_table("expert_unavailability", schema=None) as batch_op:
        batch_op.create_index("ix_expert_unavailability_days", ["starts_on", "ends_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_expert_unavailability_expert_id"), ["expert_id"], unique=False)

    op.create_table(
        "anomaly_explanations",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("seat_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("bid_id", sa.String(length=36), nullable=False),
        sa.Column("explanation", sa.String(length=2000), nullable=False),
        sa.Column("at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["committee_seats.id"], name=op.f("fk_anomaly_explanations_seat_id_committee_seats")
        ),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_anomaly_explanations_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anomaly_explanations")),
        sa.UniqueConstraint("seat_id", "bid_id", name=op.f("uq_anomaly_explanations_seat_id")),
    )
    with op.batch_alter_table("anomaly_explanations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_anomaly_explanations_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "report_signatures",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("seat_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["committee_seats.id"], name=op.f("fk_report_signatures_seat_id_committee_seats")
        ),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_report_signatures_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_signatures")),
        sa.UniqueConstraint("tender_id", "seat_id", name=op.f("uq_report_signatures_tender_id")),
    )
    with op.batch_alter_table("report_signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_signatures_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "score_corrections",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("seat_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("bid_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("old_value", sa.String(length=32), nullable=False),
        sa.Column("new_value", sa.String(length=32), nullable=False),
        sa.Column("case", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["committee_seats.id"], name=op.f("fk_score_corrections_seat_id_committee_seats")
        ),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_score_corrections_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_corrections")),
    )
    with op.batch_alter_table("score_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_score_corrections_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "score_sheets",
        sa.Column("seat_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("submitted_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("void", sa.Boolean(), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["committee_seats.id"], name=op.f("fk_score_sheets_seat_id_committee_seats")
        ),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_score_sheets_tender_id_tenders")),
        sa.PrimaryKeyConstraint("seat_id", name=op.f("pk_score_sheets")),
    )
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_score_sheets_tender_id"), ["tender_id"], unique=False)

    op.bulk_insert(
        sa.table(
            "specialties",
            sa.column("code", sa.String),
            sa.column("parent_code", sa.String),
            sa.column("name_zh", sa.String),
            sa.column("name_en", sa.String),
        ),
        [
            {"code": code, "parent_code": code.rpartition(".")[0] or None, "name_zh": zh, "name_en": en}
            for code, zh, en in SPECIALTIES
        ],
    )
    op.bulk_insert(
        sa.table(
            "expert_assessment_rules",
            sa.column("code", sa.String),
            sa.column("action", sa.String),
            sa.column("incident", sa.String),
            sa.column("count", sa.Integer),
            sa.column("window_days", sa.Integer),
            sa.column("average_below", sa.Numeric),
            sa.column("min_ratings", sa.Integer),
            sa.column("suspend_days", sa.Integer),
        ),
        ASSESSMENT_RULES,
    )


def downgrade() -> None:
    with op.batch_alter_table("supplementary_draws", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplementary_draws_tender_id"))
    op.drop_table("supplementary_draws")
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_sheets_tender_id"))

    op.drop_table("score_sheets")
    with op.batch_alter_table("score_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_corrections_tender_id"))

    op.drop_table("score_corrections")
    with op.batch_alter_table("report_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_signatures_tender_id"))

    op.drop_table("report_signatures")
    with op.batch_alter_table("anomaly_explanations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anomaly_explanations_tender_id"))

    op.drop_table("anomaly_explanations")
    with op.batch_alter_table("expert_unavailability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_unavailability_expert_id"))
        batch_op.drop_index("ix_expert_unavailability_days")

    op.drop_table("expert_unavailability")
    with op.batch_alter_table("expert_specialties", schema=None) as batch_op:
        batch_op.drop_index("ix_expert_specialties_code")

    op.drop_table("expert_specialties")
    with op.batch_alter_table("expert_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_ratings_expert_id"))

    op.drop_table("expert_ratings")
    with op.batch_alter_table("expert_incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_incidents_expert_id"))

    op.drop_table("expert_incidents")
    with op.batch_alter_table("expert_draws", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_draws_status"))

    op.drop_table("expert_draws")
    op.drop_table("evaluations")
    op.drop_table("evaluation_templates")
    with op.batch_alter_table("committee_seats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_seats_tender_id"))
        batch_op.drop_index("ix_committee_seats_expert")

    op.drop_table("committee_seats")
    with op.batch_alter_table("experts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experts_employer_uscc"))

    op.drop_table("experts")
    op.drop_table("specialties")
    op.drop_table("expert_assessment_rules")
