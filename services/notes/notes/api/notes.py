"""SOAP notes: start, read, revise, forward, discard, finalize, addenda."""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from flask_smorest import Blueprint

from notes.api.bodies import RECEIPT_NOTE, note_body
from notes.api.callers import READERS, STAFF, caller
from notes.api.etags import note_etag
from notes.api.schemas import (
    AddendumSchema,
    BillingCodeOfferSchema,
    ForwardSchema,
    NoteSchema,
    ReviseNoteSchema,
    StartNoteSchema,
    VersionSchema,
)
from notes.bootstrap import notes
from notes.domain.billing import FORMAT_HELP, BillingEntry
from notes.domain.note_parts import SoapText
from notes.domain.receipts import shown_to
from notes.service_layer import note_exports as exports
from notes.service_layer import note_lifecycle as lifecycle
from servicekit.auth import authenticated, require_permission
from servicekit.web.conditional import etagged, if_match
from servicekit.web.idempotency import idempotent
from servicekit.web.openapi import documents_errors
from servicekit.web.pagination import paged

blp = Blueprint("notes", __name__, description="SOAP notes")

_SOAP = ("subjective", "objective", "assessment", "plan")


# Who may start, edit, forward and sign is the domain's rule (category and supervision, not
# only a permission), so these routes only require a staff token.
@blp.route("/notes", methods=["POST"])
@documents_errors(404)
@authenticated(kinds=STAFF)
@idempotent
@blp.arguments(StartNoteSchema)
@blp.response(201, NoteSchema, description=f"The note. {RECEIPT_NOTE}")
def start(body: dict) -> dict[str, Any]:
    app, who = notes(), caller()
    soap = SoapText(**{k: body[k] for k in _SOAP if k in body})
    note = lifecycle.begin_note(app.uow(), who, case_id=body["case_id"], kind=body["kind"],
                                date_of_service=body["date_of_service"], soap=soap,
                                now=app.now())
    return shown_to(who.permissions, note_body(note))


@blp.route("/notes/<note_id>", methods=["GET"])
@documents_errors(410)
@require_permission("view_patients", kinds=READERS)
@etagged(note_etag)
@blp.response(200, NoteSchema)
def view(note_id: str) -> dict[str, Any]:
    return note_body(lifecycle.read_note(notes().uow(), caller(), note_id))


@blp.route("/patients/<patient_id>/notes", methods=["GET"])
@require_permission("view_patients", kinds=READERS)
@blp.response(200, NoteSchema(many=True))
@paged(blp, max_limit=500)
def of_patient(patient_id: str) -> list[dict[str, Any]]:
    return [note_body(n) for n in lifecycle.notes_of_patient(notes().uow(), caller(), patient_id)]


@blp.route("/notes/<note_id>", methods=["PATCH"])
@documents_errors(409, 410)
@authenticated(kinds=STAFF)
@if_match(note_etag)
@blp.arguments(ReviseNoteSchema)
@blp.response(200, NoteSchema, description=f"The note. {RECEIPT_NOTE}")
def revise(body: dict, note_id: str) -> dict[str, Any]:
    """Save changes to a draft; send the version you loaded (409 if someone saved since)."""
    app, who = notes(), caller()
    soap = {k: body[k] for k in _SOAP if k in body}
    billing = None
    if "billing_sheet" in body:
        billing = [BillingEntry(line["code"], line["units"], tuple(line["modifiers"]))
                   for line in body["billing_sheet"]]
    note = lifecycle.revise_note(app.uow(), who, note_id, expected_version=body["version"],
                                 soap=soap or None, billing=billing,
                                 user_types=app.user_types, now=app.now())
    return shown_to(who.permissions, note_body(note))


@blp.route("/notes/<note_id>/forward", methods=["POST"])
@documents_errors(409, 410)
@authenticated(kinds=STAFF)
@blp.arguments(ForwardSchema)
@blp.response(200, NoteSchema, description=f"The note. {RECEIPT_NOTE}")
def forward(body: dict, note_id: str) -> dict[str, Any]:
    app, who = notes(), caller()
    note = lifecycle.forward_note(app.uow(), who, note_id, to_user_id=body["to_user_id"],
                                  expected_version=body["version"], now=app.now())
    return shown_to(who.permissions, note_body(note))


@blp.route("/notes/<note_id>/discard", methods=["POST"])
@documents_errors(409)
@authenticated(kinds=STAFF)
@blp.arguments(VersionSchema)
@blp.response(200, NoteSchema, description=f"The note, discarded. {RECEIPT_NOTE}")
def discard(body: dict, note_id: str) -> dict[str, Any]:
    """Discard a draft started by mistake (its author or their supervising therapist).

    The note is kept but leaves the chart: its GET answers 410 `note_discarded`. Discarding
    again answers the same. 409 `note_cannot_be_discarded` for a forwarded note (recall it
    first) or a finalized one (add an addendum instead).
    """
    app, who = notes(), caller()
    note = lifecycle.discard_note(app.uow(), who, note_id, expected_version=body["version"],
                                  now=app.now())
    return shown_to(who.permissions, note_body(note))


@blp.route("/notes/<note_id>/finalize", methods=["POST"])
@documents_errors(409, 410)
@authenticated(kinds=STAFF)
@blp.arguments(VersionSchema)
@blp.response(200, NoteSchema, description=f"The note. {RECEIPT_NOTE}")
def finalize(body: dict, note_id: str) -> dict[str, Any]:
    """Sign the note; 403 finalization_refused names every setting or permission that is off."""
    app, who = notes(), caller()
    note = lifecycle.finalize_note(app.uow(), who, note_id,
                                   expected_version=body["version"], now=app.now())
    return shown_to(who.permissions, note_body(note))


@blp.route("/notes/<note_id>/addenda", methods=["POST"])
@documents_errors(409, 410)
@authenticated(kinds=STAFF)
@idempotent
@blp.arguments(AddendumSchema)
@blp.response(201, NoteSchema, description=f"The note. {RECEIPT_NOTE}")
def add_addendum(body: dict, note_id: str) -> dict[str, Any]:
    app, who = notes(), caller()
    note = lifecycle.add_addendum(app.uow(), who, note_id, text=body["text"], now=app.now())
    return shown_to(who.permissions, note_body(note))


@blp.route("/notes/<note_id>/pdf", methods=["GET"])
@documents_errors(410, 503)
@require_permission("view_patients", kinds=READERS)
@blp.doc(responses={
    "200": {"description": "The finalized note as a PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "headers": {"X-Patient-Id": {"description": "The note's patient",
                                         "schema": {"type": "string"}}}},
    "202": {"description": "Another request is rendering this version of the PDF now; ask "
                           "again after Retry-After seconds",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
            "content": {"application/json": {"schema": {"type": "object"}}}}})
def pdf(note_id: str) -> Response:
    """The finalized note as a PDF, the document the portal shares.

    Each version (as signed, then one per addendum) is rendered once and kept; while the first
    request for it renders, others answer 202 with Retry-After. A draft or forwarded note
    answers 409 `note_not_finalized`: finalize the note first.
    """
    app = notes()
    pdf = exports.download_note_pdf(app.uow(), caller(), note_id, pdfs=app.note_pdfs,
                                    now=app.now())
    if isinstance(pdf, exports.PdfBeingRendered):
        return being_rendered(pdf.retry_after_seconds)
    # The file name carries the note's id only: names and dates of birth stay inside the PDF.
    # X-Patient-Id lets the document portal refuse to file the PDF under another patient.
    return Response(pdf.content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="note-{note_id}.pdf"',
        "X-Patient-Id": pdf.patient_id,
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


def being_rendered(retry_after_seconds: int) -> Response:
    body = {"status": "rendering", "retry_after_seconds": retry_after_seconds,
            "message": f"The note's PDF is being prepared; ask again in {retry_after_seconds} "
                       "seconds."}
    return Response(json.dumps(body), status=202, mimetype="application/json", headers={
        "Retry-After": str(retry_after_seconds), "Cache-Control": "no-store"})


@blp.route("/notes/<note_id>/billing-codes", methods=["GET"])
@documents_errors(410)
@require_permission("view_patients", kinds=READERS)
@blp.response(200, BillingCodeOfferSchema)
def billing_codes(note_id: str) -> dict[str, Any]:
    """The CPT codes the note's billing sheet offers: those of its author's discipline."""
    app = notes()
    offer = exports.billing_codes_for_note(app.uow(), caller(), note_id,
                                           user_types=app.user_types)
    return {"user_type": offer.user_type, "discipline": offer.discipline,
            "codes": list(offer.codes), "manual_codes": f"Other codes: {FORMAT_HELP}."}
