"""second factor: TOTP secrets, recovery codes, enrollment tokens; sessions remember it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("refresh_families", sa.Column(
        "second_factor", sa.Boolean(), nullable=False, server_default=sa.text("false")))
    op.create_table(
        "second_factors",
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("secret_sealed", sa.String(200), nullable=False),
        sa.Column("enrolled_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_step", sa.BigInteger(), nullable=False,
                  server_default=sa.text("0")),
        sa.Column("wrong_codes", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("wrong_since", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])
    op.create_table(
        "second_factor_enrollments",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("account", sa.String(20), nullable=False),
        sa.Column("practice_id", sa.String(36), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_second_factor_enrollments_user_id", "second_factor_enrollments",
                    ["user_id"])


def downgrade() -> None:
    op.drop_table("second_factor_enrollments")
    op.drop_table("recovery_codes")
    op.drop_table("second_factors")
    with op.batch_alter_table("refresh_families") as batch:
        batch.drop_column("second_factor")
