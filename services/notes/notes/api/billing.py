"""Billing staff's list of the notes held back from the practice's billing system."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from notes.api.callers import READERS, caller
from notes.api.paging import page_body, requested_page
from notes.api.schemas import NEXT_CURSOR, ListQuerySchema
from notes.bootstrap import notes
from notes.service_layer import billing_exports
from servicekit.auth import require_permission

blp = Blueprint("billing", __name__, description="Notes and the practice's billing system")


class HeldNoteSchema(Schema):
    export_id = fields.Str()
    note_id = fields.Str()
    patient_id = fields.Str()
    author_id = fields.Str(metadata={"description": "Who wrote the note"})
    finalized_by_id = fields.Str(metadata={"description": "Who finalized it (not a provider)"})
    finalized_at = fields.DateTime()
    integration = fields.Str(metadata={"description": "The practice's billing system"})
    reason_code = fields.Str(metadata={
        "description": "assistant_not_a_provider or finalizer_not_a_provider"})
    reason = fields.Str(metadata={"description": "Why it is held and what releases it"})


class HeldNotePageSchema(Schema):
    items = fields.List(fields.Nested(HeldNoteSchema))
    page = fields.Int()
    page_size = fields.Int()
    total = fields.Int()
    next_cursor = NEXT_CURSOR


@blp.route("/billing/held-notes", methods=["GET"])
@require_permission("view_patients", kinds=READERS)
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, HeldNotePageSchema)
def held_notes(args: dict) -> dict[str, Any]:
    """The practice's finalized notes held back from billing, oldest first, with the reason.

    For billing staff: the Billing user type, User Managers and vendor revenue cycle staff
    under an access grant; anyone else gets 403 `held_notes_refused`. A held note is sent on
    its own once identity names its finalizer as a provider of the billing integration. Each
    patient on the page is recorded as viewed (`notes.patient.viewed`, section
    `billing_held`).
    """
    page, page_size = requested_page(args)
    items, total = billing_exports.held_notes(
        notes().uow(), caller(), page=page, page_size=page_size)
    return page_body(items, page, page_size, total)
