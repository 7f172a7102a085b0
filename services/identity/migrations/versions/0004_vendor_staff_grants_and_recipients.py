"""vendor staff grants and recipients

Recipients and vendor staff are users of no practice (org_id and user_type null); their
email is unique per kind among such accounts (a partial unique index, on SQLite and
PostgreSQL alike). Vendor staff get a directory row, access grants and, per sign-in
session, the grant it was opened under.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.db

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRACTICELESS = sa.text("org_id IS NULL")


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("org_id", existing_type=sa.String(length=36), nullable=True)
        batch_op.alter_column("user_type", existing_type=sa.String(length=40), nullable=True)
    op.create_index(
        "ux_users_practiceless_email", "users", ["kind", "email_normalized"], unique=True,
        sqlite_where=PRACTICELESS, postgresql_where=PRACTICELESS,
    )

    op.create_table(
        "vendor_staff",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("is_support_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "access_grants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("practice_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("starts_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("ends_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("granted_by", sa.String(length=36), nullable=False),
        sa.Column("granted_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["practice_id"], ["practices.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["granted_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["revoked_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("access_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_grants_practice_id"), ["practice_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_access_grants_user_id"), ["user_id"], unique=False)

    op.create_table(
        "vendor_sessions",
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("grant_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["family_id"], ["refresh_families.id"]),
        sa.ForeignKeyConstraint(["grant_id"], ["access_grants.id"]),
        sa.PrimaryKeyConstraint("family_id"),
    )
    with op.batch_alter_table("vendor_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vendor_sessions_grant_id"), ["grant_id"],
                              unique=False)


def downgrade() -> None:
    """Downgrade schema (fails while accounts of no practice exist: remove them first)."""
    with op.batch_alter_table("vendor_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_sessions_grant_id"))
    op.drop_table("vendor_sessions")
    with op.batch_alter_table("access_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_grants_user_id"))
        batch_op.drop_index(batch_op.f("ix_access_grants_practice_id"))
    op.drop_table("access_grants")
    op.drop_table("vendor_staff")
    op.drop_index("ux_users_practiceless_email", table_name="users")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("user_type", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("org_id", existing_type=sa.String(length=36), nullable=False)
