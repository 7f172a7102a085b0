"""token state: revoked access tokens projected from identity's events

Every service that verifies identity's tokens refuses those issued before the user's current
permission version and those of ended sessions (servicekit.token_state).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 18:30:00

"""

from collections.abc import Sequence

from alembic import op

from servicekit.token_state import create_token_state_tables_v1, drop_token_state_tables_v1

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_token_state_tables_v1(op)


def downgrade() -> None:
    drop_token_state_tables_v1(op)
