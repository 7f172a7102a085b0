"""token state: revoked access tokens projected from identity's events

Every service that verifies identity's tokens refuses those issued before the user's current
permission version and those of ended sessions (servicekit.token_state).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 18:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "token_versions",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("permission_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "ended_sessions",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ended_sessions")
    op.drop_table("token_versions")
