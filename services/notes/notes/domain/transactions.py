"""Patient transactions (charges) made from a finalized note's billing sheet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from notes.domain.billing import BillingSheet
from notes.domain.clock import as_utc
from notes.domain.errors import PermissionRefused, TransactionAlreadyDeleted
from notes.domain.users import Permission, PracticeUser


@dataclass(kw_only=True)
class PatientTransaction:
    note_id: str
    patient_id: str
    case_id: str
    code: str
    units: int
    modifiers: tuple[str, ...]
    manual: bool
    date_of_service: date
    provider_id: str
    created_at: datetime
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # Deletion is recorded, not erased: billing and audit must see what was removed and by whom.
    deleted_at: datetime | None = None
    deleted_by_id: str | None = None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def delete(self, by: PracticeUser, now: datetime) -> None:
        """Delete this charge; needs the delete patient transactions permission."""
        if not by.holds(Permission.DELETE_TRANSACTIONS):
            raise PermissionRefused(
                "You need the delete patient transactions permission to delete a charge; "
                "ask a User Manager to grant it or ask a colleague who holds it.",
                {"permission": Permission.DELETE_TRANSACTIONS.value, "transaction_id": self.id},
            )
        if self.is_deleted:
            raise TransactionAlreadyDeleted(
                "This charge was already deleted; refresh the patient's transactions.",
                {"transaction_id": self.id, "deleted_by_id": self.deleted_by_id},
            )
        self.deleted_at = as_utc(now)
        self.deleted_by_id = by.id


def charges_from_sheet(
    sheet: BillingSheet,
    *,
    note_id: str,
    patient_id: str,
    case_id: str,
    date_of_service: date,
    provider_id: str,
    now: datetime,
) -> tuple[PatientTransaction, ...]:
    """One transaction per billing line, charged to the provider who finalized the note."""
    created_at = as_utc(now)
    return tuple(
        PatientTransaction(
            note_id=note_id,
            patient_id=patient_id,
            case_id=case_id,
            code=line.code,
            units=line.units,
            modifiers=line.modifiers,
            manual=line.manual,
            date_of_service=date_of_service,
            provider_id=provider_id,
            created_at=created_at,
        )
        for line in sheet.lines
    )
