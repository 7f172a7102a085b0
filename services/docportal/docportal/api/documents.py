"""Staff upload, list and download a patient's documents."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from flask import Response
from flask_smorest import Blueprint

from docportal.api.callers import SHARE_PERMISSION, staff
from docportal.api.schemas import (
    DocumentQuerySchema,
    DocumentSchema,
    UploadFileSchema,
    UploadFormSchema,
    UploadSchema,
)
from docportal.bootstrap import docportal
from docportal.domain.documents import Document
from docportal.service_layer import documents
from servicekit.auth import require_permission

blp = Blueprint("documents", __name__, description="Patients' documents")


@blp.route("/documents", methods=["POST"])
@require_permission(SHARE_PERMISSION, kinds=("staff",))
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


@blp.route("/documents", methods=["GET"])
@require_permission(SHARE_PERMISSION, kinds=("staff",))
@blp.arguments(DocumentQuerySchema, location="query")
@blp.response(200, DocumentSchema(many=True))
def list_for_patient(query: dict) -> list[dict[str, Any]]:
    """A patient's documents, newest first."""
    portal = docportal()
    found = documents.list_documents(portal.uow(), staff(), query["patient_id"], portal.now())
    return [document_body(d) for d in found]


@blp.route("/documents/<document_id>/download", methods=["GET"])
@require_permission(SHARE_PERMISSION, kinds=("staff",))
@blp.doc(responses={"200": {"description": "The document's bytes",
                            "content": {"application/octet-stream": {}}}})
def download(document_id: str) -> Response:
    """Stream the document through the service (the store is never exposed)."""
    portal = docportal()
    document, stored = documents.download_document(
        portal.uow(), portal.storage, staff(), document_id, portal.now())
    response = Response(stored.chunks, mimetype=document.content_type, direct_passthrough=True)
    response.call_on_close(stored.close)
    response.headers.update({
        "Content-Length": str(stored.size_bytes),
        "Content-Disposition": attachment(document.filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    })
    return response


def attachment(filename: str) -> str:
    """Content-Disposition with an ASCII fallback and the exact UTF-8 name (RFC 6266)."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def document_body(document: Document) -> dict[str, Any]:
    body = asdict(document)
    body["kind"] = str(document.kind)
    return body
