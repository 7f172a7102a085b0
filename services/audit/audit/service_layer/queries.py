"""Reading the record and the alerts, scoped to one practice or (vendor security) to all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from audit.adapters.tables import alert_status_changes, alerts, audit_events


@dataclass(frozen=True)
class Scope:
    """Whose records a caller may read: one practice, or every practice (``org_id`` None)."""

    org_id: str | None
    all_practices: bool = False

    def apply(self, query: Select, column: Any) -> Select:
        return query if self.all_practices else query.where(column == self.org_id)


@dataclass(frozen=True)
class EventFilter:
    type: str | None = None
    actor_id: str | None = None
    patient_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None


def list_events(
    session: Session, scope: Scope, filters: EventFilter, *, after: int | None, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    """Events in arrival order after the cursor ``after``; the next cursor when there are more."""
    c = audit_events.c
    query = scope.apply(select(audit_events), c.org_id)
    for column, value in ((c.type, filters.type), (c.actor_id, filters.actor_id),
                          (c.patient_id, filters.patient_id)):
        if value is not None:
            query = query.where(column == value)
    if filters.start is not None:
        query = query.where(c.occurred_at >= filters.start)
    if filters.end is not None:
        query = query.where(c.occurred_at < filters.end)
    if after is not None:
        query = query.where(c.seq > after)
    rows = session.execute(query.order_by(c.seq).limit(limit + 1)).mappings().all()
    page = [_event(row) for row in rows[:limit]]
    return page, (page[-1]["seq"] if len(rows) > limit else None)


def _event(row: Any) -> dict[str, Any]:
    return {"seq": row["seq"], "partition": row["partition"], "chain_seq": row["chain_seq"],
            "hash": row["hash"], "received_at": row["received_at"],
            "event": json.loads(row["envelope"])}


def list_alerts(
    session: Session, scope: Scope, *, status: str | None, severity: str | None, limit: int
) -> list[dict[str, Any]]:
    query = scope.apply(select(alerts), alerts.c.org_id)
    if status is not None:
        query = query.where(alerts.c.status == status)
    if severity is not None:
        query = query.where(alerts.c.severity == severity)
    query = query.order_by(alerts.c.raised_at.desc(), alerts.c.id).limit(limit)
    found = [dict(row) for row in session.execute(query).mappings()]
    history = alert_history(session, [a["id"] for a in found])
    return [{**a, "history": history.get(a["id"], [])} for a in found]


def alert_history(session: Session, alert_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each alert's status changes, oldest first: raised, acknowledged, resolved, by whom."""
    history: dict[str, list[dict[str, Any]]] = {}
    if not alert_ids:
        return history
    c = alert_status_changes.c
    rows = session.execute(select(c.alert_id, c.status, c.changed_at, c.changed_by, c.note)
                           .where(c.alert_id.in_(alert_ids)).order_by(c.id)).mappings()
    for row in rows:
        history.setdefault(row["alert_id"], []).append(
            {k: row[k] for k in ("status", "changed_at", "changed_by", "note")})
    return history


def access_envelopes(
    session: Session, scope: Scope, *, actor_id: str | None = None,
    patient_id: str | None = None, start: datetime, end: datetime,
) -> Iterator[dict[str, Any]]:
    """The stored envelopes that may hold accesses by ``actor_id`` or to ``patient_id``."""
    c = audit_events.c
    query = scope.apply(select(c.envelope), c.org_id).where(
        c.occurred_at >= start, c.occurred_at < end)
    if actor_id is not None:
        query = query.where(c.actor_id == actor_id)
    if patient_id is not None:
        # Searches name their patients in data.patient_ids, not in the envelope's patient_id.
        query = query.where(or_(c.patient_id == patient_id, c.type.like("%.searched")))
    for row in session.execute(query.order_by(c.seq).execution_options(yield_per=1000)):
        yield json.loads(row.envelope)
