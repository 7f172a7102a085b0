"""Finalized notes on their way to the practice's billing system: recorded at finalization,
held while the finalizer is not a provider there, released when they become one, and listed
for billing staff."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from notes.adapters.billing_exports import PENDING, BillingExports
from notes.domain.billing_document import billing_document
from notes.domain.billing_export import (
    BillingExportStatus,
    BillingIntegration,
    may_list_held_notes,
    new_providers,
)
from notes.domain.errors import HeldNotesRefused
from notes.domain.notes import Note
from notes.domain.signing import FinalizationResult
from notes.events.notes import NOTE_BILLING_HELD
from notes.events.patients import PATIENT_VIEWED
from notes.service_layer.callers import Caller
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

#: `data.section` of the access events the held-notes list emits.
SECTION = "billing_held"


def record_billing_export(uow: UnitOfWork, caller: Caller, note: Note,
                          result: FinalizationResult, integration: BillingIntegration | None
                          ) -> str | None:
    """In the finalization's transaction: the note's export row, and if held, its event.

    Returns the export's id (None where the practice has no billing integration).
    """
    decision = result.billing_export
    if integration is None or decision.status is BillingExportStatus.NO_INTEGRATION:
        return None
    export_id = str(uuid.uuid4())
    held = decision.status is BillingExportStatus.HELD
    BillingExports(uow.session).add(
        id=export_id, org_id=caller.org_id, note_id=note.id, patient_id=note.patient_id,
        author_id=note.author_id, finalized_by_id=result.finalized_by_id,
        finalized_at=result.finalized_at, integration=integration.name,
        status=decision.status.value,
        reason_code=decision.reason_code.value if decision.reason_code else None,
        reason=decision.reason, created_at=result.finalized_at,
        next_attempt_at=None if held else result.finalized_at,
        payload=billing_document(export_id=export_id, org_id=caller.org_id,
                                 integration=integration.name, note=note, result=result))
    if held:
        uow.publish(NOTE_BILLING_HELD.event(
            subject=Subject("note", note.id), org_id=caller.org_id,
            actor=caller.actor, patient_id=note.patient_id,
            data={"export_id": export_id, "integration": integration.name,
                  "finalized_by_id": result.finalized_by_id,
                  "reason_code": decision.reason_code.value if decision.reason_code else None}))
    return export_id


def release_held_exports(session: Session, org_id: str, before: BillingIntegration | None,
                         after: BillingIntegration | None, now: Any) -> int:
    """The held notes of users who just became providers are due now (in the projection
    handler's transaction, so the release and the new provider list commit together)."""
    added = new_providers(before, after)
    if not added:
        return 0
    exports = BillingExports(session)
    released = exports.held_of(org_id, added)
    for row in released:
        exports.set(row["id"], only_if=BillingExportStatus.HELD.value, status=PENDING,
                    next_attempt_at=now)
    return len(released)


def held_notes(uow: UnitOfWork, caller: Caller, *, page: int, page_size: int
               ) -> tuple[list[dict[str, Any]], int]:
    """The practice's notes held back from billing, oldest first, for billing staff.

    Each patient on the page is recorded as viewed (section `billing_held`).
    """
    if not may_list_held_notes(caller.kind, caller.user_type, caller.permissions):
        raise HeldNotesRefused(
            "Only billing staff (the Billing user type) and User Managers list the notes "
            "held back from billing; ask one of them.",
            {"user_type": caller.user_type})
    with uow:
        rows, total = BillingExports(uow.session).listed(
            caller.org_id, BillingExportStatus.HELD.value,
            offset=(page - 1) * page_size, limit=page_size)
        by_patient: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            by_patient[row["patient_id"]].append(row["note_id"])
        for patient_id, note_ids in by_patient.items():
            uow.publish(PATIENT_VIEWED.event(
                subject=Subject("patient", patient_id),
                org_id=caller.org_id, actor=caller.actor, patient_id=patient_id,
                data={"section": SECTION, "note_ids": note_ids, "record_count": len(note_ids)}))
        uow.commit()
    return [held_line(row) for row in rows], total


def held_line(row: dict[str, Any]) -> dict[str, Any]:
    return {"export_id": row["id"], "note_id": row["note_id"], "patient_id": row["patient_id"],
            "author_id": row["author_id"], "finalized_by_id": row["finalized_by_id"],
            "finalized_at": row["finalized_at"], "integration": row["integration"],
            "reason_code": row["reason_code"], "reason": row["reason"]}
