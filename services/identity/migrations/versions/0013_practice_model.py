"""practice model: therapy (every existing practice) or dental, chosen at creation

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10 10:00:00

The model decides which user types the practice's invitations and users follow.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("practices", sa.Column("model", sa.String(length=10), nullable=False,
                                         server_default=sa.text("'therapy'")))


def downgrade() -> None:
    with op.batch_alter_table("practices") as batch:
        batch.drop_column("model")
