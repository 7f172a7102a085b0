"""Alerts: raise once per open finding, publish audit.alert.raised; acknowledge, resolve, reopen.

Every status change is also a row of ``alert_status_changes`` (append-only): who, when, why,
and goes out as an event (``domain/alert_status.py``): a resolution, by a person or by the
system, as ``audit.alert.resolved``; a person's acknowledgement and reopening as
``audit.alert.acknowledged`` and ``audit.alert.reopened``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter

from audit.adapters.alert_store import AlertStore
from audit.domain.alert_status import (
    ACKNOWLEDGED,
    OPEN,
    REOPEN,
    RESOLVE,
    RESOLVED,
    AlertStep,
    check_step,
)
from audit.domain.recognition import Recognition
from audit.domain.scope import Scope
from audit.events import ALERT_RAISED, definition_of
from audit.service_layer.alert_push import enqueue_pushes
from audit.service_layer.errors import AlertSuperseded, NotFoundInScope
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

alerts_raised = Counter("audit_alerts_raised_total",
                        "Unrecognized-profile alerts stored, by reason and severity.",
                        ["reason", "severity"])

__all__ = ["ACKNOWLEDGED", "OPEN", "RESOLVED", "change_alert_status", "raise_alert",
           "resolve_disproved"]
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
    store = AlertStore(uow.session)
    if store.unresolved(org_id, subject_key, finding.reason) is not None:
        return None
    alert_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    store.add(
        id=alert_id, org_id=org_id, profile_id=profile_id, subject_key=subject_key,
        reason=finding.reason, severity=finding.severity.value, message=finding.message,
        note=finding.note, event_id=trigger["id"], status=OPEN, raised_at=now,
    )
    store.add_change(alert_id, OPEN, at=now, by=SYSTEM, note=finding.message,
                     event_id=trigger["id"])
    # The message names a person; the event carries ids and codes only.
    raised = ALERT_RAISED.event(
        subject=Subject("alert", alert_id),
        org_id=org_id,
        correlation_id=trigger.get("correlation_id"),
        data={"alert_id": alert_id, "reason": finding.reason,
              "severity": finding.severity.value, "profile_id": profile_id,
              "triggering_event_id": trigger["id"]},
    )
    uow.publish(raised)
    enqueue_pushes(uow.session, raised, {**raised.data, "status": OPEN, "changed_by": SYSTEM})
    # Counted when stored; a rolled-back batch is retried and may count its alert twice.
    alerts_raised.labels(reason=finding.reason, severity=finding.severity.value).inc()
    return alert_id


def change_alert_status(
    uow: UnitOfWork, scope: Scope, alert_id: str, step: AlertStep, *, note: str, by: str,
) -> dict[str, Any]:
    """Acknowledge, resolve or reopen an alert of the caller's practice, with a note of why."""
    with uow:
        store = AlertStore(uow.session)
        row = store.locked(scope, alert_id)
        if row is None:
            raise NotFoundInScope("No such alert in your practice; check the alert id.")
        check_step(row["status"], step)
        if step is REOPEN and (newer := store.unresolved(
                row["org_id"], row["subject_key"], row["reason"], besides=row["id"])):
            raise AlertSuperseded("A newer alert for the same finding is open; work on that "
                                  "one.", {"alert_id": newer["id"]})
        changed = _change(uow, row, step, note=note, by=by, trigger_id=None,
                          correlation_id=None)
        changed["history"] = store.history([alert_id]).get(alert_id, [])
        uow.commit()
        return changed


def resolve_disproved(uow: UnitOfWork, *, org_id: str | None, subject_key: str, reason: str,
                      trigger: dict[str, Any]) -> str | None:
    """The system resolves the unresolved alert a later fact disproved; its id, or None."""
    row = AlertStore(uow.session).unresolved(org_id, subject_key, reason)
    if row is None:
        return None
    _change(uow, row, RESOLVE, note=DISPROVED, by=SYSTEM, trigger_id=trigger["id"],
            correlation_id=trigger.get("correlation_id"))
    return str(row["id"])


def _change(uow: UnitOfWork, row: dict[str, Any], step: AlertStep, *, note: str, by: str,
            trigger_id: str | None, correlation_id: str | None) -> dict[str, Any]:
    now = datetime.now(UTC)
    # The row holds only the current status; the history row below keeps this step for good.
    store = AlertStore(uow.session)
    store.set_status(row["id"], step.status, note=note, by=by, at=now)
    store.add_change(row["id"], step.status, at=now, by=by, note=note, event_id=trigger_id)
    data = {"alert_id": row["id"], "reason": row["reason"], "severity": row["severity"],
            "profile_id": row["profile_id"], step.by_field: by}
    if step is RESOLVE:
        data["triggering_event_id"] = trigger_id
    # The note is free text a person wrote: it stays in the history, not on the bus.
    event = definition_of(step.event_type).event(
        subject=Subject("alert", row["id"]), org_id=row["org_id"],
        correlation_id=correlation_id, data=data)
    uow.publish(event)
    enqueue_pushes(uow.session, event, {**data, "status": step.status, "changed_by": by,
                                        "triggering_event_id": trigger_id})
    return {**row, "status": step.status, "status_note": note, "status_by": by,
            "status_changed_at": now}
