"""refused opens of shares, and the recipient's claimed shares by account

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "share_refusals",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("share_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("document_id", sa.String(length=36), nullable=True),
        sa.Column("client", sa.String(length=300), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["share_id"], ["shares.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_share_refusals_share_id", "share_refusals", ["share_id"])
    op.create_index("ix_shares_claimed_by", "shares", ["claimed_by"])


def downgrade() -> None:
    op.drop_index("ix_shares_claimed_by", table_name="shares")
    op.drop_index("ix_share_refusals_share_id", table_name="share_refusals")
    op.drop_table("share_refusals")
