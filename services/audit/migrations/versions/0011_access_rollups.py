"""access rollups: accesses per practice, actor, patient, action and UTC day

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 01:00:00

The access reports read the rollups for the whole days of their window and the record for
the days it cuts. The rollups of the records already stored are counted here, with the
service's own recount (audit rollups rebuild does the same later); it holds every chain
head while it runs, so no record is stored meanwhile (about a minute per million records).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

import servicekit.db

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_rollups",
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("patient_id", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("first_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("last_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("actor_id", "org_id", "day", "patient_id", "action"),
    )
    op.create_index("ix_access_rollups_patient", "access_rollups",
                    ["patient_id", "org_id", "day"])
    # Imported here, not at the top: alembic loads every revision to read the graph.
    from audit.service_layer.access_rollups import recount_day_rollups

    session = Session(bind=op.get_bind())
    try:
        recount_day_rollups(session)
    finally:
        session.close()


def downgrade() -> None:
    op.drop_index("ix_access_rollups_patient", table_name="access_rollups")
    op.drop_table("access_rollups")
