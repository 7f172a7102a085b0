"""Alerts: raise once per open finding, publish audit.alert.raised, acknowledge, resolve."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter
from sqlalchemy import select

from audit.adapters.tables import alerts
from audit.domain.recognition import Recognition
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject, new_event
from servicekit.web.errors import Conflict, NotFound

alerts_raised = Counter("audit_alerts_raised_total",
                        "Unrecognized-profile alerts stored, by reason and severity.",
                        ["reason", "severity"])

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"


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
    uow.session.execute(alerts.insert().values(
        id=alert_id, org_id=org_id, profile_id=profile_id, subject_key=subject_key,
        reason=finding.reason, severity=finding.severity.value, message=finding.message,
        note=finding.note, event_id=trigger["id"], status=OPEN, raised_at=datetime.now(UTC),
    ))
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
        now = datetime.now(UTC)
        uow.session.execute(alerts.update().where(alerts.c.id == alert_id).values(
            status=status, status_note=note, status_by=by, status_changed_at=now))
        uow.commit()
        return {**row, "status": status, "status_note": note, "status_by": by,
                "status_changed_at": now}
