"""What a person may do to an alert, and what each step records and announces.

An alert is raised `open`; someone looking into it `acknowledge`s it; it is `resolve`d with
what was found, by a person or by the system when a later fact recognizes the profile; a
resolution that proves wrong is `reopen`ed. Each step is a new row of the alert's history
(who, when, note) and an event; no step overwrites an earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.domain.errors import AuditError

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"


@dataclass(frozen=True)
class AlertStep:
    name: str  # what the person does: acknowledge, resolve, reopen
    status: str  # the status it leaves the alert in
    event_type: str  # what goes out on clinic.events
    by_field: str  # the event data's field naming who took the step


ACKNOWLEDGE = AlertStep("acknowledge", ACKNOWLEDGED, "audit.alert.acknowledged",
                        "acknowledged_by")
RESOLVE = AlertStep("resolve", RESOLVED, "audit.alert.resolved", "resolved_by")
REOPEN = AlertStep("reopen", OPEN, "audit.alert.reopened", "reopened_by")
STEPS = {step.name: step for step in (ACKNOWLEDGE, RESOLVE, REOPEN)}


class StepRefused(AuditError):
    """The alert's status does not allow the step; the message says what to do."""


class AlertNotResolved(StepRefused):
    code = "alert_not_resolved"


class AlertResolved(StepRefused):
    code = "alert_resolved"


class AlertAcknowledged(StepRefused):
    code = "alert_acknowledged"


def check_step(current: str, step: AlertStep) -> None:
    """Refuse a step the alert's current status does not allow."""
    if step is REOPEN:
        if current != RESOLVED:
            raise AlertNotResolved("Only a resolved alert can be reopened; this one is still "
                                   f"{current}: acknowledge or resolve it instead.")
        return
    if current == RESOLVED:
        raise AlertResolved("This alert is resolved; reopen it first if the resolution was "
                            "wrong.")
    if step is ACKNOWLEDGE and current == ACKNOWLEDGED:
        raise AlertAcknowledged("This alert is acknowledged already; resolve it when done.")
