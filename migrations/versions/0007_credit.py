"""Joint credit penalties (联合惩戒): credit list types (seeded) with their entries and imports,
the memoranda's rules (seeded, versioned), checks with evidence, candidate-check runs, reviews of
name-only hits; organizations' legal representatives (by keyed hash) and consortium bids.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 03:30:40.967340
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The credit lists the platform checks against, with their issuing authorities.
LIST_TYPES = [
    ("dishonest_debtor", "失信被执行人", "dishonest judgment debtors", "最高人民法院", True),
    ("major_tax_violation", "重大税收违法失信主体", "major tax violators", "国家税务总局", True),
    (
        "procurement_violation",
        "政府采购严重违法失信行为记录名单",
        "serious government-procurement violations",
        "财政部",
        True,
    ),
    (
        "wage_arrears",
        "拖欠农民工工资失信联合惩戒对象名单",
        "wage-arrears joint-penalty list",
        "人力资源社会保障部",
        True,
    ),
    (
        "serious_illegal_enterprise",
        "严重违法失信企业名单",
        "seriously illegal and dishonest enterprises",
        "国家市场监督管理总局",
        True,
    ),
    ("platform", "平台失信名单", "the platform's own list (breaches of credit commitments)", "公共资源交易中心", False),
]

# The memoranda's rules the platform starts with (version 1); admins edit them as data.
BARS = ["bar_bidding", "bar_winning", "bar_expert", "bar_agency"]
RULES = [
    ("dishonest_debtor", BARS, None, "财库〔2016〕125号；发改法规〔2018〕457号"),
    ("major_tax_violation", BARS, None, "财库〔2016〕125号；发改法规〔2018〕457号"),
    ("procurement_violation", ["bar_bidding", "bar_winning"], 1095, "财库〔2016〕125号；政府采购法第二十二条"),
    ("wage_arrears", ["bar_bidding", "bar_winning"], 1095, "发改财金〔2018〕1614号；人社部令第45号"),
    ("serious_illegal_enterprise", ["bar_bidding", "bar_winning"], None, "发改法规〔2018〕457号"),
    ("platform", ["bar_bidding", "bar_winning", "bar_agency"], 365, "发改法规〔2018〕457号；平台信用承诺"),
]


# The credit score's weights the platform starts with: points per occurrence, cap, window (days).
SCORE_WEIGHTS = [
    ("listed_barring", 40, 80, None),
    ("listed_warning", 10, 20, None),
    ("commitment_breach", 20, 40, 1095),
    ("bidder_fault_decryption", 5, 20, 365),
    ("upheld_complaint", 10, 30, 1095),
    ("poor_assessment", 5, 20, 365),
    ("abandoned_service", 15, 30, 1095),
]


def upgrade() -> None:
    op.create_table(
        "credit_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("list_type", sa.String(length=40), nullable=False),
        sa.Column("entry_key", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("person_hash", sa.String(length=64), nullable=True),
        sa.Column("masked_id", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("authority", sa.String(length=500), nullable=False),
        sa.Column("document", sa.String(length=500), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("added_in", sa.Integer(), nullable=False),
        sa.Column("removed_in", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_entries")),
    )
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_entries_list",
            ["list_type", "entry_key"],
            unique=False,
            postgresql_where=sa.text("removed_in IS NULL"),
            sqlite_where=sa.text("removed_in IS NULL"),
        )
        batch_op.create_index(
            "ix_credit_entries_name",
            ["name"],
            unique=False,
            postgresql_where=sa.text("removed_in IS NULL"),
            sqlite_where=sa.text("removed_in IS NULL"),
        )
        batch_op.create_index(
            "ix_credit_entries_person",
            ["person_hash"],
            unique=False,
            postgresql_where=sa.text("removed_in IS NULL"),
            sqlite_where=sa.text("removed_in IS NULL"),
        )
        batch_op.create_index(
            "ix_credit_entries_uscc",
            ["uscc"],
            unique=False,
            postgresql_where=sa.text("removed_in IS NULL"),
            sqlite_where=sa.text("removed_in IS NULL"),
        )

    op.create_table(
        "credit_import_rows",
        sa.Column("import_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("entry_key", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("person_hash", sa.String(length=64), nullable=True),
        sa.Column("masked_id", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("authority", sa.String(length=500), nullable=False),
        sa.Column("document", sa.String(length=500), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("import_id", "line", name=op.f("pk_credit_import_rows")),
    )
    op.create_index("ix_credit_import_rows_key", "credit_import_rows", ["import_id", "entry_key"], unique=False)
    op.create_table(
        "credit_list_types",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("authority", sa.String(length=100), nullable=False),
        sa.Column("importable", sa.Boolean(), nullable=False),
        sa.Column("max_age_days", sa.Integer(), server_default="7", nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_credit_list_types")),
    )
    op.create_table(
        "credit_list_imports",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("list_type", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_type"], ["credit_list_types.code"], name=op.f("fk_credit_list_imports_list_type_credit_list_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_list_imports")),
        sa.UniqueConstraint("list_type", "version", name=op.f("uq_credit_list_imports_list_type")),
    )
    op.create_table(
        "credit_reviews",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject_key", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("raised_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("decided_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["credit_entries.id"], name=op.f("fk_credit_reviews_entry_id_credit_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_reviews")),
        sa.UniqueConstraint("entry_id", "subject_key", name=op.f("uq_credit_reviews_entry_id")),
    )
    with op.batch_alter_table("credit_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_reviews_status"), ["status"], unique=False)

    op.create_table(
        "credit_rules",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("list_type", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=True),
        sa.Column("legal_basis", sa.String(length=300), nullable=False),
        sa.Column("edited_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("edited_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_type"], ["credit_list_types.code"], name=op.f("fk_credit_rules_list_type_credit_list_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_rules")),
        sa.UniqueConstraint("list_type", "version", name=op.f("uq_credit_rules_list_type")),
    )
    op.create_table(
        "credit_check_runs",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("ranking", sa.JSON(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("disqualified", sa.JSON(), nullable=False),
        sa.Column("promoted", sa.JSON(), nullable=False),
        sa.Column("checked_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("checked_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tenders.id"], name=op.f("fk_credit_check_runs_tender_id_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_check_runs")),
        sa.UniqueConstraint("tender_id", "number", name=op.f("uq_credit_check_runs_tender_id")),
    )
    with op.batch_alter_table("credit_check_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_check_runs_checked_at"), ["checked_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_check_runs_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "credit_checks",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("run_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("tender_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("bid_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("context", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("lists", sa.JSON(), nullable=False),
        sa.Column("check_day", sa.Date(), nullable=False),
        sa.Column("checked_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("checked_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["credit_check_runs.id"], name=op.f("fk_credit_checks_run_id_credit_check_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_checks")),
    )
    with op.batch_alter_table("credit_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_checks_checked_at"), ["checked_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_checks_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_checks_tender_id"), ["tender_id"], unique=False)

    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consortium", sa.JSON(), server_default="[]", nullable=False))

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_representative", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("legal_representative_hash", sa.String(length=64), nullable=True))

    op.create_table(
        "credit_score_weights",
        sa.Column("factor", sa.String(length=40), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("cap", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=True),
        sa.Column("edited_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("edited_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("factor", name=op.f("pk_credit_score_weights")),
    )
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_credit_score", sa.Integer(), nullable=True))
    with op.batch_alter_table("experts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_hash", sa.String(length=64), nullable=True))
    weights = sa.table(
        "credit_score_weights",
        sa.column("factor"),
        sa.column("points"),
        sa.column("cap"),
        sa.column("window_days"),
        sa.column("edited_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)),
        sa.column("edited_by"),
    )
    op.bulk_insert(
        weights,
        [
            {
                "factor": f,
                "points": p,
                "cap": c,
                "window_days": w,
                "edited_at": datetime(2026, 11, 29, tzinfo=UTC),
                "edited_by": "migration 0007",
            }
            for f, p, c, w in SCORE_WEIGHTS
        ],
    )
    if op.get_bind().dialect.name == "postgresql":  # staged rows never outlive their transaction
        op.execute("ALTER TABLE credit_import_rows SET UNLOGGED")
    list_types = sa.table(
        "credit_list_types", sa.column("code"), sa.column("name_zh"), sa.column("name_en"),
        sa.column("authority"), sa.column("importable"),
    )  # fmt: skip
    op.bulk_insert(
        list_types,
        [{"code": c, "name_zh": zh, "name_en": en, "authority": a, "importable": i} for c, zh, en, a, i in LIST_TYPES],
    )
    rules = sa.table(
        "credit_rules", sa.column("id", advanced_alchemy.types.guid.GUID(length=16)), sa.column("list_type"),
        sa.column("version"), sa.column("measures", sa.JSON()), sa.column("duration_days"), sa.column("legal_basis"),
        sa.column("edited_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)), sa.column("edited_by"),
    )  # fmt: skip
    op.bulk_insert(
        rules,
        [
            {
                "id": uuid.uuid5(uuid.NAMESPACE_URL, f"ggzy:credit-rule:{code}:1"),
                "list_type": code,
                "version": 1,
                "measures": measures,
                "duration_days": days,
                "legal_basis": basis,
                "edited_at": datetime(2026, 11, 29, tzinfo=UTC),
                "edited_by": "migration 0007",
            }
            for code, measures, days, basis in RULES
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.drop_column("min_credit_score")
    with op.batch_alter_table("experts", schema=None) as batch_op:
        batch_op.drop_column("person_hash")
    op.drop_table("credit_score_weights")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("legal_representative_hash")
        batch_op.drop_column("legal_representative")

    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.drop_column("consortium")

    with op.batch_alter_table("credit_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_checks_tender_id"))
        batch_op.drop_index(batch_op.f("ix_credit_checks_run_id"))
        batch_op.drop_index(batch_op.f("ix_credit_checks_checked_at"))

    op.drop_table("credit_checks")
    with op.batch_alter_table("credit_check_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_check_runs_tender_id"))
        batch_op.drop_index(batch_op.f("ix_credit_check_runs_checked_at"))

    op.drop_table("credit_check_runs")
    op.drop_table("credit_rules")
    with op.batch_alter_table("credit_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_reviews_status"))

    op.drop_table("credit_reviews")
    op.drop_table("credit_list_imports")
    op.drop_table("credit_list_types")
    op.drop_index("ix_credit_import_rows_key", table_name="credit_import_rows")
    op.drop_table("credit_import_rows")
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_credit_entries_uscc",
            postgresql_where=sa.text("removed_in IS NULL"),
            sqlite_where=sa.text("removed_in IS NULL"),
        )
        batch_op.drop_index(
            "ix_credit_entries_person",
            postgresql_where=sa.text("removed_in IS NULL"),
            sqlite_where=sa.text("removed_in IS NULL"),
        )
        batch_op.drop_index(
            "ix_credit_entries_name",
            postgresql_where=sa.text("removed_in IS NULL"),
            sqlite_where=sa.text("removed_in IS NULL"),
        )
        batch_op.drop_index(
            "ix_credit_entries_list",
            postgresql_where=sa.text("removed_in IS NULL"),
            sqlite_where=sa.text("removed_in IS NULL"),
        )

    op.drop_table("credit_entries")
