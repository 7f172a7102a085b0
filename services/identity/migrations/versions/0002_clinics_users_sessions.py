"""clinics, user profiles, practices' seats and domains, sessions and sign-in failures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:30:10.225341

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.db

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email_normalized", sa.String(length=320), nullable=False),
        sa.Column("failed_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sign_in_failures_email_time", ["email_normalized", "failed_at"], unique=False
        )

    op.create_table(
        "clinics",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "assistants_may_finalize", sa.Boolean(), server_default=sa.true(), nullable=False
        ),
        sa.Column("created_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["practices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("clinics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clinics_org_id"), ["org_id"], unique=False)

    op.create_table(
        "password_setups",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("issued_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("used_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("password_setups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_setups_user_id"), ["user_id"], unique=False)

    op.create_table(
        "refresh_families",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("current_hash", sa.String(length=64), nullable=False),
        sa.Column("current_expires_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("started_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("refresh_families", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_families_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_clinics",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("clinic_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"],
            ["clinics.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("user_id", "clinic_id"),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("issued_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["refresh_families.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refresh_tokens_family_id"), ["family_id"], unique=False
        )

    with op.batch_alter_table("practices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("licensed_seats", sa.Integer(), server_default=sa.text("5"), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "recognized_domains", sa.JSON(), server_default=sa.text("'[]'"), nullable=False
            )
        )
        batch_op.add_column(sa.Column("billing_integration", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column(
                "billing_provider_ids", sa.JSON(), server_default=sa.text("'[]'"), nullable=False
            )
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("default_clinic_id", sa.String(length=36), nullable=True))
        batch_op.add_column(
            sa.Column("supervising_therapist_id", sa.String(length=36), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "granted_permissions", sa.JSON(), server_default=sa.text("'[]'"), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "revoked_permissions", sa.JSON(), server_default=sa.text("'[]'"), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "permission_version", sa.Integer(), server_default=sa.text("1"), nullable=False
            )
        )
        batch_op.create_index(
            batch_op.f("ix_users_email_normalized"), ["email_normalized"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_users_default_clinic", "clinics", ["default_clinic_id"], ["id"]
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("fk_users_default_clinic", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_users_email_normalized"))
        batch_op.drop_column("permission_version")
        batch_op.drop_column("revoked_permissions")
        batch_op.drop_column("granted_permissions")
        batch_op.drop_column("supervising_therapist_id")
        batch_op.drop_column("default_clinic_id")
        batch_op.drop_column("password_hash")

    with op.batch_alter_table("practices", schema=None) as batch_op:
        batch_op.drop_column("billing_provider_ids")
        batch_op.drop_column("billing_integration")
        batch_op.drop_column("recognized_domains")
        batch_op.drop_column("licensed_seats")

    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_family_id"))

    op.drop_table("refresh_tokens")
    op.drop_table("user_clinics")
    with op.batch_alter_table("refresh_families", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_families_user_id"))

    op.drop_table("refresh_families")
    with op.batch_alter_table("password_setups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_setups_user_id"))

    op.drop_table("password_setups")
    with op.batch_alter_table("clinics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clinics_org_id"))

    op.drop_table("clinics")
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_failures_email_time")

    op.drop_table("sign_in_failures")
