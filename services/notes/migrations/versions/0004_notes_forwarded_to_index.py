"""notes: index a therapist's list of notes awaiting their co-signature

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09 10:00:00

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_notes_forwarded_to", "notes",
                    ["org_id", "forwarded_to_id", "forwarded_at"])


def downgrade() -> None:
    op.drop_index("ix_notes_forwarded_to", table_name="notes")
