"""discarded notes: a draft started by mistake is discarded by its author, kept as a row
(status 'discarded', discarded_at, discarded_by_id) and no longer listed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 01:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notes") as batch:
        batch.add_column(sa.Column("discarded_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("discarded_by_id", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notes") as batch:
        batch.drop_column("discarded_by_id")
        batch.drop_column("discarded_at")
