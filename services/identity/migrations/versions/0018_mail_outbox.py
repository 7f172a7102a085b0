"""mail outbox: invitations, get-started and reset links, notifications and digests, queued
with the change that causes them (servicekit.mail_outbox)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-12 12:00:00

"""

from collections.abc import Sequence

from alembic import op

from servicekit.mail_outbox import create_mail_outbox_table_v1, drop_mail_outbox_table_v1

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_mail_outbox_table_v1(op)


def downgrade() -> None:
    drop_mail_outbox_table_v1(op)
