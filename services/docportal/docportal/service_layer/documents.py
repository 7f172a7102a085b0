"""Uploading a patient's document, listing a patient's documents, downloading one."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any, BinaryIO, Protocol

from docportal.adapters.repository import DocumentRepository, document_key, storage_key
from docportal.domain.documents import Document, DocumentKind, new_document
from docportal.domain.errors import DocportalError
from docportal.domain.uploads import SNIFF_BYTES, validate_upload
from docportal.domain.withdrawal import check_not_withdrawn
from docportal.events.documents import (
    DOCUMENT_DOWNLOADED,
    DOCUMENT_UPLOADED,
    DOCUMENT_VIEWED,
    DOCUMENTS_VIEWED,
)
from docportal.service_layer.callers import Staff
from docportal.service_layer.errors import DocumentNotFound
from docportal.service_layer.ports import DocumentStorage, StorageUnavailable, StoredObject
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

log = logging.getLogger("docportal.documents")

_READ_BYTES = 1024 * 1024


def upload_document(
    uow: UnitOfWork, storage: DocumentStorage, staff: Staff, *, patient_id: str, kind: str,
    filename: str, body: BinaryIO, limit: int, now: datetime,
    origin: dict[str, str] | None = None,
) -> Document:
    """Store the file, then its row and event; a failure of either leaves neither.

    `origin` names where the file came from when it was not uploaded from a disk, e.g.
    `{"source": "notes", "note_id": ...}`; it goes into the event as ids only.
    """
    size, head, sha256 = _measure(body)
    accepted = validate_upload(filename, size, head, limit)
    document = new_document(accepted, org_id=staff.org_id, patient_id=patient_id, kind=kind,
                            uploaded_by=staff.user_id, now=now)
    key = storage_key(document)
    body.seek(0)
    # Object first: a row must never point at bytes that are not there. If the row then
    # fails, the object is deleted again; if that fails too, an unreferenced object is
    # left under a random key, which leaks nothing and is safe to sweep later.
    storage.put(key, body, size, accepted.content_type)
    try:
        with uow:
            DocumentRepository(uow.session).add(document, sha256)
            uow.publish(DOCUMENT_UPLOADED.event(
                subject=Subject("document", document.id),
                org_id=staff.org_id, actor=staff.actor(), patient_id=patient_id,
                occurred_at=document.uploaded_at,
                data={"kind": str(document.kind), "content_type": document.content_type,
                      "size_bytes": size, "sha256": sha256, **(origin or {})},
            ))
            uow.commit()
    except BaseException:
        _forget(storage, key)
        raise
    return document


class NoteUnavailable(DocportalError):
    """503: the notes service could not be reached or failed; nothing was stored."""

    code = "notes_unavailable"


class NoteRefused(DocportalError):
    """The notes service said no (404, 403, 409, 401): `status` and `code` are its own."""

    code = "note_refused"

    def __init__(self, status: int, code: str, message: str,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details)
        self.status, self.code = status, code


class NoteOfAnotherPatient(DocportalError):
    """422: the note belongs to another patient than the one it is to be filed under."""

    code = "note_of_another_patient"


@dataclass(frozen=True)
class NotePdf:
    patient_id: str
    content: bytes


class NotePdfs(Protocol):
    """The notes service's finalized-note PDFs, read with the caller's own token."""

    def note_pdf(self, note_id: str, *, access_token: str, max_bytes: int) -> NotePdf:
        """The PDF (at most `max_bytes` + 1 bytes read); NoteRefused or NoteUnavailable."""
        ...


def attach_note_pdf(
    uow: UnitOfWork, storage: DocumentStorage, notes: NotePdfs, staff: Staff, *,
    patient_id: str, note_id: str, access_token: str, limit: int, now: datetime,
) -> Document:
    """File a finalized note's PDF from the notes service as the patient's document.

    Notes checks the caller's own permission to read the note (with their token) and records
    the download; from here on the PDF is stored exactly as an upload.
    """
    pdf = notes.note_pdf(note_id, access_token=access_token, max_bytes=limit)
    if pdf.patient_id != patient_id:
        # Filed under the wrong patient, the note would be shared with that patient's physician.
        raise NoteOfAnotherPatient(
            "This note belongs to another patient; attach it from that patient's documents.",
            {"note_id": note_id, "patient_id": patient_id})
    return upload_document(
        uow, storage, staff, patient_id=patient_id, kind=DocumentKind.NOTE,
        filename=f"note-{note_id}.pdf", body=BytesIO(pdf.content), limit=limit, now=now,
        origin={"source": "notes", "note_id": note_id})


def list_documents(
    uow: UnitOfWork, staff: Staff, patient_id: str, now: datetime
) -> list[Document]:
    """The patient's documents, newest first; the listing itself is an access to record."""
    with uow:
        found = DocumentRepository(uow.session).list_for_patient(staff.org_id, patient_id)
        uow.publish(DOCUMENTS_VIEWED.event(
            subject=Subject("patient", patient_id),
            org_id=staff.org_id, actor=staff.actor(), patient_id=patient_id, occurred_at=now,
            data={"document_ids": [d.id for d in found],
                  **({"record_count": len(found)} if found else {})},
        ))
        uow.commit()
    return found


def get_document(uow: UnitOfWork, staff: Staff, document_id: str, now: datetime) -> Document:
    """The document's metadata, withdrawn or not, recorded as a staff view of the patient."""
    with uow:
        document = _get(DocumentRepository(uow.session), staff, document_id)
        uow.publish(DOCUMENT_VIEWED.event(
            subject=Subject("document", document.id),
            org_id=staff.org_id, actor=staff.actor(), patient_id=document.patient_id,
            occurred_at=now, data={"by": "staff"}))
        uow.commit()
    return document


def download_document(
    uow: UnitOfWork, storage: DocumentStorage, staff: Staff, document_id: str, now: datetime,
) -> tuple[Document, StoredObject]:
    """Open the document's bytes and record the download (committed before any byte leaves).

    One transaction. The store is asked (a HEAD and the signing) at once, while the document
    is looked up: the key is the caller's practice and the id in the URL, and nothing the store
    says is used unless the document is theirs. A store that does not answer is a 503 with
    nothing recorded.
    """
    opening = storage.opening(document_key(staff.org_id, document_id))
    try:
        with uow:
            document = _get(DocumentRepository(uow.session), staff, document_id)
            check_not_withdrawn(document)
            stored = opening.result()
            uow.publish(DOCUMENT_DOWNLOADED.event(
                subject=Subject("document", document.id),
                org_id=staff.org_id, actor=staff.actor(), patient_id=document.patient_id,
                occurred_at=now, data={"size_bytes": document.size_bytes, "by": "staff"},
            ))
            uow.commit()
    except BaseException:
        opening.abandon()
        raise
    return document, stored


def _get(documents: DocumentRepository, staff: Staff, document_id: str) -> Document:
    document = documents.get(staff.org_id, document_id)
    if document is None:
        raise DocumentNotFound(
            "There is no such document in your practice; check the link or search the "
            "patient's documents again.", {"document_id": document_id})
    return document


def _measure(body: BinaryIO) -> tuple[int, bytes, str]:
    body.seek(0)
    head = body.read(SNIFF_BYTES)
    digest, size = hashlib.sha256(head), len(head)
    while chunk := body.read(_READ_BYTES):
        digest.update(chunk)
        size += len(chunk)
    return size, head, digest.hexdigest()


def _forget(storage: DocumentStorage, key: str) -> None:
    try:
        storage.delete(key)
    except StorageUnavailable:
        log.error("could not delete the object of a failed upload", extra={"key": key})
