"""the security streams open now, for the per-caller limit

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:00:00

Each open GET /stream holds one of its caller's places (caller, slot); the API refuses a
caller's stream beyond the limit with 429 too_many_streams.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.db

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stream_connections",
        sa.Column("caller", sa.String(length=200), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.String(length=36), nullable=False),
        sa.Column("opened_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("seen_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("caller", "slot"),
    )


def downgrade() -> None:
    op.drop_table("stream_connections")
