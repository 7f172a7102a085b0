"""stored breach assessments, append-only

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.db

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "breach assessments are append-only; make a new assessment instead"


def upgrade() -> None:
    op.create_table(
        "breach_assessments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_by_email", sa.String(length=320), nullable=True),
        sa.Column("created_by_kind", sa.String(length=20), nullable=False),
        sa.Column("discovered_on", sa.Date(), nullable=False),
        sa.Column("affected_count", sa.Integer(), nullable=False),
        sa.Column("reaches_500", sa.Boolean(), nullable=False),
        sa.Column("notification_required", sa.Boolean(), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_breach_assessments_org_time", "breach_assessments",
                    ["org_id", "created_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION breach_assessments_refuse_change() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER breach_assessments_append_only
            BEFORE UPDATE OR DELETE ON breach_assessments
            FOR EACH ROW EXECUTE FUNCTION breach_assessments_refuse_change()""")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER breach_assessments_no_{action.lower()}
                BEFORE {action} ON breach_assessments
                BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS breach_assessments_append_only ON breach_assessments")
        op.execute("DROP FUNCTION IF EXISTS breach_assessments_refuse_change()")
    op.drop_index("ix_breach_assessments_org_time", table_name="breach_assessments")
    op.drop_table("breach_assessments")
