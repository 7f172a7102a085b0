"""access grant scopes

A vendor access grant says what it lets the vendor do in the practice: support (the fixed
support set, user type changes) or revenue_cycle (reads of patients, notes and charges).
Grants made before this revision were support grants.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 11:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("access_grants") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=32), nullable=False,
                                   server_default=sa.text("'support'")))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("access_grants") as batch:
        batch.drop_column("scope")
