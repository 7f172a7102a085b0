"""The treatment plan events: one shape for every step, so consumers read one set of fields.

identity's notifications and the digests consume these; audit records them all. The data is
ids, money and counts: never an item's code or description (clinical), nor the patient's
address.
"""

from __future__ import annotations

from typing import Any

from notes.domain.treatment_plans import TreatmentPlan
from notes.events.patients import (
    PLAN_CREATED,
    PLAN_OPENED,
    PLAN_PAYMENT_PLAN_ACCEPTED,
    PLAN_PAYMENT_PLAN_REQUESTED,
    PLAN_PROCEEDED,
    PLAN_SENT,
    PLAN_UPDATED,
    PLAN_VIEWED,
    PLAN_WITHDRAWN,
)
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Actor, Event, Subject

CREATED = PLAN_CREATED
UPDATED = PLAN_UPDATED
VIEWED = PLAN_VIEWED
SENT = PLAN_SENT
OPENED = PLAN_OPENED
PROCEEDED = PLAN_PROCEEDED
PAYMENT_PLAN_REQUESTED = PLAN_PAYMENT_PLAN_REQUESTED
PAYMENT_PLAN_ACCEPTED = PLAN_PAYMENT_PLAN_ACCEPTED
WITHDRAWN = PLAN_WITHDRAWN

#: What the patient did on their page, as an event type.
BY_STATUS = {"proceeded": PROCEEDED, "payment_plan_requested": PAYMENT_PLAN_REQUESTED}


def plan_facts(plan: TreatmentPlan) -> dict[str, Any]:
    """The fields every treatment plan event carries."""
    return {"plan_id": plan.id, "patient_id": plan.patient_id, "clinic_id": plan.clinic_id,
            "practitioner_user_id": plan.practitioner_user_id, "total_cents": plan.total_cents,
            "currency": plan.currency, "item_count": len(plan.items),
            "status": plan.status.value}


def plan_event(definition: EventDefinition, plan: TreatmentPlan, org_id: str, actor: Actor | None,
               **extra: Any) -> Event:
    """``actor`` None: the patient on their page (no account; data.by says so)."""
    return definition.event(subject=Subject("treatment_plan", plan.id), org_id=org_id,
                            actor=actor, patient_id=plan.patient_id,
                            data={**plan_facts(plan), "by": "staff" if actor else "patient",
                                  **extra})
