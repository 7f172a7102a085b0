"""sign-in throttling per source address; password reset requests per address

Failed sign-ins are kept per kind of account and source address, so that guessing from one
address slows that address down without locking the account's owner out. "Forgot password"
requests are kept per source address for their own limit.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account", sa.String(length=20), nullable=False,
                                      server_default=sa.text("'staff'")))
        batch_op.add_column(sa.Column("source_address", sa.String(length=64), nullable=False,
                                      server_default=sa.text("'unknown'")))
    op.create_table(
        "password_reset_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_address", sa.String(length=64), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_password_reset_requests_address_time", "password_reset_requests",
                    ["source_address", "requested_at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_password_reset_requests_address_time",
                  table_name="password_reset_requests")
    op.drop_table("password_reset_requests")
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.drop_column("source_address")
        batch_op.drop_column("account")
