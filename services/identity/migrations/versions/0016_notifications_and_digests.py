"""notifications and digests: each user's notification preferences, the notification mails
owed per (event, user), per-practice and per-user daily activity counters, the share senders
(to credit views of a share to who sent it) and the digests sent (one per user and period)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("notifications", sa.JSON(), nullable=False),
        sa.Column("digests", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "notification_mails",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_notification_mails_due", "notification_mails",
                    ["sent_at", "next_attempt_at"])
    op.create_table(
        "activity_counts",
        sa.Column("org_id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), primary_key=True),  # "" for the practice's total
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("metric", sa.String(60), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),  # "" for a plain count
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("value_cents", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "share_senders",
        sa.Column("share_id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
    )
    op.create_table(
        "sent_digests",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("digest", sa.String(40), primary_key=True),
        sa.Column("period_start", sa.Date(), primary_key=True),
        sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sent_digests")
    op.drop_table("share_senders")
    op.drop_table("activity_counts")
    op.drop_index("ix_notification_mails_due", table_name="notification_mails")
    op.drop_table("notification_mails")
    op.drop_table("notification_preferences")
