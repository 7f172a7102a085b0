"""invitations and password resets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.db

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "invitations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("practice_role", sa.String(length=20), nullable=False),
        sa.Column("permission_level", sa.String(length=10), nullable=False),
        sa.Column("clinical_role", sa.String(length=40), nullable=True),
        sa.Column("user_type", sa.String(length=40), nullable=False),
        sa.Column("practitioner_id", sa.String(length=36), nullable=True),
        sa.Column("new_practitioner_name", sa.String(length=200), nullable=True),
        sa.Column("default_clinic_id", sa.String(length=36), nullable=True),
        sa.Column("invited_by", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("accepted_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("mail_status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["practices.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_org_id"), ["org_id"], unique=False)

    op.create_table(
        "practitioners",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["practices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("practitioners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_practitioners_org_id"), ["org_id"], unique=False)

    op.create_table(
        "staff_roles",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("practice_role", sa.String(length=20), nullable=False),
        sa.Column("clinical_role", sa.String(length=40), nullable=True),
        sa.Column("practitioner_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("staff_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_roles_org_id"), ["org_id"], unique=False)

    op.create_table(
        "password_resets",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("issued_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("used_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("password_resets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_resets_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    for table in ("password_resets", "staff_roles", "practitioners", "invitations"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            index = "ix_password_resets_user_id" if table == "password_resets" else (
                f"ix_{table}_org_id")
            batch_op.drop_index(batch_op.f(index))
        op.drop_table(table)
