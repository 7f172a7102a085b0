"""the recipient pages' sessions, kept server-side

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("signed_in_as", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_portal_sessions_signed_in_as", "portal_sessions", ["signed_in_as"])
    op.create_index("ix_portal_sessions_expires_at", "portal_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_portal_sessions_expires_at", table_name="portal_sessions")
    op.drop_index("ix_portal_sessions_signed_in_as", table_name="portal_sessions")
    op.drop_table("portal_sessions")
