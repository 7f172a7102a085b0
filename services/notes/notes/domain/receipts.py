"""What a caller who may not view patients gets back from a write: a receipt, not the record.

Editing a patient's record (edit_patients, start_notes, delete_transactions, ...) is not
seeing it. A caller without view_patients who changes a patient, a case, a note or a charge
learns that the change was made and what to send next time (the id, version and times), never
the record's contents: otherwise a no-op edit would be a read that nobody may do.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from notes.domain.users import Permission

RECEIPT_FIELDS = ("id", "version", "status", "created_at", "updated_at", "deleted_at")


def may_see_records(permissions: Collection[str]) -> bool:
    return Permission.VIEW_PATIENTS.value in permissions


def shown_to(permissions: Collection[str], record: Mapping[str, Any]) -> dict[str, Any]:
    """The record for a caller who may view patients; its receipt for anyone else."""
    if may_see_records(permissions):
        return dict(record)
    return {name: record[name] for name in RECEIPT_FIELDS if name in record}
