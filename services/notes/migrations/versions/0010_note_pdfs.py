"""note pdfs: each finalized note's PDF, once per version (1 + its addenda), kept in object
storage; a row is the render's claim until it is rendered

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 21:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.db import UTCDateTime

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "note_pdfs",
        sa.Column("note_id", sa.String(36), sa.ForeignKey("notes.id"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("object_key", sa.String(200), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("rendered_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("note_pdfs")
