"""Reading the record and the alerts, scoped to one practice or (vendor security) to all."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from audit.adapters.alert_store import AlertStore
from audit.adapters.record_store import AuditRecord, EventFilter
from audit.domain.scope import Scope

__all__ = ["EventFilter", "Scope", "alert_history", "list_alerts", "list_events"]


def list_events(
    session: Session, scope: Scope, filters: EventFilter, *, after: int | None, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    """Events in arrival order after the cursor ``after``; the next cursor when there are more."""
    return AuditRecord(session).page(scope, filters, after=after, limit=limit)


def list_alerts(
    session: Session, scope: Scope, *, status: str | None, severity: str | None, limit: int
) -> list[dict[str, Any]]:
    return AlertStore(session).listed(scope, status=status, severity=severity, limit=limit)


def alert_history(session: Session, alert_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each alert's status changes, oldest first: raised, acknowledged, resolved, by whom."""
    return AlertStore(session).history(alert_ids)
