"""Alerts and their append-only history of status changes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.keyset import newest_first_page
from audit.adapters.scoping import scoped
from audit.adapters.tables import alert_status_changes, alerts
from audit.domain.alert_status import RESOLVED
from audit.domain.pages import NewestFirstKey
from audit.domain.scope import Scope


class AlertStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def unresolved(self, org_id: str | None, subject_key: str, reason: str, *,
                   besides: str | None = None) -> dict[str, Any] | None:
        """The alert of this finding nobody resolved yet (``besides``: another than it)."""
        c = alerts.c
        query = select(alerts).where(
            c.org_id.is_(None) if org_id is None else c.org_id == org_id,
            c.subject_key == subject_key, c.reason == reason, c.status != RESOLVED)
        if besides is not None:
            query = query.where(c.id != besides)
        row = self.session.execute(query.limit(1)).mappings().first()
        return dict(row) if row is not None else None

    def add(self, **values: Any) -> None:
        self.session.execute(alerts.insert().values(**values))

    def locked(self, scope: Scope, alert_id: str) -> dict[str, Any] | None:
        """The alert in scope, locked until the transaction ends."""
        query = scoped(select(alerts).where(alerts.c.id == alert_id), scope, alerts.c.org_id)
        row = self.session.execute(query.with_for_update()).mappings().first()
        return dict(row) if row is not None else None

    def set_status(self, alert_id: str, status: str, *, note: str, by: str, at: datetime
                   ) -> None:
        self.session.execute(alerts.update().where(alerts.c.id == alert_id).values(
            status=status, status_note=note, status_by=by, status_changed_at=at))

    def add_change(self, alert_id: str, status: str, *, at: datetime, by: str, note: str,
                   event_id: str | None) -> None:
        self.session.execute(alert_status_changes.insert().values(
            alert_id=alert_id, status=status, changed_at=at, changed_by=by, note=note,
            event_id=event_id))

    def listed(self, scope: Scope, *, status: str | None, severity: str | None, limit: int,
               after: NewestFirstKey | None = None
               ) -> tuple[list[dict[str, Any]], NewestFirstKey | None]:
        """A page of alerts, newest first, each with its history; where it ends if more."""
        query = scoped(select(alerts), scope, alerts.c.org_id)
        if status is not None:
            query = query.where(alerts.c.status == status)
        if severity is not None:
            query = query.where(alerts.c.severity == severity)
        found, last = newest_first_page(self.session, query, alerts.c.raised_at, alerts.c.id,
                                        after=after, limit=limit)
        history = self.history([a["id"] for a in found])
        return [{**a, "history": history.get(a["id"], [])} for a in found], last

    def history(self, alert_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Each alert's status changes, oldest first: raised, acknowledged, resolved, by whom."""
        history: dict[str, list[dict[str, Any]]] = {}
        if not alert_ids:
            return history
        c = alert_status_changes.c
        rows = self.session.execute(
            select(c.alert_id, c.status, c.changed_at, c.changed_by, c.note)
            .where(c.alert_id.in_(alert_ids)).order_by(c.id)).mappings()
        for row in rows:
            history.setdefault(row["alert_id"], []).append(
                {k: row[k] for k in ("status", "changed_at", "changed_by", "note")})
        return history

    def by_ids(self, alert_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        rows = self.session.execute(select(alerts).where(alerts.c.id.in_(list(alert_ids))))
        return {row["id"]: dict(row) for row in rows.mappings()}
