"""Prices and bid validity as the law sets them: a tender's ceiling price (最高投标限价, published)
and its secret 标底 (read out at the opening), filed with the tender; the committee's written
clarification of a price suspected below cost (实施条例 arts. 27, 51, 52); the bid validity period
filed with the tender, its extensions and each bidder's consent (实施条例 art. 25); whether state
funds control the project, and the tenderee's own award decision with its reason (招标投标法
art. 40, 实施条例 art. 55).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 16:00:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

import app.core.money

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRICE_COLUMNS = ("ceiling_price", "reference_price")

# Legal bases the 0007 seed got wrong (LAW.md row 56), corrected as a new version of the rule,
# only where an admin has not edited it since: 失信被执行人 in tendering is 法〔2016〕285号 (and
# 财库〔2016〕125号 in procurement); the wage-arrears list is 人社部令第45号 — 发改财金〔2018〕1614号 is
# the government-procurement memorandum.
CORRECTED_BASES = {
    "dishonest_debtor": ("财库〔2016〕125号；发改法规〔2018〕457号", "法〔2016〕285号；财库〔2016〕125号"),
    "wage_arrears": ("发改财金〔2018〕1614号；人社部令第45号", "人社部令第45号"),
}


def upgrade() -> None:
    for table_name in ("filings", "tenders"):
        with op.batch_alter_table(table_name) as table:
            for name in PRICE_COLUMNS:
                table.add_column(sa.Column(name, app.core.money.Money(), nullable=True))
            table.add_column(sa.Column("bid_validity_days", sa.Integer(), nullable=True))
            table.add_column(sa.Column("state_funded", sa.Boolean(), nullable=True))
            table.add_column(sa.Column("invitees", sa.JSON(), nullable=True))
    op.add_column("tenders", sa.Column("validity_reminded_at", advanced_alchemy.types.DateTimeUTC(timezone=True)))
    with op.batch_alter_table("award_files") as table:
        table.add_column(sa.Column("decision_reminded_at", advanced_alchemy.types.DateTimeUTC(timezone=True)))
        table.add_column(sa.Column("retender_reason", sa.String(length=2000), nullable=True))
        table.add_column(sa.Column("report", sa.JSON(), nullable=True))
        table.add_column(sa.Column("report_submitted_at", advanced_alchemy.types.DateTimeUTC(timezone=True)))
        table.add_column(sa.Column("report_late_at", advanced_alchemy.types.DateTimeUTC(timezone=True)))
    with op.batch_alter_table("record_responses") as table:
        table.add_column(sa.Column("answer", sa.String(length=2000), nullable=True))
        table.add_column(sa.Column("answered_at", advanced_alchemy.types.DateTimeUTC(timezone=True), nullable=True))
        table.add_column(sa.Column("answered_by", sa.String(length=100), nullable=True))
    with op.batch_alter_table("award_objections") as table:
        table.add_column(sa.Column("accepted_at", advanced_alchemy.types.DateTimeUTC(timezone=True), nullable=True))
    with op.batch_alter_table("credit_check_runs") as table:
        table.add_column(sa.Column("flagged", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("awards") as table:
        table.add_column(sa.Column("decision_reason", sa.String(length=2000), nullable=True))
        table.add_column(sa.Column("decided_by", sa.String(length=100), nullable=True))
        table.add_column(sa.Column("contract_differences", sa.JSON(), nullable=True))
        table.add_column(sa.Column("contract_difference_reason", sa.String(length=2000), nullable=True))
    moment = advanced_alchemy.types.DateTimeUTC(timezone=True)
    op.create_table(
        "price_clarifications",
        sa.Column("id", advanced_alchemy.types.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.GUID(length=16), nullable=False),
        sa.Column("bid_id", sa.String(length=36), nullable=False),
        sa.Column("bidder_uscc", sa.String(length=18), nullable=False),
        sa.Column("price", app.core.money.Money(), nullable=False),
        sa.Column("suspected", sa.Text(), nullable=False),
        sa.Column("asked_at", moment, nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", moment, nullable=True),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_at", moment, nullable=True),
        sa.Column("decided_by_seat", advanced_alchemy.types.GUID(length=16), nullable=True),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_price_clarifications_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_clarifications")),
        sa.UniqueConstraint("tender_id", "bid_id", name="uq_price_clarifications_bid"),
    )
    op.create_table(
        "candidate_reviews",
        sa.Column("id", advanced_alchemy.types.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.GUID(length=16), nullable=False),
        sa.Column("run_id", advanced_alchemy.types.GUID(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("flagged", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("signatures", sa.JSON(), nullable=False),
        sa.Column("opened_at", moment, nullable=False),
        sa.Column("signed_at", moment, nullable=True),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_candidate_reviews_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_reviews")),
    )
    op.create_index(op.f("ix_candidate_reviews_tender_id"), "candidate_reviews", ["tender_id"], unique=False)
    op.create_table(
        "validity_extensions",
        sa.Column("id", advanced_alchemy.types.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.GUID(length=16), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("requested_at", moment, nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_validity_extensions_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validity_extensions")),
    )
    op.create_index(op.f("ix_validity_extensions_tender_id"), "validity_extensions", ["tender_id"], unique=False)
    op.create_table(
        "validity_consents",
        sa.Column("extension_id", advanced_alchemy.types.GUID(length=16), nullable=False),
        sa.Column("bidder_uscc", sa.String(length=18), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("answered_at", moment, nullable=False),
        sa.Column("answered_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["validity_extensions.id"],
            name=op.f("fk_validity_consents_extension_id_validity_extensions"),
        ),
        sa.PrimaryKeyConstraint("extension_id", "bidder_uscc", name=op.f("pk_validity_consents")),
    )
    _correct_legal_bases()
    # Abnormal scores are the pool's managing department's to judge: a recommendation, never a suspension.
    op.execute(
        "UPDATE expert_assessment_rules SET action = 'recommend', suspend_days = 0"
        " WHERE incident = 'abnormal_score' AND action = 'suspend'"
    )


def _correct_legal_bases() -> None:
    bind = op.get_bind()
    rules = sa.table(
        "credit_rules", sa.column("id", advanced_alchemy.types.GUID(length=16)), sa.column("list_type"),
        sa.column("version"), sa.column("measures", sa.JSON()), sa.column("duration_days"), sa.column("legal_basis"),
        sa.column("edited_at", advanced_alchemy.types.DateTimeUTC(timezone=True)), sa.column("edited_by"),
    )  # fmt: skip
    for list_type, (seeded, corrected) in CORRECTED_BASES.items():
        latest = bind.execute(
            sa.select(rules.c.version, rules.c.measures, rules.c.duration_days, rules.c.legal_basis)
            .where(rules.c.list_type == list_type)
            .order_by(rules.c.version.desc())
            .limit(1)
        ).first()
        if latest is None or latest.legal_basis != seeded:
            continue
        op.bulk_insert(
            rules,
            [
                {
                    "id": uuid.uuid5(uuid.NAMESPACE_URL, f"ggzy:credit-rule:{list_type}:{latest.version + 1}"),
                    "list_type": list_type,
                    "version": latest.version + 1,
                    "measures": latest.measures,
                    "duration_days": latest.duration_days,
                    "legal_basis": corrected,
                    "edited_at": datetime(2026, 12, 7, tzinfo=UTC),
                    "edited_by": "migration 0013",
                }
            ],
        )


def downgrade() -> None:
    op.execute("DELETE FROM credit_rules WHERE edited_by = 'migration 0013'")
    op.execute(
        "UPDATE expert_assessment_rules SET action = 'suspend', suspend_days = 90"
        " WHERE code = 'three_abnormal_scores' AND action = 'recommend'"
    )
    with op.batch_alter_table("credit_check_runs") as table:
        table.drop_column("flagged")
    with op.batch_alter_table("award_objections") as table:
        table.drop_column("accepted_at")
    with op.batch_alter_table("record_responses") as table:
        for name in ("answered_by", "answered_at", "answer"):
            table.drop_column(name)
    op.drop_index(op.f("ix_candidate_reviews_tender_id"), table_name="candidate_reviews")
    op.drop_table("candidate_reviews")
    op.drop_table("validity_consents")
    op.drop_index(op.f("ix_validity_extensions_tender_id"), table_name="validity_extensions")
    op.drop_table("validity_extensions")
    op.drop_table("price_clarifications")
    with op.batch_alter_table("awards") as table:
        table.drop_column("contract_difference_reason")
        table.drop_column("contract_differences")
        table.drop_column("decided_by")
        table.drop_column("decision_reason")
    with op.batch_alter_table("award_files") as table:
        table.drop_column("report_late_at")
        table.drop_column("report_submitted_at")
        table.drop_column("report")
        table.drop_column("retender_reason")
        table.drop_column("decision_reminded_at")
    with op.batch_alter_table("tenders") as table:
        table.drop_column("validity_reminded_at")
    for table_name in ("tenders", "filings"):
        with op.batch_alter_table(table_name) as table:
            for name in (*PRICE_COLUMNS, "bid_validity_days", "state_funded", "invitees"):
                table.drop_column(name)
