"""service accounts

Machines (a security team's SIEM feed, the vendor's security account, a practice's
automation profile) sign in with OAuth2 client credentials: one row per account, the
SHA-256 of its secret, and a version that rotation and revocation raise.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.db

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "service_accounts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("automation_user_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("rotated_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["practices.id"]),
        sa.ForeignKeyConstraint(["automation_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id"),
    )
    with op.batch_alter_table("service_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_accounts_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("service_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_accounts_org_id"))
    op.drop_table("service_accounts")
