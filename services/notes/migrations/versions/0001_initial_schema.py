"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:09:44.597638

"""

from collections.abc import Sequence

from alembic import op

from servicekit.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    create_messaging_tables_v1(op)


def downgrade() -> None:
    """Downgrade schema."""
    drop_messaging_tables_v1(op)
