"""Remedies and credit measures as the law sets them: objections to the tender documents, by
interested parties and direct complaints, with a tender's holds (实施条例 arts. 22, 54, 60–62),
the excluded time and suspension orders of a complaint, its published decision (art. 78); an
authority's decision on a platform-list entry, the subject's statement (陈述申辩) and credit repair
(信用修复) with each list's minimum publication period; the expert's years in the field and the
level of the title (招标投标法 art. 37).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 19:00:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Instant = advanced_alchemy.types.DateTimeUTC(timezone=True)
GUID = advanced_alchemy.types.GUID(length=16)

# The platform's own list warns only: a bar needs a competent authority's decision on the entry
# (实施条例 arts. 67–68). Its 0007 rule barred for 365 days; replaced where no admin edited it.
PLATFORM_SEEDED = "发改法规〔2018〕457号；平台信用承诺"
PLATFORM_WARNING = "平台信用承诺（告知性记录）；禁止措施须有行政监督部门的决定（实施条例第六十七、六十八条）"
# 信用修复管理办法 (国家发展改革委令第36号): an ordinary breach is published at least 3 months.
MIN_PUBLICATION_DAYS = {"platform": 90}
# The subject's statement (陈述申辩) before a platform listing takes effect: 5 working days, as
# decided here (the local credit rules give the subject a period without fixing one nationally).
STATEMENT_WORKING_DAYS = {"platform": 5}


def upgrade() -> None:
    with op.batch_alter_table("tenders") as table:
        table.add_column(sa.Column("held_since", Instant, nullable=True))
        table.add_column(sa.Column("holds", sa.JSON(), nullable=True))
    with op.batch_alter_table("award_objections") as table:
        table.add_column(sa.Column("matter", sa.String(length=16), nullable=False, server_default="candidates"))
        table.add_column(sa.Column("interest", sa.String(length=2000), nullable=True))
        table.add_column(sa.Column("known_on", sa.Date(), nullable=True))
        table.add_column(sa.Column("amendment_number", sa.Integer(), nullable=True))
        table.add_column(sa.Column("excluded", sa.JSON(), nullable=True))
        table.add_column(sa.Column("suspended_at", Instant, nullable=True))
        table.add_column(sa.Column("suspension_reason", sa.String(length=2000), nullable=True))
        table.add_column(sa.Column("suspension_lifted_at", Instant, nullable=True))
    with op.batch_alter_table("credit_entries") as table:
        table.add_column(sa.Column("decision", sa.JSON(), nullable=True))
    # Not in batch mode: SQLite would rebuild a table other tables' foreign keys point at.
    op.add_column("credit_list_types", sa.Column("min_publication_days", sa.Integer(), nullable=True))
    op.add_column("credit_list_types", sa.Column("statement_working_days", sa.Integer(), nullable=True))
    op.create_table(
        "credit_submissions",
        sa.Column("id", GUID, nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("submitted_at", Instant, nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", Instant, nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["credit_entries.id"], name=op.f("fk_credit_submissions_entry_id_credit_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_submissions")),
    )
    op.create_index(op.f("ix_credit_submissions_entry_id"), "credit_submissions", ["entry_id"], unique=False)
    op.create_index(op.f("ix_credit_submissions_status"), "credit_submissions", ["status"], unique=False)
    with op.batch_alter_table("service_requests") as table:
        table.add_column(sa.Column("min_credit_score_rule", sa.String(length=300), nullable=True))
    with op.batch_alter_table("evaluations") as table:
        table.add_column(sa.Column("re_review", sa.JSON(), nullable=True))
    with op.batch_alter_table("experts") as table:
        table.add_column(sa.Column("field_since", sa.Date(), nullable=True))
        table.add_column(sa.Column("title_level", sa.String(length=16), nullable=True))
    types = sa.table(
        "credit_list_types", sa.column("code"), sa.column("min_publication_days"), sa.column("statement_working_days")
    )
    for code, days in MIN_PUBLICATION_DAYS.items():
        op.execute(types.update().where(types.c.code == code).values(min_publication_days=days))
    for code, days in STATEMENT_WORKING_DAYS.items():
        op.execute(types.update().where(types.c.code == code).values(statement_working_days=days))
    _platform_warns_only()


def _platform_warns_only() -> None:
    bind = op.get_bind()
    rules = sa.table(
        "credit_rules", sa.column("id", GUID), sa.column("list_type"), sa.column("version"),
        sa.column("measures", sa.JSON()), sa.column("duration_days"), sa.column("legal_basis"),
        sa.column("edited_at", Instant), sa.column("edited_by"),
    )  # fmt: skip
    latest = bind.execute(
        sa.select(rules.c.version, rules.c.duration_days, rules.c.legal_basis)
        .where(rules.c.list_type == "platform")
        .order_by(rules.c.version.desc())
        .limit(1)
    ).first()
    if latest is None or latest.legal_basis != PLATFORM_SEEDED:
        return
    op.bulk_insert(
        rules,
        [
            {
                "id": uuid.uuid5(uuid.NAMESPACE_URL, f"ggzy:credit-rule:platform:{latest.version + 1}"),
                "list_type": "platform",
                "version": latest.version + 1,
                "measures": ["warning"],
                "duration_days": latest.duration_days,
                "legal_basis": PLATFORM_WARNING,
                "edited_at": datetime(2026, 12, 7, 19, tzinfo=UTC),
                "edited_by": "migration 0014",
            }
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM credit_rules WHERE edited_by = 'migration 0014'")
    with op.batch_alter_table("service_requests") as table:
        table.drop_column("min_credit_score_rule")
    with op.batch_alter_table("evaluations") as table:
        table.drop_column("re_review")
    with op.batch_alter_table("experts") as table:
        table.drop_column("title_level")
        table.drop_column("field_since")
    op.drop_index(op.f("ix_credit_submissions_status"), table_name="credit_submissions")
    op.drop_index(op.f("ix_credit_submissions_entry_id"), table_name="credit_submissions")
    op.drop_table("credit_submissions")
    for name in ("statement_working_days", "min_publication_days"):  # SQLite ≥ 3.35 and PostgreSQL
        op.execute(f"ALTER TABLE credit_list_types DROP COLUMN {name}")
    with op.batch_alter_table("credit_entries") as table:
        table.drop_column("decision")
    with op.batch_alter_table("award_objections") as table:
        for name in (
            "suspension_lifted_at", "suspension_reason", "suspended_at", "excluded",
            "amendment_number", "known_on", "interest", "matter",
        ):  # fmt: skip
            table.drop_column(name)
    with op.batch_alter_table("tenders") as table:
        table.drop_column("holds")
        table.drop_column("held_since")
