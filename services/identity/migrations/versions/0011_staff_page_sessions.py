"""staff page sessions: the /app/ pages' browser sessions, kept server-side

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_page_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("signed_in_as", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_staff_page_sessions_signed_in_as", "staff_page_sessions",
                    ["signed_in_as"])
    op.create_index("ix_staff_page_sessions_expires_at", "staff_page_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_staff_page_sessions_expires_at", table_name="staff_page_sessions")
    op.drop_index("ix_staff_page_sessions_signed_in_as", table_name="staff_page_sessions")
    op.drop_table("staff_page_sessions")
