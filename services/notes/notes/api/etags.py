"""Each editable record's ETag: a note's or treatment plan's version, which their changes
already check; a patient's, payer's or case's stored row (servicekit.web.conditional)."""

from __future__ import annotations

from sqlalchemy import Table

from notes.adapters import tables
from notes.adapters.record_states import stored_record
from notes.bootstrap import notes
from servicekit.auth import current_principal
from servicekit.web.conditional import etag_of, version_etag


def _stored(table: Table, record_id: str) -> dict | None:
    org_id = current_principal().org_id
    if not org_id:
        return None
    with notes().uow() as uow:
        return stored_record(uow.session, table, org_id, record_id)


def patient_etag(patient_id: str) -> str | None:
    row = _stored(tables.patients, patient_id)
    return etag_of(row) if row is not None else None


def insurance_etag(insurance_id: str) -> str | None:
    row = _stored(tables.insurances, insurance_id)
    return etag_of(row) if row is not None else None


def case_etag(case_id: str) -> str | None:
    row = _stored(tables.cases, case_id)
    return etag_of(row) if row is not None else None


def note_etag(note_id: str) -> str | None:
    row = _stored(tables.notes, note_id)
    return version_etag(row["version"]) if row is not None else None


def plan_etag(plan_id: str) -> str | None:
    row = _stored(tables.treatment_plans, plan_id)
    return version_etag(row["version"]) if row is not None else None
