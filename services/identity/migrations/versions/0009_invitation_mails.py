"""invitation mails: each invitation email sent, for the per-invitee and per-practice limits

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 19:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitation_mails",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("invitation_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("sent_by", sa.String(length=36), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_invitation_mails_practice_time", "invitation_mails",
                    ["org_id", "sent_at"])
    op.create_index("ix_invitation_mails_invitee_time", "invitation_mails",
                    ["org_id", "email", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_invitation_mails_invitee_time", table_name="invitation_mails")
    op.drop_index("ix_invitation_mails_practice_time", table_name="invitation_mails")
    op.drop_table("invitation_mails")
