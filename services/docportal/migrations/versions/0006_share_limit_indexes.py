"""indexes the share limits count with: a sender's and an address's recent share mails

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 18:00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_shares_sender_sent", "shares", ["org_id", "shared_by", "sent_at"])
    op.create_index("ix_shares_recipient_sent", "shares",
                    ["org_id", "recipient_email", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_shares_recipient_sent", table_name="shares")
    op.drop_index("ix_shares_sender_sent", table_name="shares")
