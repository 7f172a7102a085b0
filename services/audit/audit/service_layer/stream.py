"""Reading the security stream: records and alerts after a position, safe against late commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from audit.adapters.alert_store import AlertStore
from audit.adapters.stream_store import StreamStore
from audit.domain.scope import Scope
from audit.domain.stream import StreamFilter, safe_horizon
from servicekit.db import UnitOfWork

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
    return StreamStore(session).newest_before(now - grace)


def read_stream(
    session: Session, scope: Scope, wanted: StreamFilter, after: int, now: datetime,
    grace: timedelta, limit: int = BATCH,
) -> StreamBatch:
    """The wanted records in scope after ``after``, up to the safe horizon."""
    store = StreamStore(session)
    present = store.positions_after(after, limit)
    horizon = safe_horizon(after, present, now, grace)
    if horizon == after:
        return StreamBatch([], after, False)
    items = store.items(scope, after, horizon, alerts_only=wanted.alerts_only,
                        type_prefixes=wanted.type_prefixes)
    _attach_alerts(session, items)
    chosen = [i for i in items
              if wanted.wants(i["type"], (i.get("alert") or {}).get("severity"))]
    full = len(present) == limit and horizon == present[-1][0]
    return StreamBatch(chosen, horizon, full)


def _attach_alerts(session: Session, items: list[dict[str, Any]]) -> None:
    """Give each alert record the alert as stored now (its status may have moved on)."""
    ids = {i["event"]["data"].get("alert_id"): i for i in items if i["kind"] == "alert"}
    ids.pop(None, None)
    if not ids:
        return
    found = AlertStore(session).by_ids(ids)
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


def stream_start(uow: UnitOfWork, now: datetime, grace: timedelta) -> int:
    """``start_position`` in a transaction of its own."""
    with uow:
        return start_position(uow.session, now, grace)


def next_stream_batch(uow: UnitOfWork, scope: Scope, wanted: StreamFilter, after: int,
                      now: datetime, grace: timedelta) -> StreamBatch:
    """``read_stream`` in a transaction of its own: a connection only while reading."""
    with uow:
        return read_stream(uow.session, scope, wanted, after, now, grace)
