"""where patients live, as notes states it, for breach notices per state

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 11:00:00

notes.patient.residence_recorded carries a patient's two-letter state code; the breach
assessment counts affected individuals per state from it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.db

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patient_residences",
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("stated_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("patient_id"),
    )


def downgrade() -> None:
    op.drop_table("patient_residences")
