"""Uploading a patient's document, listing a patient's documents, downloading one."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import BinaryIO

from docportal.adapters.repository import DocumentRepository, storage_key
from docportal.domain.documents import Document, new_document
from docportal.domain.uploads import SNIFF_BYTES, validate_upload
from docportal.service_layer.callers import Staff
from docportal.service_layer.errors import DocumentNotFound
from docportal.service_layer.ports import DocumentStorage, StorageUnavailable, StoredObject
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject, new_event

log = logging.getLogger("docportal.documents")

_READ_BYTES = 1024 * 1024


def upload_document(
    uow: UnitOfWork, storage: DocumentStorage, staff: Staff, *, patient_id: str, kind: str,
    filename: str, body: BinaryIO, limit: int, now: datetime,
) -> Document:
    """Store the file, then its row and event; a failure of either leaves neither."""
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
            uow.publish(new_event(
                "docportal.document.uploaded", subject=Subject("document", document.id),
                org_id=staff.org_id, actor=staff.actor(), patient_id=patient_id,
                occurred_at=document.uploaded_at,
                data={"kind": str(document.kind), "content_type": document.content_type,
                      "size_bytes": size, "sha256": sha256},
            ))
            uow.commit()
    except BaseException:
        _forget(storage, key)
        raise
    return document


def list_documents(
    uow: UnitOfWork, staff: Staff, patient_id: str, now: datetime
) -> list[Document]:
    """The patient's documents, newest first; the listing itself is an access to record."""
    with uow:
        found = DocumentRepository(uow.session).list_for_patient(staff.org_id, patient_id)
        uow.publish(new_event(
            "docportal.documents.viewed", subject=Subject("patient", patient_id),
            org_id=staff.org_id, actor=staff.actor(), patient_id=patient_id, occurred_at=now,
            data={"document_ids": [d.id for d in found],
                  **({"record_count": len(found)} if found else {})},
        ))
        uow.commit()
    return found


def download_document(
    uow: UnitOfWork, storage: DocumentStorage, staff: Staff, document_id: str, now: datetime,
) -> tuple[Document, StoredObject]:
    """Open the document's bytes and record the download (committed before any byte leaves)."""
    with uow:
        document = DocumentRepository(uow.session).get(staff.org_id, document_id)
    if document is None:
        raise DocumentNotFound(
            "There is no such document in your practice; check the link or search the "
            "patient's documents again.", {"document_id": document_id})
    stored = storage.open(storage_key(document))
    try:
        with uow:
            uow.publish(new_event(
                "docportal.document.downloaded", subject=Subject("document", document.id),
                org_id=staff.org_id, actor=staff.actor(), patient_id=document.patient_id,
                occurred_at=now, data={"size_bytes": document.size_bytes, "by": "staff"},
            ))
            uow.commit()
    except BaseException:
        stored.close()
        raise
    return document, stored


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
