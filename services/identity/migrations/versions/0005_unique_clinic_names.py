"""unique clinic names per practice

A practice's clinics have distinct names, compared case-insensitively. The domain refuses a
duplicate with a clear message; this index settles two additions that race each other.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 16:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ux_clinics_practice_name", "clinics", ["org_id", sa.text("lower(name)")],
                    unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ux_clinics_practice_name", table_name="clinics")
