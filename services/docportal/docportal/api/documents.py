"""Staff upload, attach (from notes), list and download a patient's documents."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, request
from flask_smorest import Blueprint

from docportal.adapters.notes_client import HttpNotePdfs
from docportal.api.callers import READERS, SHARE_PERMISSION, VIEW_PERMISSION, staff
from docportal.api.files import file_response
from docportal.api.schemas import (
    DocumentQuerySchema,
    DocumentSchema,
    NoteDocumentSchema,
    UploadFileSchema,
    UploadFormSchema,
    UploadSchema,
    WithdrawalSchema,
)
from docportal.bootstrap import docportal
from docportal.domain.documents import Document
from docportal.service_layer import documents, withdrawal
from docportal.service_layer.documents import (
    NoteOfAnotherPatient,
    NoteRefused,
    NoteUnavailable,
)
from servicekit.auth import require_permission
from servicekit.web.errors import AppError, ServiceUnavailable, Unprocessable
from servicekit.web.idempotency import idempotent
from servicekit.web.openapi import documents_errors
from servicekit.web.pagination import page_of

blp = Blueprint("documents", __name__, description="Patients' documents")


@blp.route("/documents", methods=["POST"])
@documents_errors(413, 415, 503)
@require_permission(SHARE_PERMISSION, VIEW_PERMISSION, kinds=("staff",))
@idempotent
@blp.arguments(UploadFormSchema, location="form")
@blp.arguments(UploadFileSchema, location="files")
@blp.doc(requestBody={"required": True,
                      "content": {"multipart/form-data": {"schema": UploadSchema}}})
@blp.response(201, DocumentSchema)
def upload(form: dict, files: dict) -> dict[str, Any]:
    """Upload a PDF, PNG or JPEG for a patient (checked by its bytes, not its name)."""
    portal = docportal()
    upload = files["file"]
    document = documents.upload_document(
        portal.uow(), portal.storage, staff(), patient_id=form["patient_id"], kind=form["kind"],
        filename=upload.filename or "", body=upload.stream,
        limit=portal.config.max_upload_bytes, now=portal.now(),
    )
    return document_body(document)


@blp.route("/documents/from-note", methods=["POST"])
@documents_errors(404, 410, 503)
@require_permission(SHARE_PERMISSION, VIEW_PERMISSION, kinds=("staff",))
@idempotent
@blp.arguments(NoteDocumentSchema)
@blp.response(201, DocumentSchema)
def from_note(body: dict) -> dict[str, Any]:
    """Attach a finalized note's PDF from the notes service (read with your own token)."""
    portal = docportal()
    try:
        document = documents.attach_note_pdf(
            portal.uow(), portal.storage, _notes(), staff(), patient_id=body["patient_id"],
            note_id=body["note_id"], access_token=_bearer_token(),
            limit=portal.config.max_upload_bytes, now=portal.now())
    # Notes' refusals keep notes' status; these are not in the error table because it maps
    # a class to one status.
    except NoteRefused as refused:
        raise AppError(refused.message, status=refused.status, code=refused.code,
                       details=refused.details) from None
    except NoteOfAnotherPatient as wrong:
        raise Unprocessable(wrong.message, code=wrong.code, details=wrong.details) from None
    except NoteUnavailable as down:
        raise ServiceUnavailable(down.message, code=down.code) from None
    return document_body(document)


@blp.route("/documents", methods=["GET"])
@require_permission(VIEW_PERMISSION, kinds=READERS)
@blp.arguments(DocumentQuerySchema, location="query")
@blp.response(200, DocumentSchema(many=True))
def list_for_patient(query: dict) -> list[dict[str, Any]]:
    """A patient's documents, newest first."""
    portal = docportal()
    found = documents.list_documents(portal.uow(), staff(), query["patient_id"], portal.now())
    shown, _ = page_of([document_body(d) for d in found], cursor=query["cursor"],
                       limit=query["limit"], key=lambda body: body["id"])
    return shown


@blp.route("/documents/<document_id>", methods=["GET"])
@require_permission(VIEW_PERMISSION, kinds=READERS)
@blp.response(200, DocumentSchema)
def get_one(document_id: str) -> dict[str, Any]:
    """One document's metadata, also once withdrawn (`withdrawn_at`, `withdrawal_reason`)."""
    portal = docportal()
    return document_body(documents.get_document(portal.uow(), staff(), document_id,
                                                portal.now()))


@blp.route("/documents/<document_id>/withdraw", methods=["POST"])
@require_permission(SHARE_PERMISSION, VIEW_PERMISSION, kinds=("staff",))
@blp.arguments(WithdrawalSchema)
@blp.response(200, DocumentSchema)
def withdraw(body: dict, document_id: str) -> dict[str, Any]:
    """Withdraw a document filed in the wrong chart: it leaves the patient's list and
    downloads, every share that still opens it is revoked at once, row and bytes are kept.
    Withdrawing again answers the same."""
    portal = docportal()
    return document_body(withdrawal.withdraw(portal.uow(), staff(), document_id,
                                             reason=body["reason"], now=portal.now()))


@blp.route("/documents/<document_id>/download", methods=["GET"])
@documents_errors(410, 503)
@require_permission(VIEW_PERMISSION, kinds=READERS)
@blp.doc(responses={"200": {"description": "The document's bytes",
                            "content": {"application/octet-stream": {}}}})
def download(document_id: str) -> Response:
    """Stream the document through the service (the store is never exposed)."""
    portal = docportal()
    document, stored = documents.download_document(
        portal.uow(), portal.storage, staff(), document_id, portal.now())
    return file_response(stored, content_type=document.content_type,
                         disposition=attachment(document.filename))


def _notes() -> HttpNotePdfs:
    # Built once per app (a connection pool); bootstrap is the place for it in time.
    client = current_app.extensions.get("docportal.notes")
    if client is None:
        client = current_app.extensions["docportal.notes"] = HttpNotePdfs(
            docportal().config.notes_url)
    return client


def _bearer_token() -> str:
    """The caller's access token, already verified, to call notes on their behalf."""
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


def attachment(filename: str) -> str:
    """Content-Disposition with an ASCII fallback and the exact UTF-8 name (RFC 6266)."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def document_body(document: Document) -> dict[str, Any]:
    body = asdict(document)
    body["kind"] = str(document.kind)
    return body
