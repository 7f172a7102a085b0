"""notes: billing_exports, the outbox of finalized notes for the practice's billing system

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-11 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "billing_exports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("note_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("finalized_by_id", sa.String(length=36), nullable=False),
        sa.Column("finalized_at", UTCDateTime(), nullable=False),
        sa.Column("integration", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("note_id"),
    )
    op.create_index("ix_billing_exports_due", "billing_exports",
                    ["status", "next_attempt_at"])
    op.create_index("ix_billing_exports_org_status", "billing_exports",
                    ["org_id", "status", "finalized_at"])
    op.create_index("ix_billing_exports_finalizer", "billing_exports",
                    ["org_id", "finalized_by_id", "status"])


def downgrade() -> None:
    op.drop_table("billing_exports")
