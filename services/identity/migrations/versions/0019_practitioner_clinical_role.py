"""practitioner clinical role: a record an Admin creates before anyone is linked to it (from
the practice management system's list) says what the practitioner does; a linked record
shows its user's clinical role

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-13 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch mode): SQLite would rebuild the table and lose its
    # partial index.
    op.add_column("practitioners", sa.Column("clinical_role", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("practitioners", "clinical_role")
