"""clinic time zones: each clinic's IANA time zone, in which staff pages, note PDFs and the
portal show its times; clinics that existed before keep showing UTC until a User Manager
sets theirs

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 23:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite has it too): batch mode would rebuild the table on SQLite and
    # lose its expression indexes.
    op.add_column("clinics", sa.Column("time_zone", sa.String(64), nullable=False,
                                       server_default=sa.text("'UTC'")))


def downgrade() -> None:
    op.drop_column("clinics", "time_zone")
