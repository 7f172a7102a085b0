"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:09:47.725746

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.db
from servicekit.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    create_messaging_tables_v1(op)
    op.create_table(
        "audit_events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=200), nullable=False),
        sa.Column("producer", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("patient_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("received_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_actor_time", ["actor_id", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_audit_events_org_time", ["org_id", "occurred_at"], unique=False)
        batch_op.create_index(
            "ix_audit_events_patient_time", ["patient_id", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_audit_events_type", ["type"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    drop_messaging_tables_v1(op)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_type")
        batch_op.drop_index("ix_audit_events_patient_time")
        batch_op.drop_index("ix_audit_events_org_time")
        batch_op.drop_index("ix_audit_events_actor_time")

    op.drop_table("audit_events")
