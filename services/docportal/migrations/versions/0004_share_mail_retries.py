"""share email retries: attempts and the next attempt's time

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shares") as batch:
        batch.add_column(sa.Column("mail_attempts", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("mail_next_attempt_at", UTCDateTime(), nullable=True))
    # Every existing share had its one send in the sharing request; a pending one is due
    # for a retry at once (mail_next_attempt_at NULL).
    op.execute("UPDATE shares SET mail_attempts = 1")
    pending = sa.text("mail_sent_at IS NULL")
    op.create_index("ix_shares_mail_pending", "shares", ["mail_next_attempt_at"],
                    postgresql_where=pending, sqlite_where=pending)


def downgrade() -> None:
    op.drop_index("ix_shares_mail_pending", table_name="shares")
    with op.batch_alter_table("shares") as batch:
        batch.drop_column("mail_next_attempt_at")
        batch.drop_column("mail_attempts")
