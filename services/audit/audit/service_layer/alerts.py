"""Alerts: raise once per open finding, publish audit.alert.raised, acknowledge, resolve.

Every status change is also a row of ``alert_status_changes`` (append-only): who, when, why.
A resolution, by a person or by the system, goes out as ``audit.alert.resolved``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter
from sqlalchemy import select

from audit.adapters.tables import alert_status_changes, alerts
from audit.domain.recognition import Recognition
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject, new_event
from servicekit.web.errors import Conflict, NotFound

alerts_raised = Counter("audit_alerts_raised_total",
                        "Unrecognized-profile alerts stored, by reason and severity.",
                        ["reason", "severity"])

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
SYSTEM = "system"  # who changed an alert when no person did
DISPROVED = "a later fact recognized this profile"


def raise_alert(
    uow: UnitOfWork,
    finding: Recognition,
    *,
    org_id: str | None,
    subject_key: str,
    profile_id: str | None,
    trigger: dict[str, Any],
) -> str | None:
    """Store the alert and publish it in the same transaction; None when already unresolved.

    A finding repeats while nobody resolved the first alert (every sign-in of the same
    unrecognized profile, say); one alert per (practice, subject, reason) is enough.
    """
    same = select(alerts.c.id).where(
        alerts.c.org_id.is_(None) if org_id is None else alerts.c.org_id == org_id,
        alerts.c.subject_key == subject_key,
        alerts.c.reason == finding.reason,
        alerts.c.status != RESOLVED,
    )
    if uow.session.execute(same.limit(1)).first() is not None:
        return None
    alert_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    uow.session.execute(alerts.insert().values(
        id=alert_id, org_id=org_id, profile_id=profile_id, subject_key=subject_key,
        reason=finding.reason, severity=finding.severity.value, message=finding.message,
        note=finding.note, event_id=trigger["id"], status=OPEN, raised_at=now,
    ))
    _record_change(uow, alert_id, OPEN, now, SYSTEM, finding.message, trigger["id"])
    # The message names a person; the event carries ids and codes only.
    uow.publish(new_event(
        "audit.alert.raised",
        subject=Subject("alert", alert_id),
        org_id=org_id,
        correlation_id=trigger.get("correlation_id"),
        data={"alert_id": alert_id, "reason": finding.reason,
              "severity": finding.severity.value, "profile_id": profile_id,
              "triggering_event_id": trigger["id"]},
    ))
    # Counted when stored; a rolled-back batch is retried and may count its alert twice.
    alerts_raised.labels(reason=finding.reason, severity=finding.severity.value).inc()
    return alert_id


def change_alert_status(
    uow: UnitOfWork, alert_id: str, status: str, *, note: str, by: str,
    org_id: str | None, all_practices: bool,
) -> dict[str, Any]:
    """Acknowledge or resolve an alert of the caller's practice, with a note of why."""
    with uow:
        query = select(alerts).where(alerts.c.id == alert_id)
        if not all_practices:
            query = query.where(alerts.c.org_id == org_id)
        row = uow.session.execute(query).mappings().first()
        if row is None:
            raise NotFound("No such alert in your practice; check the alert id.")
        if row["status"] == RESOLVED:
            raise Conflict("This alert is resolved already; nothing more can change on it.",
                           code="alert_resolved")
        if status == ACKNOWLEDGED and row["status"] == ACKNOWLEDGED:
            raise Conflict("This alert is acknowledged already; resolve it when done.",
                           code="alert_acknowledged")
        changed = _change(uow, dict(row), status, note=note, by=by, trigger_id=None,
                          correlation_id=None)
        uow.commit()
        return changed


def resolve_disproved(uow: UnitOfWork, *, org_id: str | None, subject_key: str, reason: str,
                      trigger: dict[str, Any]) -> str | None:
    """The system resolves the unresolved alert a later fact disproved; its id, or None."""
    query = select(alerts).where(
        alerts.c.org_id.is_(None) if org_id is None else alerts.c.org_id == org_id,
        alerts.c.subject_key == subject_key, alerts.c.reason == reason,
        alerts.c.status != RESOLVED)
    row = uow.session.execute(query.limit(1)).mappings().first()
    if row is None:
        return None
    _change(uow, dict(row), RESOLVED, note=DISPROVED, by=SYSTEM, trigger_id=trigger["id"],
            correlation_id=trigger.get("correlation_id"))
    return str(row["id"])


def _change(uow: UnitOfWork, row: dict[str, Any], status: str, *, note: str, by: str,
            trigger_id: str | None, correlation_id: str | None) -> dict[str, Any]:
    now = datetime.now(UTC)
    uow.session.execute(alerts.update().where(alerts.c.id == row["id"]).values(
        status=status, status_note=note, status_by=by, status_changed_at=now))
    _record_change(uow, row["id"], status, now, by, note, trigger_id)
    if status == RESOLVED:
        uow.publish(new_event(
            "audit.alert.resolved", subject=Subject("alert", row["id"]), org_id=row["org_id"],
            correlation_id=correlation_id,
            data={"alert_id": row["id"], "reason": row["reason"], "severity": row["severity"],
                  "profile_id": row["profile_id"], "resolved_by": by,
                  "triggering_event_id": trigger_id}))
    return {**row, "status": status, "status_note": note, "status_by": by,
            "status_changed_at": now}


def _record_change(uow: UnitOfWork, alert_id: str, status: str, at: datetime, by: str,
                   note: str, event_id: str | None) -> None:
    uow.session.execute(alert_status_changes.insert().values(
        alert_id=alert_id, status=status, changed_at=at, changed_by=by, note=note,
        event_id=event_id))
