"""profile permissions and invitation senders in the recognition projection

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 10:00:00

"A user created by someone without manage_users" is judged on audit's own projection of
the creator's permissions; an invitee's acceptance is judged by who invited them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("known_profiles") as batch:
        batch.add_column(sa.Column("permissions", sa.Text(), nullable=True))
    op.create_table(
        "known_invitations",
        sa.Column("invitation_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("sent_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("invitation_id"),
    )


def downgrade() -> None:
    op.drop_table("known_invitations")
    with op.batch_alter_table("known_profiles") as batch:
        batch.drop_column("permissions")
