"""Digital treatment plans: staff draft them, send them to the patient, follow them up.

Reading needs view_patients (vendor staff under a grant read too). Writing needs
share_documents, staff only: sending a plan puts patient information in front of someone
outside the practice by a mailed link, as sharing a document does, and every dental user
type holds it (the service README says why not edit_patients or start_notes).
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from notes.api.bodies import RECEIPT_NOTE
from notes.api.callers import READERS, STAFF, caller
from notes.api.etags import plan_etag
from notes.api.paging import page_body, requested_page
from notes.api.treatment_plan_schemas import (
    NewTreatmentPlanSchema,
    SentTreatmentPlanSchema,
    TreatmentPlanChangeSchema,
    TreatmentPlanPageQuerySchema,
    TreatmentPlanPageSchema,
    TreatmentPlanSchema,
)
from notes.bootstrap import notes
from notes.domain.receipts import shown_to
from notes.service_layer import plan_sending, treatment_plans
from servicekit.auth import require_permission
from servicekit.web.conditional import etagged, if_match
from servicekit.web.idempotency import idempotent
from servicekit.web.openapi import documents_errors

blp = Blueprint("treatment_plans", __name__, description="Digital treatment plans")
WRITE = "share_documents"


@blp.route("/treatment-plans", methods=["POST"])
@documents_errors(404)
@require_permission(WRITE, kinds=STAFF)
@idempotent
@blp.arguments(NewTreatmentPlanSchema)
@blp.response(201, TreatmentPlanSchema, description=f"The draft plan. {RECEIPT_NOTE}")
def create(body: dict) -> dict[str, Any]:
    """Draft a plan for a patient: items (code, description, price in cents, quantity)."""
    app, who = notes(), caller()
    return shown_to(who.permissions,
                    treatment_plans.create_plan(app.uow(), who, body, app.now()))


@blp.route("/treatment-plans", methods=["GET"])
@require_permission("view_patients", kinds=READERS)
@blp.arguments(TreatmentPlanPageQuerySchema, location="query")
@blp.response(200, TreatmentPlanPageSchema)
def list_practice_plans(args: dict) -> dict[str, Any]:
    """The practice's plans, most recently changed first; `status` narrows them."""
    return _page(None, args)


@blp.route("/patients/<patient_id>/treatment-plans", methods=["GET"])
@require_permission("view_patients", kinds=READERS)
@blp.arguments(TreatmentPlanPageQuerySchema, location="query")
@blp.response(200, TreatmentPlanPageSchema)
def list_patient_plans(args: dict, patient_id: str) -> dict[str, Any]:
    """One patient's plans, most recently changed first."""
    return _page(patient_id, args)


def _page(patient_id: str | None, args: dict) -> dict[str, Any]:
    page, page_size = requested_page(args)
    found, total = treatment_plans.list_plans(
        notes().uow(), caller(), patient_id=patient_id, status=args["status"],
        page=page, page_size=page_size)
    return page_body(found, page, page_size, total)


@blp.route("/treatment-plans/<plan_id>", methods=["GET"])
@require_permission("view_patients", kinds=READERS)
@etagged(plan_etag)
@blp.response(200, TreatmentPlanSchema)
def view(plan_id: str) -> dict[str, Any]:
    return treatment_plans.view_plan(notes().uow(), caller(), plan_id)


@blp.route("/treatment-plans/<plan_id>", methods=["PATCH"])
@documents_errors(409)
@require_permission(WRITE, kinds=STAFF)
@if_match(plan_etag)
@blp.arguments(TreatmentPlanChangeSchema)
@blp.response(200, TreatmentPlanSchema, description=f"The plan. {RECEIPT_NOTE}")
def revise(body: dict, plan_id: str) -> dict[str, Any]:
    """Change a draft (`version` as last read); 409 once it was sent."""
    app, who = notes(), caller()
    return shown_to(who.permissions,
                    treatment_plans.revise_plan(app.uow(), who, plan_id, body, app.now()))


@blp.route("/treatment-plans/<plan_id>/send", methods=["POST"])
@documents_errors(409, 422)
@require_permission(WRITE, kinds=STAFF)
@blp.response(200, SentTreatmentPlanSchema, description=f"The plan. {RECEIPT_NOTE}")
def send(plan_id: str) -> dict[str, Any]:
    """Mail the patient a link to the plan; again for a sent plan (the old link stops).

    422 without a patient email or items. The mail is queued with the sending:
    `mail_status` `pending` when the mail server did not take it yet (it is retried).
    """
    app, who = notes(), caller()
    sent = plan_sending.send_plan(app.uow(), who, plan_id, app.now(), app.plan_mailer,
                                  app.plan_links)
    return shown_to(who.permissions, sent)


@blp.route("/treatment-plans/<plan_id>/withdraw", methods=["POST"])
@documents_errors(409)
@require_permission(WRITE, kinds=STAFF)
@blp.response(200, TreatmentPlanSchema, description=f"The plan. {RECEIPT_NOTE}")
def withdraw(plan_id: str) -> dict[str, Any]:
    """Withdraw the plan: its link then tells the patient to contact the clinic."""
    app, who = notes(), caller()
    return shown_to(who.permissions,
                    treatment_plans.withdraw_plan(app.uow(), who, plan_id, app.now()))


@blp.route("/treatment-plans/<plan_id>/accept-payment-plan", methods=["POST"])
@documents_errors(409)
@require_permission(WRITE, kinds=STAFF)
@blp.response(200, TreatmentPlanSchema, description=f"The plan. {RECEIPT_NOTE}")
def accept_payment_plan(plan_id: str) -> dict[str, Any]:
    """Accept the payment plan the patient asked for (409 unless they asked)."""
    app, who = notes(), caller()
    return shown_to(who.permissions,
                    treatment_plans.accept_payment_plan(app.uow(), who, plan_id, app.now()))
