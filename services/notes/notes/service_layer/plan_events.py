"""The treatment plan events: one shape for every step, so consumers read one set of fields.

identity's notifications and the digests consume these; audit records them all. The data is
ids, money and counts: never an item's code or description (clinical), nor the patient's
address.
"""

from __future__ import annotations

from typing import Any

from notes.domain.treatment_plans import TreatmentPlan
from servicekit.messaging.envelope import Actor, Event, Subject, new_event

CREATED = "notes.treatment_plan.created"
UPDATED = "notes.treatment_plan.updated"
VIEWED = "notes.treatment_plan.viewed"
SENT = "notes.treatment_plan.sent"
OPENED = "notes.treatment_plan.opened"
PROCEEDED = "notes.treatment_plan.proceeded"
PAYMENT_PLAN_REQUESTED = "notes.treatment_plan.payment_plan_requested"
PAYMENT_PLAN_ACCEPTED = "notes.treatment_plan.payment_plan_accepted"
WITHDRAWN = "notes.treatment_plan.withdrawn"

#: What the patient did on their page, as an event type.
BY_STATUS = {"proceeded": PROCEEDED, "payment_plan_requested": PAYMENT_PLAN_REQUESTED}


def plan_facts(plan: TreatmentPlan) -> dict[str, Any]:
    """The fields every treatment plan event carries."""
    return {"plan_id": plan.id, "patient_id": plan.patient_id, "clinic_id": plan.clinic_id,
            "practitioner_user_id": plan.practitioner_user_id, "total_cents": plan.total_cents,
            "currency": plan.currency, "item_count": len(plan.items),
            "status": plan.status.value}


def plan_event(event_type: str, plan: TreatmentPlan, org_id: str, actor: Actor | None,
               **extra: Any) -> Event:
    """``actor`` None: the patient on their page (no account; data.by says so)."""
    return new_event(event_type, subject=Subject("treatment_plan", plan.id), org_id=org_id,
                     actor=actor, patient_id=plan.patient_id,
                     data={**plan_facts(plan), "by": "staff" if actor else "patient", **extra})
