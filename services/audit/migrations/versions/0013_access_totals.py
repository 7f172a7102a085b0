"""access totals: the access rollups summed over all days, per practice, actor, patient, action

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 01:30:00

A report whose window holds a key's first and last access takes the key's total whole, so a
report over a subject's whole history reads one row per key, however many days it spans.
Filled from the day rows already counted (migration 0011).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.db

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_totals",
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("first_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("last_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("actor_id", "org_id", "patient_id", "action"),
    )
    op.create_index("ix_access_totals_patient", "access_totals", ["patient_id", "org_id"])
    op.execute(
        "INSERT INTO access_totals (actor_id, org_id, patient_id, action, records, first_at,"
        " last_at) SELECT actor_id, org_id, patient_id, action, SUM(records), MIN(first_at),"
        " MAX(last_at) FROM access_rollups GROUP BY actor_id, org_id, patient_id, action")


def downgrade() -> None:
    op.drop_index("ix_access_totals_patient", table_name="access_totals")
    op.drop_table("access_totals")
