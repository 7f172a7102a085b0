"""practitioner decisions: an invitation remembers an Admin's "a different person"; a user
is linked to one practitioner record at most

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10 15:00:00

An invitation for a new practitioner that the Admin did not confirm as a different person
is checked again when it is accepted (a record with that name may have been made since).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("invitations", sa.Column(
        "new_practitioner_confirmed", sa.Boolean(), nullable=False,
        server_default=sa.text("false")))
    op.create_index(
        "ux_practitioners_user", "practitioners", ["user_id"], unique=True,
        sqlite_where=sa.text("user_id IS NOT NULL"),
        postgresql_where=sa.text("user_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ux_practitioners_user", table_name="practitioners")
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("new_practitioner_confirmed")
