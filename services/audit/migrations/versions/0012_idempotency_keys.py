"""idempotency keys: a breach assessment retried with its Idempotency-Key is made once
(servicekit.idempotency)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-15 12:00:00

"""

from collections.abc import Sequence

from alembic import op

from servicekit.idempotency import create_idempotency_table_v1, drop_idempotency_table_v1

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_idempotency_table_v1(op)


def downgrade() -> None:
    drop_idempotency_table_v1(op)
