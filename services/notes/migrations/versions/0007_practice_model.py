"""notes: projected_practices.model, therapy or dental (dental patient edits need an Admin)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 19:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projected_practices") as batch:
        batch.add_column(sa.Column("model", sa.String(10), nullable=False,
                                   server_default=sa.text("'therapy'")))


def downgrade() -> None:
    with op.batch_alter_table("projected_practices") as batch:
        batch.drop_column("model")
