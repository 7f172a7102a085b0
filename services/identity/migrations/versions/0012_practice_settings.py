"""practice settings: the Admin-only areas (info, integrations, treatment plan settings,
web chat, digests), one JSON row per practice and area

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 19:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "practice_settings",
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"),
                  primary_key=True),
        sa.Column("area", sa.String(40), primary_key=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(36), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("practice_settings")
