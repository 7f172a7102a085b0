"""What the billing system receives for one finalized note: its billing sheet and the ids
that place it (patient, case, provider), never clinical text."""

from __future__ import annotations

from typing import Any

from notes.domain.notes import Note
from notes.domain.signing import FinalizationResult

DOCUMENT_VERSION = 1


def billing_document(*, export_id: str, org_id: str, integration: str, note: Note,
                     result: FinalizationResult) -> dict[str, Any]:
    return {
        "document_version": DOCUMENT_VERSION,
        "export_id": export_id,
        "org_id": org_id,
        "integration": integration,
        "note_id": note.id,
        "patient_id": note.patient_id,
        "case_id": note.case_id,
        "date_of_service": note.date_of_service.isoformat(),
        "finalized_at": result.finalized_at.isoformat(),
        "finalized_by_id": result.finalized_by_id,
        # The billing system bills under the finalizer, once they are a provider there.
        "provider_id": result.finalized_by_id,
        "cosigner_id": result.cosigner_id,
        "chart_initials": result.chart_initials,
        "charges": [
            {"transaction_id": t.id, "code": t.code, "units": t.units,
             "modifiers": list(t.modifiers), "manual": t.manual}
            for t in result.transactions
        ],
    }
