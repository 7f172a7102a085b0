"""Treatment plans, as the practice's staff draft, send, withdraw and follow them up."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from notes.adapters.projection import IdentityProjection
from notes.adapters.records import PracticeRecords
from notes.adapters.treatment_plans import PracticeTreatmentPlans, item_dict
from notes.domain.treatment_plans import PlanItem, TreatmentPlan, check_items, check_practitioner
from notes.events.patients import PATIENT_VIEWED
from notes.service_layer import plan_events as events
from notes.service_layer.callers import Caller
from notes.service_layer.errors import InvalidRequest, NotFoundInPractice
from notes.service_layer.patients import require_patient
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

SECTION = "treatment_plans"  # data.section of the access events a list emits


def plan_view(plan: TreatmentPlan) -> dict[str, Any]:
    return {"id": plan.id, "patient_id": plan.patient_id, "clinic_id": plan.clinic_id,
            "practitioner_user_id": plan.practitioner_user_id, "currency": plan.currency,
            "items": [{**item_dict(i), "total_cents": i.total_cents} for i in plan.items],
            "total_cents": plan.total_cents, "item_count": len(plan.items),
            "status": plan.status.value, "version": plan.version,
            "created_by_id": plan.created_by_id, "created_at": plan.created_at,
            "updated_at": plan.updated_at, "sent_at": plan.sent_at, "opened_at": plan.opened_at,
            "decided_at": plan.decided_at,
            "payment_plan_accepted_at": plan.payment_plan_accepted_at,
            "withdrawn_at": plan.withdrawn_at}


def require_plan(plans: PracticeTreatmentPlans, plan_id: str) -> TreatmentPlan:
    plan = plans.get(plan_id, for_update=True)
    if plan is None:
        raise NotFoundInPractice("There is no such treatment plan in your practice.",
                                 {"plan_id": plan_id})
    return plan


def items_from(values: list[dict[str, Any]]) -> list[PlanItem]:
    return [PlanItem(code=v["code"].strip(), description=v["description"].strip(),
                     price_cents=v["price_cents"], quantity=v.get("quantity", 1))
            for v in values]


def create_plan(uow: UnitOfWork, caller: Caller, values: dict[str, Any], now: datetime
                ) -> dict[str, Any]:
    """A draft plan for a patient; its practitioner defaults to the caller."""
    with uow:
        patient = require_patient(PracticeRecords(uow.session, caller.org_id),
                                  values["patient_id"])
        practitioner = values.get("practitioner_user_id") or caller.user_id
        clinic = values.get("clinic_id") or patient["clinic_id"]
        _check_people(IdentityProjection(uow.session), caller.org_id, practitioner, clinic)
        items = items_from(values.get("items", []))
        check_items(items)
        plan = TreatmentPlan(
            id=str(uuid.uuid4()), patient_id=patient["id"], clinic_id=clinic,
            practitioner_user_id=practitioner, currency=values["currency"],
            created_by_id=caller.user_id, created_at=now, updated_at=now, items=items)
        PracticeTreatmentPlans(uow.session, caller.org_id).add(plan)
        uow.publish(events.plan_event(events.CREATED, plan, caller.org_id, caller.actor))
        uow.commit()
    return plan_view(plan)


def revise_plan(uow: UnitOfWork, caller: Caller, plan_id: str, changes: dict[str, Any],
                now: datetime) -> dict[str, Any]:
    with uow:
        plans = PracticeTreatmentPlans(uow.session, caller.org_id)
        plan = require_plan(plans, plan_id)
        _check_people(IdentityProjection(uow.session), caller.org_id,
                      changes.get("practitioner_user_id"), changes.get("clinic_id"))
        items = items_from(changes["items"]) if "items" in changes else None
        plan.revise(expected_version=changes["version"], now=now, items=items,
                    currency=changes.get("currency"),
                    practitioner_user_id=changes.get("practitioner_user_id"),
                    clinic_id=changes.get("clinic_id"))
        plans.save(plan)
        uow.publish(events.plan_event(
            events.UPDATED, plan, caller.org_id, caller.actor,
            changed=sorted(k for k in changes if k != "version")))
        uow.commit()
    return plan_view(plan)


def view_plan(uow: UnitOfWork, caller: Caller, plan_id: str) -> dict[str, Any]:
    with uow:
        plan = require_plan(PracticeTreatmentPlans(uow.session, caller.org_id), plan_id)
        uow.publish(events.plan_event(events.VIEWED, plan, caller.org_id, caller.actor))
        uow.commit()
    return plan_view(plan)


def list_plans(uow: UnitOfWork, caller: Caller, *, patient_id: str | None, status: str | None,
               page: int, page_size: int) -> tuple[list[dict[str, Any]], int]:
    """A page of the practice's (or one patient's) plans, most recently changed first.

    Each patient on the page is recorded as viewed (section `treatment_plans`).
    """
    with uow:
        if patient_id is not None:
            require_patient(PracticeRecords(uow.session, caller.org_id), patient_id)
        found, total = PracticeTreatmentPlans(uow.session, caller.org_id).listed(
            patient_id=patient_id, status=status, offset=(page - 1) * page_size,
            limit=page_size)
        by_patient: dict[str, list[str]] = defaultdict(list)
        for plan in found:
            by_patient[plan.patient_id].append(plan.id)
        for patient, plan_ids in by_patient.items():
            uow.publish(PATIENT_VIEWED.event(
                subject=Subject("patient", patient),
                org_id=caller.org_id, actor=caller.actor, patient_id=patient,
                data={"section": SECTION, "plan_ids": plan_ids, "record_count": len(plan_ids)}))
        uow.commit()
    return [plan_view(plan) for plan in found], total


def withdraw_plan(uow: UnitOfWork, caller: Caller, plan_id: str, now: datetime
                  ) -> dict[str, Any]:
    """Withdraw the plan; the patient's link then says the clinic withdrew it."""
    with uow:
        plans = PracticeTreatmentPlans(uow.session, caller.org_id)
        plan = require_plan(plans, plan_id)
        before = plan.withdraw(now)
        plans.save(plan)
        uow.publish(events.plan_event(events.WITHDRAWN, plan, caller.org_id, caller.actor,
                                      previous_status=before.value))
        uow.commit()
    return plan_view(plan)


def accept_payment_plan(uow: UnitOfWork, caller: Caller, plan_id: str, now: datetime
                        ) -> dict[str, Any]:
    """Staff agree to the payment plan the patient asked for on their page."""
    with uow:
        plans = PracticeTreatmentPlans(uow.session, caller.org_id)
        plan = require_plan(plans, plan_id)
        plan.accept_payment_plan(now)
        plans.save(plan)
        uow.publish(events.plan_event(events.PAYMENT_PLAN_ACCEPTED, plan, caller.org_id,
                                      caller.actor))
        uow.commit()
    return plan_view(plan)


def _check_people(projection: IdentityProjection, org_id: str, practitioner_id: str | None,
                  clinic_id: str | None) -> None:
    if practitioner_id is not None:
        check_practitioner(projection.practice_user(org_id, practitioner_id), practitioner_id)
    if clinic_id is not None and projection.clinic(org_id, clinic_id) is None:
        raise InvalidRequest("Pick a clinic of your own practice.", {"clinic_id": clinic_id})
