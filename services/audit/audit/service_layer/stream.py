"""Reading the security stream: records and alerts after a position, safe against late commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from audit.adapters.tables import alerts, audit_events
from audit.domain.stream import ALERT_TYPE, StreamFilter, safe_horizon
from audit.service_layer.queries import Scope

BATCH = 500


@dataclass(frozen=True)
class StreamBatch:
    items: list[dict[str, Any]]
    position: int  # every record up to here was considered; resume after it
    more: bool  # a full batch was read: read again without waiting


def start_position(session: Session, now: datetime, grace: timedelta) -> int:
    """Where a consumer without a cursor starts: the newest record that can no longer move.

    The records of the last ``grace`` may still be joined by earlier positions, so they are
    delivered too rather than skipped.
    """
    c = audit_events.c
    settled = session.execute(select(func.max(c.seq)).where(c.received_at <= now - grace))
    return settled.scalar() or 0


def read_stream(
    session: Session, scope: Scope, wanted: StreamFilter, after: int, now: datetime,
    grace: timedelta, limit: int = BATCH,
) -> StreamBatch:
    """The wanted records in scope after ``after``, up to the safe horizon."""
    c = audit_events.c
    present = session.execute(
        select(c.seq, c.received_at).where(c.seq > after).order_by(c.seq).limit(limit)
    ).all()
    horizon = safe_horizon(after, ((r.seq, r.received_at) for r in present), now, grace)
    if horizon == after:
        return StreamBatch([], after, False)
    query = scope.apply(select(audit_events), c.org_id).where(c.seq > after, c.seq <= horizon)
    if wanted.alerts_only:
        query = query.where(c.type == ALERT_TYPE)
    if wanted.type_prefixes:
        query = query.where(or_(*(c.type.startswith(p, autoescape=True)
                                  for p in wanted.type_prefixes)))
    rows = session.execute(query.order_by(c.seq)).mappings().all()
    items = [_item(row) for row in rows]
    _attach_alerts(session, items)
    chosen = [i for i in items
              if wanted.wants(i["type"], (i.get("alert") or {}).get("severity"))]
    full = len(present) == limit and horizon == present[-1].seq
    return StreamBatch(chosen, horizon, full)


def _item(row: Any) -> dict[str, Any]:
    envelope = json.loads(row["envelope"])
    return {
        "position": row["seq"],
        "kind": "alert" if row["type"] == ALERT_TYPE else "record",
        "type": row["type"],
        "org_id": row["org_id"],
        "received_at": row["received_at"].isoformat(),
        "partition": row["partition"],
        "chain_seq": row["chain_seq"],
        "hash": row["hash"],
        "event": envelope,
    }


def _attach_alerts(session: Session, items: list[dict[str, Any]]) -> None:
    """Give each alert record the alert as stored now (its status may have moved on)."""
    ids = {i["event"]["data"].get("alert_id"): i for i in items if i["kind"] == "alert"}
    ids.pop(None, None)
    if not ids:
        return
    found = {row["id"]: row for row in session.execute(
        select(alerts).where(alerts.c.id.in_(list(ids)))).mappings()}
    for alert_id, item in ids.items():
        row = found.get(alert_id)
        data = item["event"]["data"]
        item["alert"] = {
            "id": alert_id,
            "reason": data.get("reason"),
            "severity": data.get("severity"),
            "profile_id": data.get("profile_id"),
            "status": row["status"] if row else None,
            "message": row["message"] if row else None,
            "raised_at": row["raised_at"].isoformat() if row else None,
        }
