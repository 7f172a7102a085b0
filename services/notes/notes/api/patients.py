"""Patients of the practice: search, read, register, correct."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from notes.api.bodies import RECEIPT_NOTE
from notes.api.callers import READERS, STAFF, caller
from notes.api.etags import patient_etag
from notes.api.paging import page_body, requested_page
from notes.api.schemas import (
    CorrectedPatientSchema,
    NewPatientSchema,
    PatientChangeSchema,
    PatientPageQuerySchema,
    PatientPageSchema,
    PatientSchema,
    PatientSearchSchema,
    PatientWithCasesSchema,
)
from notes.bootstrap import notes
from notes.domain.receipts import shown_to
from notes.service_layer import patients
from servicekit.auth import authenticated, require_permission
from servicekit.web.conditional import etagged, if_match
from servicekit.web.idempotency import idempotent

blp = Blueprint("patients", __name__, description="Patients of the practice")


@blp.route("/patients", methods=["GET"])
@require_permission("view_patients", kinds=READERS)
@blp.arguments(PatientPageQuerySchema, location="query")
@blp.response(200, PatientPageSchema)
def list_patients(args: dict) -> dict[str, Any]:
    """The practice's patients, a page at a time (to find one, search by name instead)."""
    page, page_size = requested_page(args)
    found, total = _found({**args, "name": None, "date_of_birth": None}, page, page_size)
    return page_body(found, page, page_size, total)


# A search is a POST so that names and dates of birth travel in the body: URLs end up in
# proxies' logs, browser histories and Referer headers.
@blp.route("/patients/search", methods=["POST"])
@require_permission("view_patients", kinds=READERS)
@blp.arguments(PatientSearchSchema)
@blp.response(200, PatientPageSchema)
def search(body: dict) -> dict[str, Any]:
    """Find patients by name and date of birth, a page at a time."""
    return _search(body)


def _search(args: dict) -> dict[str, Any]:
    found, total = _found(args, args["page"], args["page_size"])
    return {"items": found, "page": args["page"], "page_size": args["page_size"],
            "total": total}


def _found(args: dict, page: int, page_size: int) -> tuple[list[dict[str, Any]], int]:
    return patients.search_patients(
        notes().uow(), caller(), name=args.get("name"), date_of_birth=args.get("date_of_birth"),
        page=page, page_size=page_size)


@blp.route("/patients/<patient_id>", methods=["GET"])
@require_permission("view_patients", kinds=READERS)
@etagged(patient_etag)
@blp.response(200, PatientWithCasesSchema)
def view(patient_id: str) -> dict[str, Any]:
    return patients.view_patient(notes().uow(), caller(), patient_id)


@blp.route("/patients", methods=["POST"])
@require_permission("edit_patients", kinds=STAFF)
@idempotent
@blp.arguments(NewPatientSchema)
@blp.response(201, PatientSchema, description=f"The patient. {RECEIPT_NOTE}")
def register(body: dict) -> dict[str, Any]:
    app, who = notes(), caller()
    return shown_to(who.permissions, patients.register_patient(app.uow(), who, body, app.now()))


@blp.route("/patients/<patient_id>", methods=["PATCH"])
@authenticated(kinds=STAFF)
@if_match(patient_etag)
@blp.arguments(PatientChangeSchema(partial=True))
@blp.response(200, CorrectedPatientSchema, description=f"The patient. {RECEIPT_NOTE}")
def correct(body: dict, patient_id: str) -> dict[str, Any]:
    """Correct a patient's record. A therapy practice needs edit_patients; a dental practice
    an Admin (manage_users, else 403 admin_only), and the answer carries the dental seed's
    privacy warning."""
    app, who = notes(), caller()
    corrected = patients.correct_patient(app.uow(), who, patient_id, body, app.now())
    answer = shown_to(who.permissions, corrected.patient)
    return {**answer, "warning": corrected.warning} if corrected.warning else answer
