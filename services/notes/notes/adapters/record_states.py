"""What an editable record holds right now, for its ETag (servicekit.web.conditional)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session


def stored_record(session: Session, table: Table, org_id: str, record_id: str
                  ) -> dict[str, Any] | None:
    """The record's row in the caller's practice; None when it has none of that id."""
    row = session.execute(
        select(table).where(table.c.id == record_id, table.c.org_id == org_id)
    ).mappings().first()
    return dict(row) if row is not None else None
