"""Co-signature work lists: the notes awaiting me, and the author's recall of a forwarded note."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from notes.api.bodies import RECEIPT_NOTE, note_body
from notes.api.callers import STAFF, caller
from notes.api.paging import page_body, requested_page
from notes.api.schemas import ListQuerySchema, NotePageSchema, NoteSchema, VersionSchema
from notes.bootstrap import notes
from notes.domain.receipts import shown_to
from notes.service_layer import cosignature
from servicekit.auth import authenticated, require_permission
from servicekit.web.openapi import documents_errors

blp = Blueprint("cosignature", __name__, description="Notes forwarded for co-signature")


@blp.route("/notes/awaiting-my-cosignature", methods=["GET"])
@require_permission("view_patients", kinds=STAFF)
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, NotePageSchema)
def awaiting_me(args: dict) -> dict[str, Any]:
    """The notes forwarded to me and not yet signed, longest waiting first, a page at a time.

    Each patient on the page is recorded as viewed (`notes.patient.viewed`, section
    `awaiting_cosignature`).
    """
    page, page_size = requested_page(args)
    found, total = cosignature.notes_awaiting_cosignature(
        notes().uow(), caller(), page=page, page_size=page_size)
    return page_body([note_body(n) for n in found], page, page_size, total)


# Who may recall is the domain's rule (the author), so the route only requires a staff token.
@blp.route("/notes/<note_id>/recall", methods=["POST"])
@documents_errors(409, 410)
@authenticated(kinds=STAFF)
@blp.arguments(VersionSchema)
@blp.response(200, NoteSchema, description=f"The note, a draft again. {RECEIPT_NOTE}")
def recall(body: dict, note_id: str) -> dict[str, Any]:
    """Take back a note you forwarded: it leaves the therapist's list and is a draft again.

    409 `note_not_forwarded` when it waits for nobody, 409 `note_finalized` once signed.
    """
    app, who = notes(), caller()
    note = cosignature.recall_note(app.uow(), who, note_id, expected_version=body["version"],
                                   now=app.now())
    return shown_to(who.permissions, note_body(note))
