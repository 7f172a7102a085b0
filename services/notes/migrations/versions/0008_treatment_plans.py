"""notes: treatment_plans and their patient links; plan_page_sessions (digital treatment plans)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-12 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "treatment_plans",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("patient_id", sa.String(36), nullable=False),
        sa.Column("clinic_id", sa.String(36), nullable=False),
        sa.Column("practitioner_user_id", sa.String(36), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.String(36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("payment_plan_accepted_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("link_token_hash", sa.String(64), nullable=True),
        sa.Column("link_sent_to", sa.String(320), nullable=True),
        sa.Column("link_expires_at", UTCDateTime(), nullable=True),
        sa.Column("link_wrong_addresses", sa.Integer(), nullable=False,
                  server_default=sa.text("0")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("link_token_hash"),
    )
    op.create_index("ix_treatment_plans_patient_id", "treatment_plans", ["patient_id"])
    op.create_index("ix_treatment_plans_org_status", "treatment_plans",
                    ["org_id", "status", "updated_at"])
    op.create_table(
        "plan_page_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("signed_in_as", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_plan_page_sessions_signed_in_as", "plan_page_sessions",
                    ["signed_in_as"])
    op.create_index("ix_plan_page_sessions_expires_at", "plan_page_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("plan_page_sessions")
    op.drop_table("treatment_plans")
