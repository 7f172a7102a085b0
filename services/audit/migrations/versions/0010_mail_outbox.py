"""mail outbox: the alert mails, queued with the alert step (servicekit.mail_outbox)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-13 12:00:00

Alert mails no longer go through `alert_deliveries` (which keeps the webhook calls); the mail
rows still pending there are handed over to the mail outbox by `audit alert-push`.
"""

from collections.abc import Sequence

from alembic import op

from servicekit.mail_outbox import create_mail_outbox_table_v1, drop_mail_outbox_table_v1

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_mail_outbox_table_v1(op)


def downgrade() -> None:
    drop_mail_outbox_table_v1(op)
