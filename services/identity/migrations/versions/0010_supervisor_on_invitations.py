"""supervisor on invitations; every Billing user gets a default clinic

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09 10:00:00

A Billing user's profile is edited only from their default clinic, so one without a
default clinic could never be edited again. Each such user (and each open Billing
invitation) gets one: a clinic they work at, else the practice's first clinic.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIRST_CLINIC_OF_PRACTICE = (
    "(SELECT c.id FROM clinics c WHERE c.org_id = {table}.org_id "
    "ORDER BY c.created_at, c.id LIMIT 1)"
)


def upgrade() -> None:
    op.add_column("invitations",
                  sa.Column("supervising_therapist_id", sa.String(length=36), nullable=True))
    op.execute(
        "UPDATE users SET default_clinic_id = COALESCE("
        "(SELECT MIN(uc.clinic_id) FROM user_clinics uc WHERE uc.user_id = users.id), "
        f"{_FIRST_CLINIC_OF_PRACTICE.format(table='users')}) "
        "WHERE user_type = 'Billing' AND default_clinic_id IS NULL AND org_id IS NOT NULL"
    )
    op.execute(
        f"UPDATE invitations SET default_clinic_id = "
        f"{_FIRST_CLINIC_OF_PRACTICE.format(table='invitations')} "
        "WHERE user_type = 'Billing' AND default_clinic_id IS NULL "
        "AND accepted_at IS NULL AND revoked_at IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("supervising_therapist_id")
