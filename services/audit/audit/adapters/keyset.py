"""Keyset pages of newest-first lists: the rows after the last one shown, and where the page
ends, so every row stays reachable however long the list grows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session

from audit.domain.pages import NewestFirstKey


def newest_first_page(session: Session, query: Select, at: Any, row_id: Any, *,
                      after: NewestFirstKey | None, limit: int
                      ) -> tuple[list[dict[str, Any]], NewestFirstKey | None]:
    """Up to ``limit`` rows of ``query`` after ``after``, ordered by ``at`` newest first then
    by ``row_id``; the key of the last row when more follow."""
    if after is not None:
        query = query.where(or_(at < after.at, and_(at == after.at, row_id > after.id)))
    rows = session.execute(query.order_by(at.desc(), row_id).limit(limit + 1)).mappings().all()
    shown = [dict(row) for row in rows[:limit]]
    more = len(rows) > limit
    return shown, (NewestFirstKey(shown[-1][at.name], shown[-1][row_id.name]) if more else None)
