"""Insurances (payers) and the cases that bill them."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from notes.api.bodies import RECEIPT_NOTE
from notes.api.callers import READERS, STAFF, caller
from notes.api.etags import case_etag, insurance_etag
from notes.api.schemas import CaseChangeSchema, CaseSchema, InsuranceChangeSchema, InsuranceSchema
from notes.bootstrap import notes
from notes.domain.receipts import shown_to
from notes.service_layer import cases, payers
from servicekit.auth import authenticated, require_permission
from servicekit.web.conditional import etagged, if_match
from servicekit.web.idempotency import idempotent
from servicekit.web.openapi import documents_errors
from servicekit.web.pagination import paged

blp = Blueprint("payers", __name__, description="Insurances and cases")


@blp.route("/insurances", methods=["GET"])
@authenticated(kinds=READERS)
@blp.response(200, InsuranceSchema(many=True))
@paged(blp, max_limit=500)
def list_insurances() -> list[dict[str, Any]]:
    return payers.list_insurances(notes().uow(), caller())


@blp.route("/insurances", methods=["POST"])
@require_permission("manage_users", kinds=STAFF)
@idempotent
@blp.arguments(InsuranceSchema)
@blp.response(201, InsuranceSchema)
def add_insurance(body: dict) -> dict[str, Any]:
    """Add a payer; assistants may finalize its notes only when turned on (User Managers)."""
    app = notes()
    return payers.add_insurance(app.uow(), caller(), body, app.now())


@blp.route("/insurances/<insurance_id>", methods=["PATCH"])
@require_permission("manage_users", kinds=STAFF)
@if_match(insurance_etag)
@blp.arguments(InsuranceChangeSchema)
@blp.response(200, InsuranceSchema)
def change_insurance(body: dict, insurance_id: str) -> dict[str, Any]:
    return payers.change_insurance(notes().uow(), caller(), insurance_id, body)


@blp.route("/cases", methods=["POST"])
@documents_errors(404)
@require_permission("edit_patients", kinds=STAFF)
@idempotent
@blp.arguments(CaseSchema)
@blp.response(201, CaseSchema, description=f"The case. {RECEIPT_NOTE}")
def open_case(body: dict) -> dict[str, Any]:
    app, who = notes(), caller()
    return shown_to(who.permissions, payers.open_case(app.uow(), who, body, app.now()))


@blp.route("/cases/<case_id>", methods=["GET"])
@require_permission("view_patients", kinds=READERS)
@etagged(case_etag)
@blp.response(200, CaseSchema)
def view_case(case_id: str) -> dict[str, Any]:
    return payers.view_case(notes().uow(), caller(), case_id)


@blp.route("/cases/<case_id>", methods=["PATCH"])
@documents_errors(409)
@require_permission("edit_patients", kinds=STAFF)
@if_match(case_etag)
@blp.arguments(CaseChangeSchema)
@blp.response(200, CaseSchema, description=f"The case. {RECEIPT_NOTE}")
def change_case(body: dict, case_id: str) -> dict[str, Any]:
    """Change the case's title or insurance.

    The insurance changes only while no note of the case is finalized: a signed note was
    finalized under that payer's rules and charged to it, and changing the payer afterwards
    would rewrite that history. Then the answer is 409 `case_insurance_locked`: open a new
    case under the other insurance (notes/domain/cases.py).
    """
    app, who = notes(), caller()
    return shown_to(who.permissions, cases.change_case(app.uow(), who, case_id, body))
