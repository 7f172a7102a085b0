"""clinic time zones: the projected clinic's IANA time zone (identity's clinic setting), in
which its note PDFs show times; UTC until identity says otherwise

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 23:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite has it too): batch mode would rebuild the table on SQLite and
    # lose its expression indexes.
    op.add_column("projected_clinics", sa.Column("time_zone", sa.String(64), nullable=False,
                                       server_default=sa.text("'UTC'")))


def downgrade() -> None:
    op.drop_column("projected_clinics", "time_zone")
