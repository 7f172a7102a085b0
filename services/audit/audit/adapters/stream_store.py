"""The record as the security stream reads it: by position, up to a safe horizon."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from audit.adapters.scoping import scoped
from audit.adapters.tables import audit_events
from audit.domain.scope import Scope
from audit.domain.stream import ALERT_TYPE


class StreamStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def newest_before(self, received_before: datetime) -> int:
        """The position of the newest record received at or before the moment; 0 if none."""
        c = audit_events.c
        return self.session.execute(select(func.max(c.seq)).where(
            c.received_at <= received_before)).scalar() or 0

    def positions_after(self, after: int, limit: int) -> list[tuple[int, datetime]]:
        """(position, received_at) of the next records in any practice, in position order."""
        c = audit_events.c
        rows = self.session.execute(
            select(c.seq, c.received_at).where(c.seq > after).order_by(c.seq).limit(limit))
        return [(row.seq, row.received_at) for row in rows]

    def items(self, scope: Scope, after: int, upto: int, *, alerts_only: bool,
              type_prefixes: tuple[str, ...]) -> list[dict[str, Any]]:
        """The records in scope in (after, upto], as stream items."""
        c = audit_events.c
        query = scoped(select(audit_events), scope, c.org_id).where(c.seq > after,
                                                                      c.seq <= upto)
        if alerts_only:
            query = query.where(c.type == ALERT_TYPE)
        if type_prefixes:
            query = query.where(or_(*(c.type.startswith(p, autoescape=True)
                                      for p in type_prefixes)))
        rows = self.session.execute(query.order_by(c.seq)).mappings().all()
        return [_item(row) for row in rows]


def _item(row: Any) -> dict[str, Any]:
    return {
        "position": row["seq"],
        "kind": "alert" if row["type"] == ALERT_TYPE else "record",
        "type": row["type"],
        "org_id": row["org_id"],
        "received_at": row["received_at"].isoformat(),
        "partition": row["partition"],
        "chain_seq": row["chain_seq"],
        "hash": row["hash"],
        "event": json.loads(row["envelope"]),
    }
