"""clinic time zones: a projection of each clinic's IANA time zone (identity's clinic
setting); the portal shows a practice's times in its first clinic's zone, UTC until known

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 23:00:00

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
        "clinic_time_zones",
        sa.Column("clinic_id", sa.String(64), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False, index=True),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("first_of_practice", sa.Boolean(), nullable=False,
                  server_default=sa.false()),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("clinic_time_zones")
