"""Domain objects as the API's response bodies."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from notes.adapters.note_store import sheet_to_json
from notes.domain.notes import Note
from notes.domain.receipts import RECEIPT_FIELDS

#: How the OpenAPI document describes a write's answer (domain/receipts.py).
RECEIPT_NOTE = ("A caller without view_patients gets a receipt only: "
                + ", ".join(RECEIPT_FIELDS) + " where the record has them.")


def note_body(note: Note) -> dict[str, Any]:
    signature, export = note.signature, note.billing_export
    return {
        "id": note.id, "patient_id": note.patient_id, "case_id": note.case_id,
        "kind": note.kind.value, "status": note.status.value, "version": note.version,
        "date_of_service": note.date_of_service, **asdict(note.soap),
        "author_id": note.author_id, "supervising_therapist_id": note.supervising_therapist_id,
        "forwarded_to_id": note.forwarded_to_id, "forwarded_at": note.forwarded_at,
        "finalized_by_id": signature.finalized_by_id if signature else None,
        "cosigner_id": signature.cosigner_id if signature else None,
        "chart_initials": note.chart_initials,
        "finalized_at": signature.signed_at if signature else None,
        "billing_sheet": sheet_to_json(note.billing_sheet),
        "billing_export": {"status": export.status.value, "provider_id": export.provider_id,
                           "reason": export.reason} if export else None,
        "addenda": [asdict(a) for a in note.addenda],
        "created_at": note.created_at, "updated_at": note.updated_at,
        "discarded_at": note.discarded_at, "discarded_by_id": note.discarded_by_id,
    }
