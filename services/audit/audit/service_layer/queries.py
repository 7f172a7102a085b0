"""Reading the record and the alerts, scoped to one practice or (vendor security) to all."""

from __future__ import annotations

from typing import Any

from audit.adapters.alert_store import AlertStore
from audit.adapters.record_store import AuditRecord, EventFilter
from audit.domain.pages import NewestFirstKey
from audit.domain.scope import Scope
from servicekit.db import UnitOfWork

__all__ = ["EventFilter", "Scope", "latest_events", "list_alerts", "list_events"]


def list_events(uow: UnitOfWork, scope: Scope, filters: EventFilter, *, after: int | None,
                limit: int) -> tuple[list[dict[str, Any]], int | None]:
    """Events in arrival order after the cursor ``after``; the next cursor when there are more."""
    with uow:
        return AuditRecord(uow.session).page(scope, filters, after=after, limit=limit)


def latest_events(uow: UnitOfWork, count: int) -> list[dict[str, Any]]:
    """The newest ``count`` stored events, oldest first."""
    with uow:
        return AuditRecord(uow.session).latest(count)


def list_alerts(uow: UnitOfWork, scope: Scope, *, status: str | None, severity: str | None,
                limit: int, after: NewestFirstKey | None = None
                ) -> tuple[list[dict[str, Any]], NewestFirstKey | None]:
    """A page of the alerts in scope, newest first, each with its history; where the page
    ends if more follow."""
    with uow:
        return AlertStore(uow.session).listed(scope, status=status, severity=severity,
                                              limit=limit, after=after)
